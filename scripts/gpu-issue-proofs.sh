#!/usr/bin/env bash
# The GPU proofs of issues #12, #14, #15 and #16 in one device call that fits a 10-minute limit:
# the subset of gpu-device-run.sh that is new this round (no old per-model sweep, no lane).
# On the GPU host, in the repo root, with .gpu/bundle/ carried in: bash scripts/gpu-issue-proofs.sh OUT
# Read-only on the GPU: nvidia-smi queries and NVML reads only; nothing here changes a setting.
set -u
OUT=${1:?usage: gpu-issue-proofs.sh OUT}
mkdir -p "$OUT"
B=.gpu/bundle/run.sh
# PROVIDER=cpu gives a dry run of every command on a machine without a GPU (argument errors show
# up there, not in a scarce device call).
P=${PROVIDER:-webgpu}
export CRUCIBLE_BUNDLE_HOME=${CRUCIBLE_BUNDLE_HOME:-$(mktemp -d)/bundle}
c() { timeout "${T:-60}" bash "$B" "$@"; }
log() { echo "$(date -u +%T) $*" | tee -a "$OUT/steps.log"; }
date -u +%FT%TZ > "$OUT/date.txt"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total,power.limit,clocks.sm \
  --format=csv > "$OUT/nvidia-smi-query.csv" 2>&1
# #12: is there a CUDA-capable ONNX Runtime anywhere on this host? (Python's `onnxruntime` is the
# CPU package by its name; the CUDA EP would be libonnxruntime_providers_cuda.so.)
timeout 25 find /usr /opt /root /home /usr/local -xdev \( -name 'libonnxruntime_providers_cuda.so*' -o -name 'libonnxruntime_providers_tensorrt*.so*' \
  -o -name 'libonnxruntime.so*' -o -name 'onnxruntime_pybind11_state*.so' \) 2>/dev/null > "$OUT/ort-libs.txt"
python3 -c 'import onnxruntime as o; print(o.__version__, o.__file__, o.get_available_providers())' \
  > "$OUT/python-ort.txt" 2>&1
log "ort libs: $(wc -l < "$OUT/ort-libs.txt") found; python: $(cat "$OUT/python-ort.txt" | tail -1)"
# #14/#12: what the app says about each provider on this GPU (TensorRT-RTX on compute capability 9.0).
c gpu --json > "$OUT/crucible-gpu.json" 2> "$OUT/crucible-gpu.err"; log "gpu rc=$?"
D=$CRUCIBLE_BUNDLE_HOME/models
export CRUCIBLE_DATA_DIR=$(mktemp -d)
c run "$D/mlp-tiny.onnx" --provider cuda > "$OUT/run-cuda.out" 2> "$OUT/run-cuda.err"
log "run cuda rc=$? $(head -c 300 "$OUT/run-cuda.err")"
# #12 item 4: the GPU chosen by its PCI bus id (Settings → GPU sets CRUCIBLE_GPU): WebGPU attached
# through that GPU's EP device; a bus id with no GPU is refused before any session opens.
bus=$(nvidia-smi --query-gpu=pci.bus_id --format=csv,noheader 2>/dev/null | head -1)
CRUCIBLE_GPU="pci:$bus" c run "$D/mlp-tiny.onnx" --provider $P --json > "$OUT/gpu-choice-run.json" 2> "$OUT/gpu-choice-run.err"
log "gpu choice pci:$bus run rc=$?"
CRUCIBLE_GPU="pci:0000:fe:00.0" c run "$D/mlp-tiny.onnx" --provider $P > "$OUT/gpu-choice-absent.out" 2> "$OUT/gpu-choice-absent.err"
log "gpu choice absent rc=$? $(tail -c 300 "$OUT/gpu-choice-absent.err")"
# #13: every session may now run synchronously (engine host logs to stderr): the tiny model on
# WebGPU plain and IO binding, to hold against the earlier figures (its latency must still include
# the GPU's work: the runner reads an output back).
for mode in plain iobinding; do
  c bench "$D/mlp-tiny.onnx" --provider $P --mode $mode --iterations 300 --warmup 30 --json \
    > "$OUT/sync-mlp-tiny-$mode.json" 2> "$OUT/sync-mlp-tiny-$mode.err"
  log "sync bench mlp-tiny $mode rc=$?"
done
# Most telling first (a short device call still brings them back): resnet-mini through every
# issue's proof, then transformer-block.
for m in resnet-mini transformer-block; do
  # #12: original vs compiled through the one session owner, each mode; then the switch-over.
  c compile "$D/$m.onnx" --provider $P --json > "$OUT/compile-$m.json" 2> "$OUT/compile-$m.err"
  log "compile $m rc=$?"
  for mode in plain iobinding graph; do
    for v in original compiled; do
      flag=$([ $v = compiled ] && echo --compiled)
      c bench "$D/$m.onnx" --provider $P --mode $mode $flag --iterations 300 --warmup 30 \
        --json > "$OUT/owner-$m-$v-$mode.json" 2> "$OUT/owner-$m-$v-$mode.err"
      log "owner bench $m $v $mode rc=$?"
    done
  done
  CRUCIBLE_DATA_DIR=$(mktemp -d) c switch-over "$D/$m.onnx" --provider $P --json \
    > "$OUT/switch-over-$m.json" 2> "$OUT/switch-over-$m.err"
  log "switch-over $m rc=$?"
  # #15: the loop benchmark once; the H2D / compute / D2H split, verdict, energy and profile;
  # IO binding against graph replay.
  if [ $m = resnet-mini ]; then
    c bench --loop "$D/loop/denoise-step.onnx" --provider $P --steps 200 --warmup 10 --json \
      > "$OUT/loop-$P.json" 2> "$OUT/loop-$P.err"
    log "loop webgpu rc=$?"
  fi
  c bench "$D/$m.onnx" --provider $P --mode iobinding --iterations 1000 --warmup 50 \
    --percentile p99 --profile --json > "$OUT/trust-$m-$P-iobinding.json" 2> "$OUT/trust-$m.err"
  log "trust iobinding $m rc=$?"
  c bench "$D/$m.onnx" --provider $P --mode graph --iterations 1000 --warmup 50 \
    --percentile p99 --json > "$OUT/trust-$m-$P-graph.json" 2>> "$OUT/trust-$m.err"
  log "trust graph $m rc=$?"
  c bench --compare "$OUT/trust-$m-$P-iobinding.json" "$OUT/trust-$m-$P-graph.json" \
    > "$OUT/compare-$m-iobinding-vs-graph.txt" 2>> "$OUT/trust-$m.err"
  log "compare $m rc=$?"
  # #16: the float16 variant against the original on WebGPU: error over 8 seeded input sets, latency.
  c convert "$D/$m.onnx" --to fp16 --json > "$OUT/convert-$m.json" 2> "$OUT/convert-$m.err"
  log "convert $m rc=$?"
  T=150 c compare-variants "$D/$m.onnx" --provider $P --sets 8 --iterations 300 --json \
    > "$OUT/compare-variants-$m.json" 2> "$OUT/compare-variants-$m.err"
  log "compare-variants $m rc=$?"
done
log done
