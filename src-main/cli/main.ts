/**
 * `crucible`: the same engine as the app, for scripts and CI.
 *
 * Every expected failure prints one line `crucible: <what and which file>` and exits 2; bugs exit 1
 * with the stack only under --verbose. Heavy modules load only when a command needs them.
 */
import { AppError, toErrorData } from '../shared/errors';
import type { CliIo } from './io';

const USAGE = `crucible — run, inspect, compile and benchmark ONNX models on this machine's providers

usage: crucible <command> [options]

commands:
  gpu [--json] [--watch] [--hz N] [--count N]
      the NVIDIA GPUs (NVML, else nvidia-smi), or why there are none
  inspect MODEL [--json] [--dim NAME=N ...]
      what a model is: inputs, outputs, ops, parameters, estimated FLOPs
  run MODEL [--provider P] [INPUTS] [--out DIR] [--format npy|pb] [--json] [--no-cache]
      one inference; outputs summarized (and written to DIR as .npy or .pb); with a .png input,
      picture outputs are written as PNG (into DIR, or beside the picture), never over a file
  bench MODEL [--provider P] [--mode plain|iobinding|graph] [--iterations N | --duration S]
        [--warmup N] [INPUTS] [--percentile p50|p90|p99] [--profile] [--compiled] [--json]
      latency percentiles, throughput, session creation cold/warm, first inference, power;
      --compiled: the model's compile-cache entry; kept in the app's Benchmarks history;
      a verdict (valid / noisy / throttled, with why); --profile: top operators by time
  bench --compare A.json[#ID] B.json[#ID] [--json]
      the difference of two results' medians with a 95% bootstrap interval, or "within noise"
  bench --loop MODEL [--provider P] [--steps N] [--feed OUTPUT=INPUT ...] [--modes host,device,graph]
      outputs fed back as inputs N times: copy time per step through the host vs on the device
  compile MODEL [--provider P] [INPUTS] [--range NAME=MIN:MAX ...] [--cuda-graph] [--json]
      compile for a provider into the compile cache (TensorRT-RTX: EP-context model + runtime
      cache; others: ORT's optimised model); progress on stderr. \`run\` then starts from it
  switch-over MODEL [--provider P] [--dim NAME=N ...] [--json]
      run, compile into the cache, run again: the app's switch-over to the compiled session
  conformance DIR... [--provider P] [--filter REGEX] [--json]
      run ONNX backend test cases (model.onnx + test_data_set_*/) and compare outputs
  convert MODEL --to fp16 [--keep-io-types | --fp16-io] [--block Op,...] [--json]
      a float16 variant (weights and compute; IO stays float32 unless --fp16-io) into the
      library beside the model, never over it; reports blocked ops and clamped weights
  compare-variants MODEL [--provider P,...] [--sets N] [--iterations N] [--dim NAME=N ...] [--json]
      the fp16 variant against the model per provider: error over seeded inputs, latency,
      energy on a GPU, verdict

INPUTS, the same for run, bench and compile:
  --input NAME=FILE       .npy, .pb, .png (picture), .wav (audio, resampled to the model's
                          rate), .txt (token ids)
  --value NAME=V[,V...]   a constant or a list (--value sr=16000, --value input_ids=101,2023,102)
  --shape NAME=2x?x128    an input's dims by position (? leaves one to the plan)
  --dim NAME=N            a named dim; --dim batch=N sets every batch-like dim
  --fill random|zeros|ones, --seed N   the rest: seeded fills by dtype and name (rates 16000,
                          masks 1, ids below the vocabulary)
  --inputs-from DIR       every input from an ONNX test-data folder

global options: --verbose (stacks on errors), --help, --version
providers: cpu, webgpu, dml (Windows), cuda, nv-tensorrt-rtx (an unavailable one is refused with the reason)`;

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      case '--version':
        io.out(typeof CRUCIBLE_VERSION === 'string' ? CRUCIBLE_VERSION : '0.0.0-dev');
        return 0;
      case 'gpu': {
        const { runGpuCli } = await import('./commands/gpu');
        return await runGpuCli(rest, io);
      }
      case 'inspect': {
        const { inspectCommand } = await import('./commands/inspect');
        return await inspectCommand(rest, io);
      }
      case 'run': {
        const { runCommand } = await import('./commands/run');
        return await runCommand(rest, io);
      }
      case 'bench': {
        const { benchCommand } = await import('./commands/bench');
        return await benchCommand(rest, io);
      }
      case 'compile': {
        const { compileCommand } = await import('./commands/compile');
        return await compileCommand(rest, io);
      }
      case 'switch-over': {
        const { switchOverCommand } = await import('./commands/switch-over');
        return await switchOverCommand(rest, io);
      }
      case 'convert': {
        const { convertCommand } = await import('./commands/convert');
        return await convertCommand(rest, io);
      }
      case 'compare-variants': {
        const { compareVariantsCommand } = await import('./commands/compare-variants');
        return await compareVariantsCommand(rest, io);
      }
      case 'conformance': {
        const { conformanceCommand } = await import('./commands/conformance');
        return await conformanceCommand(rest, io);
      }
      default:
        io.err(`crucible: unknown command '${command}' (run crucible --help)`);
        return 2;
    }
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`crucible: ${err.message}`);
      if (verbose && err.detail) io.err(err.detail);
      return 2;
    }
    const data = toErrorData(err);
    io.err(
      `crucible: internal error: ${data.message}${verbose ? '' : ' (run with --verbose for details)'}`,
    );
    if (verbose && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}

declare const CRUCIBLE_VERSION: string | undefined;
