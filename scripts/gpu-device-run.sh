#!/usr/bin/env bash
# What one GPU session of the device lane runs, so a recorded figure can name its command.
# On the GPU host, in the repo root, with .gpu/bundle/ carried in: bash scripts/gpu-device-run.sh OUT
# Read-only on the GPU: nvidia-smi queries and NVML reads only; nothing here changes a setting.
set -u
OUT=${1:?usage: gpu-device-run.sh OUT}
mkdir -p "$OUT"
B=.gpu/bundle/run.sh
c() { bash "$B" "$@"; }
date -u +%FT%TZ > "$OUT/date.txt"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
c gpu --json > "$OUT/crucible-gpu.json" 2> "$OUT/crucible-gpu.err"
D=$(ls -d /tmp/crucible-bundle-* | head -1)/models
for m in mlp-tiny resnet-mini transformer-block upscale2x; do
  for p in webgpu cpu; do
    for mode in plain iobinding graph; do
      c bench "$D/$m.onnx" --provider $p --mode $mode --iterations 200 --warmup 20 --json \
        > "$OUT/bench-$m-$p-$mode.json" 2> "$OUT/bench-$m-$p-$mode.err"
      echo "bench $m $p $mode rc=$?"
    done
  done
  # Compile into the cache, then session creation cold (no cache) vs warm (from the cache).
  c compile "$D/$m.onnx" --provider webgpu --json > "$OUT/compile-$m.json" 2> "$OUT/compile-$m.err"
  echo "compile $m rc=$?"
  for i in 1 2 3; do
    c run "$D/$m.onnx" --provider webgpu --no-cache --json > "$OUT/run-cold-$m-$i.json" 2>/dev/null
    c run "$D/$m.onnx" --provider webgpu --json > "$OUT/run-warm-$m-$i.json" 2>/dev/null
  done
done
# Issue #12: a CUDA-capable ONNX Runtime anywhere on this host? (The lent image carries Python's
# CPU onnxruntime; the CUDA EP would be libonnxruntime_providers_cuda.so.)
timeout 120 find / -xdev -name 'libonnxruntime_providers_cuda.so*' 2>/dev/null > "$OUT/cuda-ep-libs.txt"
echo "cuda EP libraries found: $(wc -l < "$OUT/cuda-ep-libs.txt")"
c run "$D/mlp-tiny.onnx" --provider cuda > "$OUT/run-cuda.out" 2> "$OUT/run-cuda.err"
echo "run cuda rc=$?"
# Through the one session owner: original vs compiled on WebGPU (the compile above filled the
# cache), each mode, then the app's switch-over (its own data folder: nothing compiled yet).
for m in resnet-mini transformer-block upscale2x; do
  for v in original compiled; do
    for mode in plain iobinding graph; do
      flag=$([ $v = compiled ] && echo --compiled)
      c bench "$D/$m.onnx" --provider webgpu --mode $mode $flag --iterations 200 --warmup 20 \
        --json > "$OUT/owner-$m-$v-$mode.json" 2> "$OUT/owner-$m-$v-$mode.err"
      echo "owner bench $m $v $mode rc=$?"
    done
  done
  CRUCIBLE_DATA_DIR=$(mktemp -d) c switch-over "$D/$m.onnx" --provider webgpu --json \
    > "$OUT/switch-over-$m.json" 2> "$OUT/switch-over-$m.err"
  echo "switch-over $m rc=$?"
done
# Issue #16: float16 variants of a conv net and a transformer block against the originals on
# WebGPU and CPU: error over 8 seeded input sets, latency (benchmark, 200 iterations), verdict.
P=$(mktemp -d)
for m in resnet-mini transformer-block; do
  CRUCIBLE_DATA_DIR=$P c convert "$D/$m.onnx" --to fp16 --json > "$OUT/convert-$m.json" 2> "$OUT/convert-$m.err"
  echo "convert $m rc=$?"
  CRUCIBLE_DATA_DIR=$P c compare-variants "$D/$m.onnx" --provider webgpu,cpu --sets 8 --iterations 200 \
    > "$OUT/compare-variants-$m.txt" 2> "$OUT/compare-variants-$m.err"
  echo "compare-variants $m rc=$?"
  CRUCIBLE_DATA_DIR=$P c compare-variants "$D/$m.onnx" --provider webgpu --sets 8 --iterations 200 --json \
    > "$OUT/compare-variants-$m.json" 2>> "$OUT/compare-variants-$m.err"
  # Where the fp16 variant's nodes land on WebGPU (nodes the EP lacks in float16 go to the CPU).
  V=$(grep -o '"path": "[^"]*\.fp16\.[^"]*"' "$OUT/convert-$m.json" | head -1 | cut -d'"' -f4)
  CRUCIBLE_DATA_DIR=$P c compile "$V" --provider webgpu --json > "$OUT/compile-fp16-$m.json" \
    2> "$OUT/compile-fp16-$m.err"
  echo "compile fp16 $m rc=$?"
done
# Issue #15: the loop benchmark (host round-trips vs device-resident vs graph replay), and the
# H2D / compute / D2H split with the verdict, energy and per-operator profile of a conv net and a
# transformer block on WebGPU (CPU beside for the loop).
for p in webgpu cpu; do
  c bench --loop "$D/loop/denoise-step.onnx" --provider $p --steps 200 --warmup 10 --json \
    > "$OUT/loop-$p.json" 2> "$OUT/loop-$p.err"
  echo "loop $p rc=$?"
done
for m in resnet-mini transformer-block; do
  c bench "$D/$m.onnx" --provider webgpu --mode iobinding --iterations 1000 --warmup 50 \
    --percentile p99 --profile --json > "$OUT/trust-$m-webgpu-iobinding.json" 2> "$OUT/trust-$m.err"
  echo "trust bench $m rc=$?"
  c bench "$D/$m.onnx" --provider webgpu --mode graph --iterations 1000 --warmup 50 \
    --percentile p99 --json > "$OUT/trust-$m-webgpu-graph.json" 2>> "$OUT/trust-$m.err"
  c bench --compare "$OUT/trust-$m-webgpu-iobinding.json" "$OUT/trust-$m-webgpu-graph.json" \
    > "$OUT/compare-$m-iobinding-vs-graph.txt" 2>> "$OUT/trust-$m.err"
  echo "compare $m rc=$?"
done
timeout 420 bash "$B" test-gpu --out "$OUT/lane" > "$OUT/lane.log" 2>&1
echo "lane rc=$?"
# The device returns only a few files: pack everything into one archive.
tar czf /tmp/gpu-run.tgz -C "$OUT" . && rm -rf "${OUT:?}"/* && mv /tmp/gpu-run.tgz "$OUT/gpu-run.tgz"
