/**
 * The main process's ownership of sessions: it decides which sessions exist in the engine host,
 * creates them on demand (one per model × provider × dims), routes runs to them, and forgets them
 * when the host restarts (they died with it).
 */
import type { z } from 'zod';
import type {
  EngineStatus,
  ModelEntry,
  ProviderId,
  RunRequestSchema,
  RunResult,
} from '../ipc/contract';
import { AppError } from '../shared/errors';
import type { EngineClient } from '../engine/host/engine-client';
import type { EngineSource } from './services';

interface SessionRecord {
  sessionId: string;
  createMs: number;
}

/** Session bookkeeping over an {@link EngineClient}. */
export class EngineService implements EngineSource {
  private readonly sessions = new Map<string, Promise<SessionRecord>>();
  private nextSession = 1;

  constructor(private readonly client: EngineClient) {
    // Sessions live in the host process: when it restarts they are gone.
    client.onChange((s) => {
      if (s.state !== 'ready') this.sessions.clear();
    });
  }

  status(): EngineStatus {
    return this.client.status();
  }

  onChange(listener: (s: EngineStatus) => void): () => void {
    return this.client.onChange(listener);
  }

  /** Runs a model once with synthesized inputs, creating its session if needed. */
  async run(request: z.output<typeof RunRequestSchema>, model: ModelEntry): Promise<RunResult> {
    this.checkProvider(request.provider);
    const key = `${model.id}|${request.provider}|${JSON.stringify(sortKeys(request.dims))}`;
    let created = false;
    let pending = this.sessions.get(key);
    if (!pending) {
      created = true;
      const sessionId = `s${this.nextSession++}`;
      pending = this.client
        .request('session.create', {
          sessionId,
          modelPath: model.path,
          provider: request.provider,
          dims: request.dims,
        })
        .then((r) => ({ sessionId, createMs: r.createMs }));
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    const session = await pending;
    const out = await this.client.request('session.run', {
      sessionId: session.sessionId,
      synth: { fill: request.fill, seed: request.seed, dims: request.dims },
      want: 'summary',
    });
    return {
      modelId: model.id,
      provider: request.provider,
      sessionMs: created ? session.createMs : 0,
      runMs: out.runMs,
      outputs: out.summaries ?? [],
    };
  }

  private checkProvider(id: ProviderId): void {
    const p = this.client.status().providers.find((x) => x.id === id);
    if (p && !p.available) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        `${p.ortName} is not available here: ${p.reason ?? 'unknown reason'}`,
      );
    }
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
