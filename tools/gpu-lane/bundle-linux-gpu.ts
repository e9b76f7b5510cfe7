/**
 * Builds the portable Linux GPU bundle in .gpu/bundle/ (see README.md): node.xz, app.tar.xz, the
 * Vulkan loader .debs and run.sh, at most 64 MiB in all. Run through scripts/bundle-linux-gpu.mjs
 * after `node scripts/build.mjs`. The pure decisions (what goes in, size accounting, the launcher)
 * are in bundle-plan.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../../src-main/engine/cache/hash';
import { CONFORMANCE_SUBSET, SYSTEM_CONFORMANCE_ROOT } from './conformance-subset';
import {
  BUNDLE_LIMIT_BYTES,
  VULKAN_DEBS,
  formatBytes,
  keepAppFile,
  renderRunSh,
  sizeReport,
  type SizedPart,
} from './bundle-plan';

/** Options of one bundle build. */
export interface BundleOptions {
  /** The repository root. */
  root: string;
  /** The node binary to carry: the official self-contained build (default: this one). */
  nodeBinary?: string;
  /** The ONNX `node` conformance data set to take the subset from. */
  conformanceRoot?: string;
  /** xz preset for node.xz: measured on Node 20.20.2 x64 (98.9 MB), -6 gives 24.09 MB in 64 s and -9 23.90 MB in 224 s, so -6. */
  nodeXzLevel?: number;
  log?: (line: string) => void;
}

/** What was built. */
export interface BundleResult {
  dir: string;
  commit: string;
  totalBytes: number;
  parts: SizedPart[];
}

/** The dist/ entry points the bundle cannot work without. */
const REQUIRED_DIST = [
  'dist/cli/crucible.js',
  'dist/engine/engine-host.js',
  'dist/gpu-lane/test-gpu.js',
];

/** Folders walked for app files (keepAppFile picks inside them). */
const APP_SOURCES = [
  'dist',
  'node_modules/onnxruntime-node',
  'node_modules/onnxruntime-common',
  'node_modules/koffi',
  'node_modules/@koromix/koffi-linux-x64',
  'models',
];

