import { useCompileStore } from '../state/compile';
import { useModelsStore } from '../state/models';
import { AREAS, AREA_LABELS, type Area, hashForArea } from '../common/routes';

const TEST_IDS: Record<Area, string> = {
  gpu: 'nav-gpu',
  models: 'nav-models',
  compile: 'nav-compile',
  run: 'nav-run',
  bench: 'nav-bench',
  settings: 'nav-settings',
};

/** The areas, as links to their hash routes, with small counts where they help. */
export function Sidebar(props: { current: Area }) {
  const modelCount = useModelsStore((s) => s.entries.length);
  const activeJobs = useCompileStore(
    (s) => s.jobs.filter((j) => j.state === 'running' || j.state === 'queued').length,
  );
  const badge: Partial<Record<Area, number>> = { models: modelCount, compile: activeJobs };
  return (
    <nav className="sidebar" aria-label="Areas">
      <ul>
        {AREAS.map((area) => (
          <li key={area}>
            <a
              href={hashForArea(area)}
              className={area === props.current ? 'nav-link active' : 'nav-link'}
              aria-current={area === props.current ? 'page' : undefined}
              data-testid={TEST_IDS[area]}
            >
              <span>{AREA_LABELS[area]}</span>
              {(badge[area] ?? 0) > 0 && <span className="nav-badge">{badge[area]}</span>}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
