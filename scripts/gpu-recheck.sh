#!/usr/bin/env bash
# The second GPU call of 2026-12-07, after fixes made from the first (scripts/gpu-issue-proofs.sh):
# IO binding with inputs resident on the device (session allocator), the amortised H2D / compute /
# D2H split, the settled idle baseline for energy, recorded CPU samples of a 16-core host (a clean
# verdict fixture). Everything lands in one
# archive, $OUT/recheck.tgz (a device call brings back few files).
# On the GPU host, in the repo root, with .gpu/bundle/ carried in: bash scripts/gpu-recheck.sh OUT
# Read-only on the GPU: nvidia-smi queries and NVML reads only; nothing here changes a setting.
set -u
OUT=${1:?usage: gpu-recheck.sh OUT}
W=$(mktemp -d)
B=.gpu/bundle/run.sh
P=${PROVIDER:-webgpu}
export CRUCIBLE_BUNDLE_HOME=${CRUCIBLE_BUNDLE_HOME:-$(mktemp -d)/bundle}
c() { timeout "${T:-60}" bash "$B" "$@"; }
pack() { tar -C "$W" -czf "$OUT/recheck.tgz.partial" . && mv "$OUT/recheck.tgz.partial" "$OUT/recheck.tgz"; }
# Packed after every step: a call cut short by its time limit still brings back what ran.
log() { echo "$(date -u +%T) $*" | tee -a "$W/steps.log"; pack; }
date -u +%FT%TZ > "$W/date.txt"
nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total,power.limit,power.draw,clocks.sm \
  --format=csv > "$W/nvidia-smi-query.csv" 2>&1
c gpu --json > "$W/crucible-gpu.json" 2> "$W/crucible-gpu.err"; log "gpu rc=$?"
D=$CRUCIBLE_BUNDLE_HOME/models
export CRUCIBLE_DATA_DIR=$(mktemp -d)
c bench "$D/mlp-tiny.onnx" --provider $P --mode iobinding --iterations 300 --warmup 30 --json \
  > "$W/mlp-tiny-iobinding.json" 2> "$W/mlp-tiny-iobinding.err"
log "mlp-tiny iobinding rc=$?"
for m in resnet-mini transformer-block; do
  c compile "$D/$m.onnx" --provider $P --json > "$W/compile-$m.json" 2> "$W/compile-$m.err"
  log "compile $m rc=$?"
  c bench "$D/$m.onnx" --provider $P --mode iobinding --iterations 1000 --warmup 50 \
    --percentile p99 --profile --json > "$W/trust-$m-$P-iobinding.json" 2> "$W/trust-$m.err"
  log "trust iobinding $m rc=$?"
  c bench "$D/$m.onnx" --provider $P --mode graph --iterations 1000 --warmup 50 \
    --percentile p99 --json > "$W/trust-$m-$P-graph.json" 2>> "$W/trust-$m.err"
  log "trust graph $m rc=$?"
  c bench --compare "$W/trust-$m-$P-iobinding.json" "$W/trust-$m-$P-graph.json" \
    > "$W/compare-$m-iobinding-vs-graph.txt" 2>> "$W/trust-$m.err"
  log "compare $m rc=$?"
  for v in original compiled; do
    flag=$([ $v = compiled ] && echo --compiled)
    c bench "$D/$m.onnx" --provider $P --mode iobinding $flag --iterations 300 --warmup 30 \
      --json > "$W/owner-$m-$v-iobinding.json" 2> "$W/owner-$m-$v-iobinding.err"
    log "owner bench $m $v iobinding rc=$?"
  done
  c convert "$D/$m.onnx" --to fp16 --json > "$W/convert-$m.json" 2> "$W/convert-$m.err"
  log "convert $m rc=$?"
  T=150 c compare-variants "$D/$m.onnx" --kind fp16 --provider $P --sets 8 --iterations 300 --json \
    > "$W/compare-variants-$m.json" 2> "$W/compare-variants-$m.err"
  log "compare-variants $m rc=$?"
  # #16's INT8 variant (dynamic quantization): where its nodes land on WebGPU, and its trade.
  c convert "$D/$m.onnx" --to int8 --json > "$W/convert-int8-$m.json" 2> "$W/convert-int8-$m.err"
  log "convert int8 $m rc=$?"
  V=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["variant"]["path"])' "$W/convert-int8-$m.json" 2>/dev/null)
  [ -n "$V" ] && c compile "$V" --provider $P --json > "$W/compile-int8-$m.json" 2> "$W/compile-int8-$m.err"
  log "compile int8 $m rc=$?"
  T=150 c compare-variants "$D/$m.onnx" --kind int8 --provider $P --sets 8 --iterations 300 --json \
    > "$W/compare-variants-int8-$m.json" 2> "$W/compare-variants-int8-$m.err"
  log "compare-variants int8 $m rc=$?"
  # The host's 16 cores, for a recorded CPU sample set (the verdict's clean fixture).
  c bench "$D/$m.onnx" --provider cpu --iterations 500 --warmup 50 --json \
    > "$W/cpu-$m.json" 2> "$W/cpu-$m.err"
  log "cpu bench $m rc=$?"
done
log done
pack
