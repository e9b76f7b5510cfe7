/**
 * The pure half of the Linux GPU bundle (scripts/bundle-linux-gpu.mjs): which files go in, how the
 * bundle's size is accounted against the 64 MiB that may be carried to the GPU host, and the
 * launcher script. The file system, tar, xz and apt-get live in bundle-linux-gpu.ts.
 */

/** The most the bundle may weigh: what the GPU host accepts carried in. */
export const BUNDLE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The Debian packages that bring the Vulkan loader (and the GL dispatch libraries Dawn opens). */
export const VULKAN_DEBS: readonly string[] = [
  'libvulkan1',
  'libegl1',
  'libglvnd0',
  'libopengl0',
  'libgl1',
  'libglx0',
  'libgles2',
];

/** Where the NVIDIA driver keeps its Vulkan ICD manifest on the GPU hosts we borrow. */
export const NVIDIA_ICD_PATH = '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json';

/** The ONNX Runtime native files for linux-x64, as onnxruntime-node ships them. */
const ORT_NATIVE_DIR = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/';

const JS_FILE = /\.(?:js|cjs|mjs|json)$/;

/**
 * Whether a repo-relative path ('/'-separated) belongs in app.tar.xz. Only what the CLI, the
 * engine host and the lane runner load at run time on linux-x64 glibc: built JS without maps, the
 * two native packages' JS and their linux-x64 binaries, and the demo models.
 */
export function keepAppFile(rel: string): boolean {
  if (rel.startsWith('dist/')) {
    return /^dist\/(?:cli|engine|gpu-lane)\/.+\.js$/.test(rel);
  }
  if (rel.startsWith('node_modules/onnxruntime-node/')) {
    return (
      rel === 'node_modules/onnxruntime-node/package.json' ||
      /^node_modules\/onnxruntime-node\/dist\/[^/]+\.js$/.test(rel) ||
      (rel.startsWith(ORT_NATIVE_DIR) && !rel.slice(ORT_NATIVE_DIR.length).includes('/'))
    );
  }
  if (rel.startsWith('node_modules/onnxruntime-common/')) {
    return (
      rel === 'node_modules/onnxruntime-common/package.json' ||
      (rel.startsWith('node_modules/onnxruntime-common/dist/') && JS_FILE.test(rel))
    );
  }
  if (rel.startsWith('node_modules/koffi/')) {
    // koffi's loader finds its binary in @koromix/koffi-<platform>; its C++ sources, vendored
    // headers and cnoke (the from-source build tool) are only for building it.
    const inner = rel.slice('node_modules/koffi/'.length);
    return JS_FILE.test(inner) && !/^(?:vendor|doc|build)\//.test(inner) && inner !== 'cnoke.cjs';
  }
  if (rel.startsWith('node_modules/@koromix/koffi-linux-x64/')) {
    const inner = rel.slice('node_modules/@koromix/koffi-linux-x64/'.length);
    return inner === 'package.json' || inner === 'index.js' || inner === 'linux_x64/koffi.node';
  }
  if (rel.startsWith('models/')) {
    const inner = rel.slice('models/'.length);
    return (
      inner === 'corpus.json' ||
      /^[^/]+\.onnx$/.test(inner) ||
      inner.startsWith('with-external-data/') ||
      /^loop\/[^/]+\.onnx$/.test(inner)
    );
  }
  return false;
}

/** One part of the bundle and its size. */
export interface SizedPart {
  name: string;
  bytes: number;
}

/** Bytes as people read them: "23.0 MiB", "512.0 KiB", "17 B". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** The bundle's size, part by part, against the limit. */
export interface SizeReport {
  totalBytes: number;
  limitBytes: number;
  withinLimit: boolean;
  /** One line per part, largest first, then the total. */
  lines: string[];
}

/** Adds up the parts and says whether they fit under `limitBytes`. */
export function sizeReport(
  parts: readonly SizedPart[],
  limitBytes = BUNDLE_LIMIT_BYTES,
): SizeReport {
  const totalBytes = parts.reduce((sum, p) => sum + p.bytes, 0);
  const width = Math.max(5, ...parts.map((p) => p.name.length));
  const lines = [...parts]
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
    .map((p) => `  ${p.name.padEnd(width)}  ${formatBytes(p.bytes).padStart(10)}`);
  const withinLimit = totalBytes <= limitBytes;
  lines.push(
    `  ${'total'.padEnd(width)}  ${formatBytes(totalBytes).padStart(10)}  (${((100 * totalBytes) / limitBytes).toFixed(1)}% of ${formatBytes(limitBytes)}${withinLimit ? '' : ', OVER THE LIMIT'})`,
  );
  return { totalBytes, limitBytes, withinLimit, lines };
}

/** What the launcher needs to know about the bundle it starts. */
export interface RunShOptions {
  /** The commit the bundle was built from (or 'unknown'). */
  commit: string;
  /** A short hash of node.xz and app.tar.xz: the unpack folder's name, so a new bundle never reuses an old unpack. */
  stamp: string;
}

