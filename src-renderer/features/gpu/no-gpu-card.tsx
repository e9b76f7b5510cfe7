import { Card } from '../../ui/card';

/** The clear "no NVIDIA GPU" state, with the main side's reason and what still works. */
export function NoGpuCard(props: { reason: string | null }) {
  return (
    <Card className="no-gpu" testId="gpu-none" title="No NVIDIA GPU found">
      <p>{props.reason ?? 'Neither NVML nor nvidia-smi could be found on this machine.'}</p>
      <p className="muted">
        Models still run on the CPU. Install or update the NVIDIA driver and restart Crucible to use
        an RTX GPU.
      </p>
    </Card>
  );
}
