import type { CompileJob } from '../../../src-main/ipc/contract';
import { ErrorNotice } from '../../app/error-notice';
import { useCompileStore } from '../../state/compile';
import { useModelsStore } from '../../state/models';
import { Chip } from '../../ui/chip';
import { EmptyState } from '../../ui/empty-state';
import { formatMs } from '../../ui/format';
import { Meter } from '../../ui/meter';
import { STATE_TONE, progressFraction, subgraphText } from './compile-summary';

/** The compile queue: every job with its phase, subgraph, elapsed time, estimate and state. */
export function CompileArea() {
  const jobs = useCompileStore((s) => s.jobs);
  const loaded = useCompileStore((s) => s.loaded);
  const error = useCompileStore((s) => s.error);
  const entries = useModelsStore((s) => s.entries);
  const nameOf = (id: string) => entries.find((e) => e.id === id)?.name ?? id.slice(0, 12);
  return (
    <div className="area" data-testid="area-compile">
      <div className="area-head">
        <h1>Compile queue</h1>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {loaded && jobs.length === 0 && (
        <EmptyState title="No compile jobs yet" testId="compile-empty">
          <p>
            When you add a model, Crucible compiles it for your GPU in the background (TensorRT for
            RTX), and the progress shows here.
          </p>
        </EmptyState>
      )}
      {jobs.length > 0 && (
        <ul className="job-list" data-testid="compile-jobs">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} modelName={nameOf(job.modelId)} />
          ))}
        </ul>
      )}
    </div>
  );
}

function JobRow({ job, modelName }: { job: CompileJob; modelName: string }) {
  const progress = progressFraction(job);
  const subgraph = subgraphText(job);
  return (
    <li className="job-row card" data-testid="compile-job" data-state={job.state}>
      <div className="job-head">
        <span className="model-name">{modelName}</span>
        <span className="mono muted">{job.provider}</span>
        <Chip tone={STATE_TONE[job.state]}>{job.state}</Chip>
      </div>
      <div className="job-meta">
        <span>{job.phase}</span>
        {subgraph !== null && <span>{subgraph}</span>}
        <span>elapsed {formatMs(job.elapsedMs)}</span>
        {job.estimateMs !== null && job.state === 'running' && (
          <span>estimate {formatMs(job.estimateMs)}</span>
        )}
      </div>
      {progress !== null && (
        <Meter label={`${modelName} compile progress`} value={progress} max={1} />
      )}
      {job.error !== null && <ErrorNotice error={job.error} />}
    </li>
  );
}
