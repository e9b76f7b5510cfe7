/**
 * Settings that engine processes read from their environment when they start: the TensorRT-RTX
 * folder (engine/providers/trt-rtx.ts), ONNX Runtime's telemetry (engine/ort/env.ts) and the GPU
 * for GPU providers (engine/providers/gpu-choice.ts). Child processes inherit this process's
 * environment when they start, so the settings are kept there; a change that an engine process
 * only reads at start says so (the engine host is then restarted: services/compose.ts).
 */
import type { Settings } from '../ipc/contract';
import { encodeGpuChoice, GPU_CHOICE_VAR } from '../engine/providers/gpu-choice';

type EngineSettings = Pick<Settings, 'trtRtxDir' | 'ortTelemetry' | 'gpu'>;

/**
 * The variables for a set of settings (undefined: the variable is removed). `inheritedOrder` is the
 * CUDA_DEVICE_ORDER this process started with: with no GPU chosen it is what CUDA sees again.
 */
export function engineEnvFor(
  s: EngineSettings,
  inheritedOrder?: string,
): Record<string, string | undefined> {
  const gpu = s.gpu ? encodeGpuChoice(s.gpu) : null;
  return {
    CRUCIBLE_TRT_RTX_SETTING: s.trtRtxDir ?? undefined,
    CRUCIBLE_ORT_TELEMETRY: s.ortTelemetry ? '1' : undefined,
    [GPU_CHOICE_VAR]: gpu ?? undefined,
    // With a chosen GPU, CUDA numbers devices in PCI bus order, as the choice's device_id assumes.
    // Back to automatic: the order the user's own environment had (often none), not ours.
    CUDA_DEVICE_ORDER: gpu ? 'PCI_BUS_ID' : inheritedOrder,
  };
}

const REASONS: Record<string, string> = {
  CRUCIBLE_ORT_TELEMETRY: 'ONNX Runtime telemetry was turned on or off in Settings',
  [GPU_CHOICE_VAR]: 'the GPU for GPU providers changed in Settings',
  CRUCIBLE_TRT_RTX_SETTING: 'the TensorRT-RTX folder changed in Settings',
};

/** CUDA_DEVICE_ORDER of each environment as it was before the settings first touched it. */
const inherited = new WeakMap<NodeJS.ProcessEnv, string | undefined>();

/**
 * Puts the settings into `env` (default this process's); returns why the engine host must restart
 * (the first variable that changed, in words), or null when nothing it reads changed.
 */
export function applyEngineEnv(
  s: EngineSettings,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (!inherited.has(env)) inherited.set(env, env.CUDA_DEVICE_ORDER);
  let reason: string | null = null;
  for (const [name, value] of Object.entries(engineEnvFor(s, inherited.get(env)))) {
    if ((env[name] ?? undefined) === value) continue;
    if (value === undefined) delete env[name];
    else env[name] = value;
    reason ??= REASONS[name] ?? null;
  }
  return reason;
}
