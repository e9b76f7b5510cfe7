/**
 * Writes Crucible's built-in demo models and models/corpus.json. Everything comes from code and
 * seeded weights, nothing is downloaded, and the output is byte-identical on every run and
 * platform, so the committed files can be checked against a fresh generation.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CORPUS_FILE, formatJson, type Corpus, type CorpusModel } from './corpus';
import {
  buildDenoiseStep,
  buildMlpTiny,
  buildResnetMini,
  buildTransformerBlock,
  buildUpscale2x,
  buildWithExternalData,
} from './demo-models';

/** What one model's generation wrote. */
export interface GeneratedModel {
  id: string;
  /** The .onnx file, absolute. */
  path: string;
  /** Every file written for this model (the .onnx first), absolute. */
  files: string[];
  /** Total bytes of those files. */
  bytes: number;
  corpus: CorpusModel;
}

/** Name recorded in corpus.json as the file's source. */
const GENERATOR = 'models/generate.ts';

/**
 * Builds every demo model and writes it, with corpus.json, under `outDir` (created if missing;
 * existing files of the same names are overwritten, others are left alone).
 */
export async function generateModels(outDir: string): Promise<GeneratedModel[]> {
  const built = [
    buildUpscale2x(),
    buildResnetMini(),
    buildTransformerBlock(),
    buildMlpTiny(),
    buildWithExternalData(),
    buildDenoiseStep(),
  ];
  const generated: GeneratedModel[] = [];
  for (const model of built) {
    const files: string[] = [];
    let bytes = 0;
    for (const file of model.files) {
      const path = join(outDir, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.bytes);
      files.push(path);
      bytes += file.bytes.length;
    }
    generated.push({
      id: model.corpus.id,
      path: join(outDir, ...model.corpus.file.split('/')),
      files,
      bytes,
      corpus: model.corpus,
    });
  }
  const corpus: Corpus = { version: 1, generator: GENERATOR, models: built.map((m) => m.corpus) };
  await writeFile(join(outDir, CORPUS_FILE), formatJson(corpus));
  return generated;
}
