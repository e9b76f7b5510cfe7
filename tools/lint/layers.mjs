// The layer rules every folder README writes down ("must not import …"), as one ESLint rule,
// `crucible/layers`. Each import (static, dynamic, re-export, require) is resolved against the
// importing file, so '../../engine/ort/x' and '../engine/ort/x' are the same target wherever they
// are written; the message says where the code should come from instead. eslint.config.mjs adds
// the rule to every TypeScript file; tools/lint/layers.test.ts proves each rule fires on a
// deliberate violation (tools/lint/fixtures/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Test files, test support and fixtures: some rules let them reach further (an oracle, a host). */
const TEST_FILE = /(\.test\.tsx?$|\.child\.ts$|test-support|test-helpers|test-models|\/fixtures\/)/;

const NODE_BUILTINS = new Set([
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'stream',
  'url',
  'util',
  'worker_threads',
  'zlib',
]);

/**
 * The rules. `files`: repo-relative prefixes a rule covers (`except`: prefixes it skips). A rule
 * forbids `modules` (bare package names; 'node:' stands for every Node built-in), `targets`
 * (repo-relative prefixes of resolved imports), or everything in `within` except `only`.
 * `tests: false` leaves test files out; `ownSubfolder` lets a file import its own first-level
 * subfolder of `targets` (one feature importing itself); `typesOk` lets `import type` through
 * (a rule about running code: types are erased). `import type` of a package never counts: it
 * loads nothing.
 */
