/**
 * Compile-time estimates learned on this machine: every finished compile records its provider,
 * GPU, model size and how long it took; a new job's estimate is the median time of the (up to 3)
 * earlier compiles closest in size, same provider and GPU, within 4x of its size. No similar
 * compile yet → no estimate (null), never a guess.
 */
import path from 'node:path';
import { z } from 'zod';
import { ProviderIdSchema, type ProviderId } from '../../ipc/contract';
import { JsonStore } from '../../store/json-store';

export const EstimateRecordSchema = z.object({
  provider: ProviderIdSchema,
  gpu: z.string(),
  bytes: z.number().nonnegative(),
  ms: z.number().nonnegative(),
  at: z.number(),
});
export type EstimateRecord = z.infer<typeof EstimateRecordSchema>;

const StoreSchema = z.object({ records: z.array(EstimateRecordSchema) });
const KEEP = 200;
const SIMILAR = 4;

/** The estimate for a job, or null when nothing similar has been compiled here. */
export function estimateFrom(
  records: readonly EstimateRecord[],
  job: { provider: ProviderId; gpu: string; bytes: number },
): number | null {
  const size = Math.max(job.bytes, 1);
  const near = records
    .filter((r) => r.provider === job.provider && r.gpu === job.gpu)
    .map((r) => ({ r, distance: Math.abs(Math.log(Math.max(r.bytes, 1) / size)) }))
    .filter((x) => x.distance <= Math.log(SIMILAR))
    .sort((a, b) => a.distance - b.distance || b.r.at - a.r.at)
    .slice(0, 3)
    .map((x) => x.r.ms)
    .sort((a, b) => a - b);
  if (near.length === 0) return null;
  const mid = Math.floor(near.length / 2);
  return near.length % 2 === 1
    ? (near[mid] as number)
    : ((near[mid - 1] as number) + (near[mid] as number)) / 2;
}

/** The records on disk (<stores>/compile-estimates.json). */
export class EstimateStore {
  private records: EstimateRecord[] = [];
  private readonly store: JsonStore<typeof StoreSchema>;

  constructor(storesDir: string) {
    this.store = new JsonStore(path.join(storesDir, 'compile-estimates.json'), StoreSchema, () => ({
      records: [],
    }));
  }

  /** Loads the records; a damaged file is set aside by JsonStore and learning starts over. */
  async open(): Promise<void> {
    this.records = (await this.store.load()).value.records;
  }

  estimate(job: { provider: ProviderId; gpu: string; bytes: number }): number | null {
    return estimateFrom(this.records, job);
  }

  async record(r: EstimateRecord): Promise<void> {
    this.records = [...this.records, r].slice(-KEEP);
    await this.store.save({ records: this.records });
  }
}