/**
 * run.sh, the launcher carried with the bundle. It unpacks node and the app once into a folder
 * named by the bundle's stamp, adds the Vulkan loader from debs/ only where the host has none but
 * does have NVIDIA's Vulkan driver, points the loader at that driver, and runs the CLI (or, for
 * `test-gpu`, the lane runner) with its own node, never one found on PATH.
 */
export function renderRunSh(opts: RunShOptions): string {
  if (!/^[0-9a-zA-Z._-]+$/.test(opts.stamp))
    throw new Error(`bundle stamp "${opts.stamp}" is not a plain name`);
  if (!/^[0-9a-zA-Z._-]+$/.test(opts.commit))
    throw new Error(`commit "${opts.commit}" is not a plain name`);
  return `#!/usr/bin/env bash
# Crucible GPU lane launcher, generated by scripts/bundle-linux-gpu.mjs from commit ${opts.commit}.
#   run.sh [crucible args...]       the crucible CLI (gpu, inspect, run, conformance ...)
#   run.sh test-gpu --out DIR       the GPU test lane; writes report.json and summary.md to DIR
# Needs bash, tar and xz (or python3); no Node.js, no network. Unpacks once into
# \${CRUCIBLE_BUNDLE_HOME:-\${TMPDIR:-/tmp}/crucible-bundle-${opts.stamp}}.
set -euo pipefail

here="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
base="\${CRUCIBLE_BUNDLE_HOME:-\${TMPDIR:-/tmp}/crucible-bundle-${opts.stamp}}"

say() { printf 'run.sh: %s\\n' "$*" >&2; }

unxz_to_stdout() {
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$1"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  else
    say "cannot unpack $1: neither xz nor python3 is installed"
    exit 1
  fi
}

mib() { echo "$(( ($1 + 524288) / 1048576 ))"; }

bundle_bytes=0
for f in "$here"/node.xz "$here"/app.tar.xz "$here"/debs/*.deb; do
  [ -f "$f" ] || continue
  n=$(wc -c < "$f")
  bundle_bytes=$((bundle_bytes + n))
done
say "bundle: node.xz $(mib "$(wc -c < "$here/node.xz")") MiB, app.tar.xz $(mib "$(wc -c < "$here/app.tar.xz")") MiB, total $(mib "$bundle_bytes") MiB (commit ${opts.commit})"

if [ ! -f "$base/.complete" ]; then
  tmp="$base.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin"
  unxz_to_stdout "$here/node.xz" > "$tmp/bin/node"
  chmod 755 "$tmp/bin/node"
  unxz_to_stdout "$here/app.tar.xz" | tar -x -C "$tmp"
  touch "$tmp/.complete"
  rm -rf "$base"
  mv "$tmp" "$base"
  say "unpacked into $base ($(du -sm "$base" | cut -f1) MiB)"
fi
node="$base/bin/node"

has_vulkan_loader() {
  if command -v ldconfig >/dev/null 2>&1; then
    # Not grep -q: it would stop reading early, ldconfig would die of SIGPIPE, and pipefail would
    # turn a found loader into a missing one.
    ldconfig -p 2>/dev/null | grep 'libvulkan\\.so\\.1' >/dev/null
  else
    [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ] || [ -e /usr/lib64/libvulkan.so.1 ]
  fi
}

icd=""
for f in ${NVIDIA_ICD_PATH} /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$f" ]; then icd="$f"; break; fi
done

if ! has_vulkan_loader; then
  if [ -z "$icd" ]; then
    say "no Vulkan loader and no NVIDIA Vulkan driver here: leaving the system as it is (WebGPU will report why it is unavailable)"
  elif [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null 2>&1; then
    for f in "$here"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
    say "installed the Vulkan loader from debs/ (the host had no libvulkan.so.1)"
  elif command -v dpkg >/dev/null 2>&1; then
    sysroot="$base/sysroot"
    mkdir -p "$sysroot"
    for f in "$here"/debs/*.deb; do dpkg -x "$f" "$sysroot"; done
    export LD_LIBRARY_PATH="$sysroot/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "Vulkan loader from debs/ unpacked into $sysroot (not root: used through LD_LIBRARY_PATH)"
  else
    say "no Vulkan loader here and no dpkg to unpack debs/: WebGPU will report why it is unavailable"
  fi
fi

if [ -f ${NVIDIA_ICD_PATH} ] && [ -z "\${VK_DRIVER_FILES:-}" ]; then
  export VK_DRIVER_FILES=${NVIDIA_ICD_PATH}
fi

export PATH="$base/bin:$PATH"
say "node $("$node" --version) at $node"
if [ "\${1:-}" = test-gpu ]; then
  shift
  exec "$node" "$base/dist/gpu-lane/test-gpu.js" "$@"
fi
exec "$node" "$base/dist/cli/crucible.js" "$@"
`;
}
