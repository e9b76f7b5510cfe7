/**
 * Provider installs (providers:install-trt-rtx) and where the TensorRT-RTX plugin library is: an
 * archive the user chose is unpacked into <userData>/providers/trt-rtx, put to ONNX Runtime in a
 * compile worker (does it register, does it offer a device), and remembered in Settings.
 */
import type { GpuSnapshot, ProviderId, Settings } from '../ipc/contract';
import { probeEpLibrary, type SpawnWorker } from '../engine/compile/runner';
import { PROVIDERS, TRT_RTX_NO_DEVICE_REASON } from '../engine/providers/catalog';
import { installTrtRtxFromArchive } from '../engine/providers/install';
import { findTrtRtxLibrary } from '../engine/providers/trt-rtx';
import { trtRtxNeeds } from '../gpu/arch';
import { AppError } from '../shared/errors';
import type { Handlers } from './dispatch';

/** What the provider install needs. */
export interface ProviderInstallDeps {
  /** Where archives are installed: <userData>/providers/trt-rtx. */
  trtRtxInstallDir: string;
  settings: { get(): Settings; set(patch: Partial<Settings>): Promise<Settings> };
  spawnWorker: SpawnWorker;
  /** The GPUs and driver, for the verdict when the plugin registers but offers no device. */
  gpu: { snapshot(): Promise<GpuSnapshot> };
  env?: NodeJS.ProcessEnv;
}

/** Installs provider libraries and says where the installed one is. */
export class ProviderInstall {
  constructor(private readonly deps: ProviderInstallDeps) {}

  /**
   * The plugin library a compile worker registers for a provider: null for providers built into
   * ORT; PROVIDER_UNAVAILABLE when TensorRT-RTX's library is not installed.
   */
  epLibrary(provider: ProviderId): { name: string; path: string } | null {
    if (provider !== 'nv-tensorrt-rtx') return null;
    const setting = this.deps.settings.get().trtRtxDir;
    const file = findTrtRtxLibrary({
      ...(this.deps.env ?? process.env),
      ...(setting ? { CRUCIBLE_TRT_RTX_SETTING: setting } : {}),
    });
    if (file) return { name: PROVIDERS[provider].ortName, path: file };
    throw new AppError(
      'PROVIDER_UNAVAILABLE',
      'the TensorRT-RTX provider library is not installed (install it in Settings, or set CRUCIBLE_TRT_RTX_DIR)',
    );
  }

  /** Installs TensorRT-RTX from a local archive, checks ORT takes it, and remembers the folder. */
  async installTrtRtx(
    archivePath: string,
  ): Promise<{ dir: string; registered: boolean; reason: string | null }> {
    const inst = await installTrtRtxFromArchive(archivePath, this.deps.trtRtxInstallDir);
    const probe = await probeEpLibrary(
      this.deps.spawnWorker,
      inst.library,
      PROVIDERS['nv-tensorrt-rtx'].ortName,
    );
    if (!probe.registered) return { dir: inst.dir, registered: false, reason: probe.reason };
    await this.deps.settings.set({ trtRtxDir: inst.dir });
    if (probe.devices > 0) return { dir: inst.dir, registered: true, reason: null };
    return { dir: inst.dir, registered: true, reason: await this.noDeviceReason() };
  }

  /** The channel this service answers. */
  handlers(): Pick<Handlers, 'providers:install-trt-rtx'> {
    return { 'providers:install-trt-rtx': async (i) => this.installTrtRtx(i.archivePath) };
  }

  /**
   * Why the registered plugin offered no device: the one verdict for this GPU and driver
   * (gpu/arch.ts trtRtxNeeds, as the provider status says it), else the engine's own wording
   * (catalog.ts TRT_RTX_NO_DEVICE_REASON) when the GPU monitor sees nothing to judge.
   */
  private async noDeviceReason(): Promise<string> {
    const snapshot = await this.deps.gpu.snapshot().catch(() => null);
    const needs = trtRtxNeeds(snapshot?.gpus ?? [], snapshot?.driverVersion, { registered: true });
    const why =
      needs.state === 'unsupported-gpu' || needs.state === 'driver-too-old'
        ? (needs.reason ?? TRT_RTX_NO_DEVICE_REASON)
        : TRT_RTX_NO_DEVICE_REASON;
    return `installed and accepted by ONNX Runtime, but it offered no device: ${why}`;
  }
}