/** Every file under `dir`, as paths relative to `base` with '/' separators, sorted. */
function walk(base: string, dir: string): string[] {
  const out: string[] = [];
  const abs = path.join(base, dir);
  if (!fs.existsSync(abs)) return out;
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...walk(base, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** Runs `file args` with stdin from `input` (a stream) or nothing, stdout into the file `output`. */
function runToFile(
  file: string,
  args: string[],
  output: string,
  input?: NodeJS.ReadableStream,
): Promise<void> {
  const child = spawn(file, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
  if (input && child.stdin) input.pipe(child.stdin);
  const sink = fs.createWriteStream(output);
  child.stdout?.pipe(sink);
  const written = new Promise<void>((resolve, reject) => {
    sink.on('close', resolve);
    sink.on('error', reject);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`${file} could not be started: ${err.message}`)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${file} ${args.join(' ')} failed with exit code ${code}`)),
    );
  });
  return Promise.all([written, exited]).then(() => undefined);
}

/** tar of `dir`'s contents (stable order and owners, so equal inputs give equal archives) | xz. */
function tarXz(dir: string, output: string, level: number, mtime: number): Promise<void> {
  const tar = spawn(
    'tar',
    [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--mtime=@${mtime}`,
      '-C',
      dir,
      '-cf',
      '-',
      '.',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const tarDone = new Promise<void>((resolve, reject) => {
    tar.on('error', (err) => reject(new Error(`tar could not be started: ${err.message}`)));
    tar.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar failed with exit code ${code}`)),
    );
  });
  return Promise.all([
    tarDone,
    runToFile('xz', [`-${level}`, '-T1', '-c'], output, tar.stdout),
  ]).then(() => undefined);
}

/**
 * node.xz, compressed once per node binary and kept in .gpu/cache/ (xz -9 of 99 MB takes minutes
 * on a busy machine, and the binary rarely changes).
 */
async function nodeXz(
  nodeBinary: string,
  cacheDir: string,
  level: number,
  log: (l: string) => void,
): Promise<string> {
  const st = fs.statSync(nodeBinary);
  const version = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
  const cached = path.join(
    cacheDir,
    `node-${version}-${st.size}-${Math.round(st.mtimeMs)}-xz${level}.xz`,
  );
  if (!fs.existsSync(cached)) {
    log(`compressing ${nodeBinary} (${version}, ${formatBytes(st.size)}) with xz -${level} …`);
    const started = Date.now();
    const partial = `${cached}.partial`;
    await runToFile('xz', [`-${level}`, '-T1', '-c', nodeBinary], partial);
    fs.renameSync(partial, cached);
    log(
      `  → ${formatBytes(fs.statSync(cached).size)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  return cached;
}

/**
 * The Vulkan loader .debs, kept in .gpu/debs/ and fetched with apt-get only when one is missing.
 * apt-get's own lists go to .gpu/apt-lists/ so the system's are never touched.
 */
function vulkanDebs(root: string, log: (l: string) => void): string[] {
  const cache = path.join(root, '.gpu', 'debs');
  fs.mkdirSync(cache, { recursive: true });
  const present = () => fs.readdirSync(cache).filter((f) => f.endsWith('.deb'));
  const missing = () =>
    VULKAN_DEBS.filter((pkg) => !present().some((f) => f.startsWith(`${pkg}_`)));
  if (missing().length > 0) {
    log(`fetching ${missing().join(' ')} with apt-get into ${cache} …`);
    const lists = path.join(root, '.gpu', 'apt-lists');
    fs.mkdirSync(path.join(lists, 'partial'), { recursive: true });
    const o = [
      '-oAPT::Architecture=amd64',
      '-oAPT::Architectures=amd64',
      `-oDir::State::Lists=${lists}`,
    ];
    try {
      execFileSync('apt-get', [...o, 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync('apt-get', [...o, 'download', ...missing()], {
        cwd: cache,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } catch (err) {
      throw new Error(
        `could not fetch the Vulkan loader .debs with apt-get: ${(err as Error).message}`,
      );
    }
    const still = missing();
    if (still.length > 0)
      throw new Error(`apt-get did not download ${still.join(', ')} into ${cache}`);
  }
  return present()
    .sort()
    .map((f) => path.join(cache, f));
}

/** Builds .gpu/bundle/ and returns what it holds. Throws (loudly) when over 64 MiB. */
export async function buildLinuxGpuBundle(opts: BundleOptions): Promise<BundleResult> {
  const root = opts.root;
  const log = opts.log ?? ((l: string) => console.log(l));
  const nodeBinary = opts.nodeBinary ?? process.execPath;
  const conformanceRoot = opts.conformanceRoot ?? SYSTEM_CONFORMANCE_ROOT;
  const started = Date.now();

  const missingDist = REQUIRED_DIST.filter((f) => !fs.existsSync(path.join(root, f)));
  if (missingDist.length > 0) {
    throw new Error(
      `missing ${missingDist.join(', ')}: run \`node scripts/build.mjs\` first (or wait until those entry points exist)`,
    );
  }
  const missingCases = CONFORMANCE_SUBSET.filter(
    (c) => !fs.existsSync(path.join(conformanceRoot, c, 'model.onnx')),
  );
  if (missingCases.length > 0) {
    throw new Error(
      `${missingCases.length} conformance case(s) missing under ${conformanceRoot} (first: ${missingCases[0]}); install Debian's libonnx-testdata`,
    );
  }

  const commit = git(root, ['rev-parse', 'HEAD']) ?? 'unknown';
  const commitTime = Number(git(root, ['log', '-1', '--format=%ct']) ?? '0') || 0;
  const dirtyPaths = (
    git(root, ['status', '--porcelain', '--', 'src-main', 'models', 'scripts', 'package.json']) ??
    ''
  )
    .split('\n')
    .filter(Boolean).length;

  const gpuDir = path.join(root, '.gpu');
  const stage = path.join(gpuDir, 'stage');
  const out = path.join(gpuDir, 'bundle');
  const cache = path.join(gpuDir, 'cache');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  fs.mkdirSync(path.join(out, 'debs'), { recursive: true });
  fs.mkdirSync(cache, { recursive: true });

  // The app tree: selected repo files, the conformance subset, and BUNDLE.json.
  const appFiles = APP_SOURCES.flatMap((dir) => walk(root, dir)).filter(keepAppFile);
  let appBytes = 0;
  for (const rel of appFiles) {
    const to = path.join(stage, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(root, rel), to);
    appBytes += fs.statSync(to).size;
  }
  let conformanceBytes = 0;
  for (const name of CONFORMANCE_SUBSET) {
    for (const rel of walk(conformanceRoot, name)) {
      const to = path.join(stage, 'conformance', 'node', rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(conformanceRoot, rel), to);
      conformanceBytes += fs.statSync(to).size;
    }
  }
  const ortPkg = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8'),
  ) as {
    version: string;
  };
  const nodeVersion = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
  const meta = {
    commit,
    dirtyPaths,
    builtAt: new Date().toISOString(),
    node: nodeVersion,
    onnxruntimeNode: ortPkg.version,
    conformanceCases: CONFORMANCE_SUBSET.length,
    files: appFiles.length,
  };
  fs.writeFileSync(path.join(stage, 'BUNDLE.json'), `${JSON.stringify(meta, null, 2)}\n`);
  log(
    `app: ${appFiles.length} files (${formatBytes(appBytes)}), conformance subset: ${CONFORMANCE_SUBSET.length} cases (${formatBytes(conformanceBytes)}), commit ${commit}${dirtyPaths ? ` with ${dirtyPaths} uncommitted path(s)` : ''}`,
  );

  log('compressing app.tar.xz with xz -9 …');
  const appXz = path.join(out, 'app.tar.xz');
  await tarXz(stage, appXz, 9, commitTime);
  fs.rmSync(stage, { recursive: true, force: true });

  const nodeXzFile = path.join(out, 'node.xz');
  fs.copyFileSync(await nodeXz(nodeBinary, cache, opts.nodeXzLevel ?? 6, log), nodeXzFile);

  const debs = vulkanDebs(root, log);
  for (const deb of debs) fs.copyFileSync(deb, path.join(out, 'debs', path.basename(deb)));

  const stamp = createHash('sha256')
    .update(await sha256File(nodeXzFile))
    .update(await sha256File(appXz))
    .digest('hex')
    .slice(0, 12);
  const runSh = path.join(out, 'run.sh');
  fs.writeFileSync(runSh, renderRunSh({ commit: commit.slice(0, 12), stamp }), { mode: 0o755 });

  const parts: SizedPart[] = [
    { name: 'node.xz', bytes: fs.statSync(nodeXzFile).size },
    { name: 'app.tar.xz', bytes: fs.statSync(appXz).size },
    ...debs.map((d) => ({ name: `debs/${path.basename(d)}`, bytes: fs.statSync(d).size })),
    { name: 'run.sh', bytes: fs.statSync(runSh).size },
  ];
  const report = sizeReport(parts, BUNDLE_LIMIT_BYTES);
  log(`.gpu/bundle/ (${((Date.now() - started) / 1000).toFixed(0)} s):`);
  for (const line of report.lines) log(line);
  if (!report.withinLimit) {
    throw new Error(
      `the bundle is ${formatBytes(report.totalBytes)}, over the ${formatBytes(BUNDLE_LIMIT_BYTES)} that can be carried to the GPU host`,
    );
  }
  return { dir: out, commit, totalBytes: report.totalBytes, parts };
}