export const LAYER_RULES = [
  {
    id: 'plain-node-no-electron',
    files: ['src-main/', 'tools/'],
    except: ['src-main/app/'],
    modules: ['electron'],
    message:
      'Only src-main/app/ (and its preload) import electron; everything else in src-main runs in plain Node (the CLI, browser mode, the engine host). Put Electron code in src-main/app/ and pass plain values in.',
  },
  {
    id: 'koffi-through-native',
    files: ['src-main/', 'tools/'],
    except: ['src-main/native/'],
    modules: ['koffi'],
    message:
      "Import koffi from src-main/native/koffi-setup.ts, never 'koffi' itself: it sets the native call stacks before the first library loads.",
  },
  {
    id: 'product-not-tools',
    files: ['src-main/', 'src-renderer/', 'models/'],
    targets: ['tools/'],
    message:
      'tools/ (GPU lane, security suite, bench script) is not product code: the app never imports it. Move what both need into src-main.',
  },
  {
    id: 'ipc-neutral',
    files: ['src-main/ipc/'],
    modules: ['node:', 'electron'],
    within: 'src-main/',
    only: ['src-main/ipc/', 'src-main/shared/'],
    message:
      'src-main/ipc/ is environment-neutral (the renderer imports it): only zod and src-main/shared/. Derive Node-side facts in services/ and publish them through the contract.',
  },
  {
    id: 'shared-neutral',
    files: ['src-main/shared/'],
    modules: ['node:', 'electron'],
    within: 'src-main/',
    only: ['src-main/shared/'],
    message:
      'src-main/shared/ imports nothing from the rest of src-main, and no Node or Electron: every layer (the renderer too) imports it.',
  },
  {
    id: 'native-bottom',
    files: ['src-main/native/'],
    within: 'src-main/',
    only: ['src-main/native/'],
    tests: false,
    message:
      'src-main/native/ sits below engine/ort and gpu/: it imports nothing else from src-main.',
  },
  {
    id: 'model-no-session',
    files: ['src-main/engine/model/'],
    modules: ['koffi'],
    targets: [
      'src-main/native/',
      'src-main/engine/ort/',
      'src-main/engine/session/',
      'src-main/engine/host/',
      'src-main/engine/compile/',
      'src-main/engine/bench/',
    ],
    message:
      'engine/model/ reads and builds models in plain JS: no FFI and nothing that runs a session. Let the caller (engine/host, engine/compile) run it.',
  },
  {
    id: 'model-ort-js-only-in-tests',
    files: ['src-main/engine/model/'],
    modules: ['onnxruntime-node'],
    tests: false,
    message:
      'onnxruntime-node is a test oracle in engine/model/ (ort-oracle.test.ts), never product code: Crucible runs ORT through engine/ort.',
  },
  {
    id: 'cache-no-ffi',
    files: ['src-main/engine/cache/'],
    modules: ['koffi'],
    targets: [
      'src-main/native/',
      'src-main/engine/ort/',
      'src-main/services/',
      'src-main/app/',
      'src-main/host/',
      'src-renderer/',
    ],
    message:
      'engine/cache/ is plain Node with no FFI, below services/, app/ and host/: take what it needs as arguments.',
    typesOk: true,
  },
  {
    id: 'conformance-no-shell',
    files: ['src-main/engine/conformance/'],
    targets: ['src-main/app/', 'src-renderer/'],
    message:
      'engine/conformance/ runs in plain Node (the CLI, the GPU lane): no app/ or renderer code.',
  },
  {
    id: 'conformance-ort-js',
    files: ['src-main/engine/conformance/'],
    except: [
      'src-main/engine/conformance/ort-js.ts',
      'src-main/engine/conformance/baseline-run.ts',
    ],
    modules: ['onnxruntime-node'],
    tests: false,
    message:
      "onnxruntime-node is loaded only by engine/conformance/ort-js.ts and baseline-run.ts's worker (lazily), never by `crucible conformance`.",
  },
  {
    id: 'ort-bottom',
    files: ['src-main/engine/ort/'],
    within: 'src-main/',
    only: [
      'src-main/engine/ort/',
      'src-main/engine/tensor',
      'src-main/native/',
      'src-main/shared/',
      'src-main/ipc/',
      'src-main/app-files/',
    ],
    message:
      'engine/ort/ is the bottom of the engine: only shared/, ipc/ (types), engine/tensor.ts, native/ and app-files/ (where ORT lives). Sessions, providers and services build on it, not the other way.',
  },
  {
    id: 'ffi-through-ort',
    files: ['src-main/engine/compile/', 'src-main/engine/providers/', 'src-main/engine/session/'],
    targets: ['src-main/native/'],
    message: 'FFI only through engine/ort/: call its typed wrappers, not koffi.',
  },
  {
    id: 'bench-engine-only',
    files: ['src-main/engine/bench/'],
    within: 'src-main/',
    only: [
      'src-main/engine/bench/',
      'src-main/engine/ort/',
      'src-main/engine/model/',
      'src-main/engine/providers/',
      'src-main/engine/session/',
      'src-main/engine/tensor',
      'src-main/shared/',
      'src-main/ipc/',
    ],
    tests: false,
    message:
      'engine/bench/ runs inside the engine host: only engine/ort, engine/model, engine/providers, engine/session, shared/ and ipc/ types. The main side (services/bench-service.ts) sends it a plan.',
  },
  {
    id: 'session-below-bench',
    files: ['src-main/engine/session/'],
    within: 'src-main/',
    only: [
      'src-main/engine/session/',
      'src-main/engine/ort/',
      'src-main/engine/model/',
      'src-main/engine/providers/',
      'src-main/engine/tensor',
      'src-main/shared/',
      'src-main/ipc/',
    ],
    tests: false,
    message:
      'engine/session/ opens sessions and decides their run path; engine/bench and engine/host build on it, not the other way: only engine/ort, engine/model, engine/providers, shared/ and ipc/ types.',
  },
  {
    id: 'gpu-alone',
    files: ['src-main/gpu/'],
    within: 'src-main/',
    only: ['src-main/gpu/', 'src-main/ipc/', 'src-main/shared/', 'src-main/native/'],
    targets: ['src-renderer/'],
    message:
      'gpu/ imports only ipc/contract (types), shared/, Node built-ins and koffi through native/koffi-setup.ts: the engine, services, store and CLI build on it.',
  },
  {
    id: 'gpu-lane-no-shell',
    files: ['tools/gpu-lane/'],
    targets: ['src-main/app/', 'src-main/host/', 'src-main/services/', 'src-renderer/'],
    message:
      'The GPU lane runs on a bare GPU host from the bundle: engine, gpu and shared only, no app/, host/, services/ or renderer.',
  },
  {
    id: 'preload-contract-only',
    files: ['src-main/app/preload/'],
    within: 'src-main/',
    only: ['src-main/ipc/', 'src-main/shared/', 'src-main/app/preload/'],
    message:
      "The sandboxed preload imports only 'electron' and the contract (src-main/ipc): everything else is bundled into a sandbox that cannot load it.",
  },
  {
    id: 'renderer-contract-only',
    files: ['src-renderer/'],
    modules: ['node:', 'electron'],
    within: 'src-main/',
    only: ['src-main/ipc/', 'src-main/shared/'],
    message:
      'The renderer runs in a sandboxed page: from the main side only src-main/ipc/ and src-main/shared/, no Node or Electron. Ask the main side through a contract channel.',
  },
  {
    id: 'ui-leaf',
    files: ['src-renderer/ui/'],
    targets: [
      'src-renderer/state/',
      'src-renderer/features/',
      'src-renderer/app/',
      'src-renderer/common/',
      'src-renderer/api/',
    ],
    message:
      'ui/ holds building blocks: only React, the contract and ipc/providers. Pass data in as props; stores, features and the app use ui/, not the other way.',
  },
  {
    id: 'features-no-shell',
    files: ['src-renderer/features/'],
    targets: ['src-renderer/app/'],
    message:
      'Features never import ../app (the shell imports every feature): useApi, ErrorNotice and routes are in src-renderer/common/.',
  },
  {
    id: 'features-apart',
    files: ['src-renderer/features/'],
    targets: ['src-renderer/features/'],
    ownSubfolder: true,
    message:
      'A feature never imports another feature: move what two features share to src-renderer/ui/ (building blocks, pure words) or src-renderer/common/ (useApi, ErrorNotice, routes).',
  },
  {
    id: 'state-no-components',
    files: ['src-renderer/state/'],
    modules: ['react', 'react-dom'],
    targets: [
      'src-renderer/features/',
      'src-renderer/app/',
      'src-renderer/common/',
      'src-renderer/ui/',
    ],
    message:
      'Stores hold state and actions only: no React components, features, common/ or the app. Components read stores, not the other way.',
  },
  {
    id: 'common-below-features',
    files: ['src-renderer/common/'],
    targets: ['src-renderer/state/', 'src-renderer/features/', 'src-renderer/app/'],
    message:
      'common/ is what the shell and every feature share: it never imports stores, features or the app.',
  },
  {
    id: 'api-contract-only',
    files: ['src-renderer/api/'],
    targets: [
      'src-renderer/state/',
      'src-renderer/features/',
      'src-renderer/app/',
      'src-renderer/common/',
      'src-renderer/ui/',
    ],
    message:
      'The renderer clients (api/) import only src-main/ipc and src-main/shared: they carry calls, and know nothing of stores or components.',
  },
];

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '/index.ts', '/index.tsx'];

