#!/usr/bin/env bash
# One GPU call of named crucible commands, so each recorded figure names its command in the call
# itself: bash scripts/gpu-steps.sh OUT 'NAME=ARGS' ...
# Each step runs `crucible ARGS` through the bundle (.gpu/bundle/, `npm run bundle:linux-gpu`),
# in order; `@M` in ARGS is the bundle's models/ folder. Its stdout goes to NAME.json, its stderr
# to NAME.err; steps.log lists every step with its exit code. Everything is packed into
# OUT/steps.tgz after every step (a device call brings back few files, and one cut short by its
# time limit still brings back what ran). All steps share one data folder, as the app's would.
# Read-only on the GPU: nvidia-smi queries and NVML reads only; nothing here changes a setting.
set -u
OUT=${1:?usage: gpu-steps.sh OUT 'NAME=crucible args' ...}
shift
W=$(mktemp -d)
B=.gpu/bundle/run.sh
export CRUCIBLE_BUNDLE_HOME=${CRUCIBLE_BUNDLE_HOME:-$(mktemp -d)/bundle}
export CRUCIBLE_DATA_DIR=${CRUCIBLE_DATA_DIR:-$(mktemp -d)}
M=$CRUCIBLE_BUNDLE_HOME/models
mkdir -p "$OUT"
pack() { tar -C "$W" -czf "$OUT/steps.tgz.partial" . && mv "$OUT/steps.tgz.partial" "$OUT/steps.tgz"; }
log() { echo "$(date -u +%T) $*" | tee -a "$W/steps.log"; pack; }
date -u +%FT%TZ > "$W/date.txt"
nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total,power.limit,power.draw,clocks.sm \
  --format=csv > "$W/nvidia-smi-query.csv" 2>&1
timeout 120 bash "$B" gpu --json > "$W/crucible-gpu.json" 2> "$W/crucible-gpu.err"
log "gpu rc=$?"
for step in "$@"; do
  name=${step%%=*}
  case "$name" in
    '' | *[!A-Za-z0-9._-]*) log "bad step name '$name' (letters, digits, . _ - only)"; continue ;;
  esac
  read -r -a argv <<< "${step#*=}"
  argv=("${argv[@]//@M/$M}")
  echo "crucible ${argv[*]}" > "$W/$name.cmd"
  timeout "${T:-180}" bash "$B" "${argv[@]}" > "$W/$name.json" 2> "$W/$name.err"
  log "$name rc=$?"
done
log done
