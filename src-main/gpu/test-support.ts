/**
 * Test support only (imported by *.test.ts, never by the app): compiles the stand-in NVML library
 * (fake-nvml.c) and writes a stand-in `nvidia-smi` executable, a Node script that answers the way nvidia-smi does. It prints a real recorded
 * capture from fixtures/, so the values a test checks are real ones; only the process is stood in.
 * POSIX only (it relies on the #! line), so tests that use it skip on Windows.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the stand-in does. */
export interface FakeNvidiaSmiOptions {
  /** File printed for every --query-gpu call. */
  fixture: string;
  /** Each call's argv is appended here as one JSON line. */
  log?: string;
  /** Query fields it rejects the way an older driver does ("Field … is not a valid field"). */
  reject?: string[];
  /** CUDA version in the banner printed when run without arguments. */
  bannerCuda?: string;
}

/** The folder of recorded nvidia-smi captures. */
export const FIXTURE_DIR = join(__dirname, 'fixtures');

/** Writes the stand-in to `dir/name` and returns its path. */
export function writeFakeNvidiaSmi(dir: string, name: string, opts: FakeNvidiaSmiOptions): string {
  const path = join(dir, name);
  const script = `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
const log = ${JSON.stringify(opts.log ?? null)};
if (log) fs.appendFileSync(log, JSON.stringify(args) + '\\n');
if (args.length === 0) {
  console.log('| NVIDIA-SMI 580.159.04   Driver Version: 580.159.04   CUDA Version: ${opts.bannerCuda ?? '13.0'}     |');
  process.exit(0);
}
const query = (args.find((a) => a.startsWith('--query-gpu=')) || '').slice('--query-gpu='.length).split(',');
for (const field of ${JSON.stringify(opts.reject ?? [])}) {
  if (query.includes(field)) {
    console.log('Field "' + field + '" is not a valid field to query.');
    process.exit(2);
  }
}
process.stdout.write(fs.readFileSync(${JSON.stringify(opts.fixture)}, 'utf8'));
`;
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Compiles fake-nvml.c (a stand-in library with NVML's signatures) into `dir`; null where there
 * is no C compiler or the platform is not Linux, so the tests that need it skip.
 */
export function compileFakeNvml(dir: string): string | null {
  if (process.platform !== 'linux') return null;
  const out = join(dir, 'libfake-nvml.so');
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', out, join(__dirname, 'fake-nvml.c')], {
      stdio: 'pipe',
    });
    return out;
  } catch {
    return null;
  }
}