/** The repo-relative path an import resolves to (with its file extension when one exists). */
function resolveTarget(fromFile, spec) {
  const abs = path.resolve(path.dirname(fromFile), spec);
  const found = EXTENSIONS.map((e) => abs + e).find((p) => existsSync(p));
  return path
    .relative(root, found ?? abs)
    .split(path.sep)
    .join('/');
}

function moduleName(spec) {
  if (spec.startsWith('node:')) return 'node:';
  if (NODE_BUILTINS.has(spec)) return 'node:';
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const startsWithAny = (s, prefixes) => prefixes.some((p) => s === p || s.startsWith(p));

/** Why `spec`, imported by repo-relative `file`, breaks `rule`; null when it does not. */
function violation(rule, file, absFile, spec, typeOnly) {
  if (typeOnly && rule.typesOk) return null;
  if (spec.startsWith('.')) {
    const target = resolveTarget(absFile, spec);
    if (rule.targets && startsWithAny(target, rule.targets)) {
      if (rule.ownSubfolder) {
        const base = rule.targets.find((t) => target.startsWith(t));
        const own = file.slice(base.length).split('/')[0];
        if (file.startsWith(base) && target.slice(base.length).split('/')[0] === own) return null;
      }
      return target;
    }
    if (rule.within && target.startsWith(rule.within) && !startsWithAny(target, rule.only ?? [])) {
      return target;
    }
    return null;
  }
  const name = moduleName(spec);
  return !typeOnly && rule.modules?.includes(name) ? spec : null;
}

/** The ESLint plugin: one rule, `layers`, reading {@link LAYER_RULES}. */
export const layersPlugin = {
  rules: {
    layers: {
      meta: {
        type: 'problem',
        docs: { description: "Folder READMEs' import rules (tools/lint/layers.mjs)" },
        schema: [],
        messages: { layer: "'{{what}}': {{message}} [{{id}}]" },
      },
      create(context) {
        const absFile = context.filename;
        const file = path.relative(root, absFile).split(path.sep).join('/');
        const isTest = TEST_FILE.test(file);
        const rules = LAYER_RULES.filter(
          (r) =>
            startsWithAny(file, r.files) &&
            !startsWithAny(file, r.except ?? []) &&
            !(r.tests === false && isTest),
        );
        if (rules.length === 0) return {};
        const check = (node, source) => {
          if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
          const typeOnly =
            node.importKind === 'type' ||
            node.exportKind === 'type' ||
            (node.specifiers?.length > 0 && node.specifiers.every((x) => x.importKind === 'type'));
          for (const rule of rules) {
            const what = violation(rule, file, absFile, source.value, typeOnly);
            if (what !== null) {
              context.report({
                node,
                messageId: 'layer',
                data: { what, message: rule.message, id: rule.id },
              });
            }
          }
        };
        return {
          ImportDeclaration: (n) => check(n, n.source),
          ExportNamedDeclaration: (n) => check(n, n.source),
          ExportAllDeclaration: (n) => check(n, n.source),
          ImportExpression: (n) => check(n, n.source),
          CallExpression: (n) => {
            if (n.callee.type === 'Identifier' && n.callee.name === 'require') {
              check(n, n.arguments[0]);
            }
          },
        };
      },
    },
  },
};

/** The flat-config entry eslint.config.mjs spreads in. */
export const layersConfig = {
  files: ['**/*.{ts,tsx,mts,cts}'],
  plugins: { crucible: layersPlugin },
  rules: { 'crucible/layers': 'error' },
};
