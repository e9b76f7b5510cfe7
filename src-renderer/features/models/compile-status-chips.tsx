import { useCompileStore } from '../../state/compile';
import { Chip } from '../../ui/chip';
import { STATUS_TONE, statusText } from '../../ui/compile-status';

/**
 * A model's compile status per provider (not compiled, queued, compiling, ready, stale, failed),
 * the reason on hover. Providers where it is simply not compiled are left out to keep rows short.
 */
export function CompileStatusChips({ modelId }: { modelId: string }) {
  const statuses = useCompileStore((s) => s.statuses);
  const mine = statuses.filter((s) => s.modelId === modelId && s.state !== 'not-compiled');
  if (mine.length === 0) return null;
  return (
    <>
      {mine.map((s) => (
        <Chip
          key={s.provider}
          tone={STATUS_TONE[s.state]}
          title={s.reason ?? undefined}
          testId="compile-status-chip"
        >
          {statusText(s)}
        </Chip>
      ))}
    </>
  );
}
