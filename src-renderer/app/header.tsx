import type { EngineStatus } from '../../src-main/ipc/contract';
import { useEngineStore } from '../state/engine';
import { Chip, type Tone } from '../ui/chip';

const ENGINE_TONE: Record<EngineStatus['state'], Tone> = {
  starting: 'busy',
  ready: 'ok',
  restarting: 'warn',
  failed: 'bad',
};

const ENGINE_WORDS: Record<EngineStatus['state'], string> = {
  starting: 'Engine starting',
  ready: 'Engine ready',
  restarting: 'Engine restarting',
  failed: 'Engine failed',
};

/** The top bar: app name and version, and the engine host's state with ONNX Runtime's version. */
export function Header() {
  const info = useEngineStore((s) => s.info);
  const status = useEngineStore((s) => s.status);
  const loadError = useEngineStore((s) => s.error);
  const problem = status?.lastError ?? loadError;
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{info?.name ?? 'Crucible'}</span>
        {info !== null && <span className="brand-version">v{info.version}</span>}
        {info?.mode === 'browser' && <Chip tone="neutral">browser mode</Chip>}
      </div>
      <div
        className="engine-state"
        data-testid="engine-state"
        data-state={status?.state ?? 'unknown'}
      >
        {status === null ? (
          <Chip tone={loadError === null ? 'busy' : 'bad'} title={loadError?.message}>
            {loadError === null ? 'Connecting…' : 'Engine unreachable'}
          </Chip>
        ) : (
          <Chip tone={ENGINE_TONE[status.state]} title={problem?.message}>
            {ENGINE_WORDS[status.state]}
          </Chip>
        )}
        {status?.ortVersion != null && (
          <span className="muted">ONNX Runtime {status.ortVersion}</span>
        )}
        {status !== null && status.restarts > 0 && (
          <span className="muted">
            {status.restarts} restart{status.restarts === 1 ? '' : 's'}
          </span>
        )}
      </div>
    </header>
  );
}
