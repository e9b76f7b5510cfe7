/**
 * The model Compile API (OrtCompileApi): turns a model into an EP-context model for the providers
 * in the session options, or — with no compiling provider — into an optimized model. CompileModel
 * runs on a worker thread; progress arrives as log lines through the env's listeners.
 */
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { callAsync, ortCompileApi } from './api';
import type { NPtr } from './api';
import { ortEnv } from './env';
import { withPinned } from './handle';
import { graphOptimizationNumber } from './session-options';
import type { GraphOptimizationLevel, SessionOptions } from './session-options';
import { check } from './status';

/** OrtCompileApiFlags. */
export const COMPILE_FLAGS = {
  /** Fail instead of writing a model where no node was compiled by an EP. */
  errorIfNoNodesCompiled: 1,
  /** Fail instead of overwriting an existing output file. */
  errorIfOutputFileExists: 2,
} as const;

/** What to compile and how. */
export interface CompileOptions {
  /** The providers to compile for (and their options) come from here. */
  sessionOptions: SessionOptions;
  /** The input model: a file, or its bytes. */
  input: { path: string } | { bytes: Uint8Array };
  /** Where the compiled model goes. */
  outputPath: string;
  /** Embed the EP binary in the EPContext node instead of writing it beside the model. */
  embedEpContext?: boolean;
  errorIfNoNodesCompiled?: boolean;
  errorIfOutputFileExists?: boolean;
  /** Graph optimisation before compiling (the Compile API's default is disabled). */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

/** Compiles a model (CreateModelCompilationOptionsFromSessionOptions … CompileModel). */
export async function compileModel(opts: CompileOptions): Promise<void> {
  const env = ortEnv();
  const c = ortCompileApi();
  const out: [NPtr] = [null];
  check(
    c.CreateModelCompilationOptionsFromSessionOptions(env.ptr, opts.sessionOptions.ptr, out),
    'creating model compilation options',
  );
  const co = out[0];
  if (!co) throw new Error('CreateModelCompilationOptionsFromSessionOptions returned NULL');
  const inputLabel = 'path' in opts.input ? path.resolve(opts.input.path) : 'model bytes';
  const outputPath = path.resolve(opts.outputPath);
  try {
    if ('path' in opts.input) {
      check(
        c.ModelCompilationOptions_SetInputModelPath(co, inputLabel),
        `setting compile input ${inputLabel}`,
      );
    } else {
      if (opts.input.bytes.byteLength === 0) {
        throw new AppError('MODEL_INVALID', 'cannot compile an empty model');
      }
      check(
        c.ModelCompilationOptions_SetInputModelFromBuffer(
          co,
          opts.input.bytes,
          opts.input.bytes.byteLength,
        ),
        'setting compile input bytes',
      );
    }
    check(
      c.ModelCompilationOptions_SetOutputModelPath(co, outputPath),
      `setting compile output ${outputPath}`,
    );
    if (opts.embedEpContext !== undefined) {
      check(
        c.ModelCompilationOptions_SetEpContextEmbedMode(co, opts.embedEpContext),
        'setting EP context embed mode',
      );
    }
    const flags =
      (opts.errorIfNoNodesCompiled ? COMPILE_FLAGS.errorIfNoNodesCompiled : 0) |
      (opts.errorIfOutputFileExists ? COMPILE_FLAGS.errorIfOutputFileExists : 0);
    if (flags !== 0) check(c.ModelCompilationOptions_SetFlags(co, flags), 'setting compile flags');
    if (opts.graphOptimizationLevel !== undefined) {
      check(
        c.ModelCompilationOptions_SetGraphOptimizationLevel(
          co,
          graphOptimizationNumber(opts.graphOptimizationLevel),
        ),
        `setting compile graph optimization ${opts.graphOptimizationLevel}`,
      );
    }
    const bytes = 'bytes' in opts.input ? opts.input.bytes : null;
    const status = await withPinned([opts.sessionOptions], () =>
      callAsync(c.CompileModel, env.ptr, co),
    );
    // CompileModel reads the input bytes: this use keeps them alive until it has returned.
    void bytes?.byteLength;
    check(status, `compiling ${inputLabel} to ${outputPath}`);
  } finally {
    c.ReleaseModelCompilationOptions(co);
  }
}
