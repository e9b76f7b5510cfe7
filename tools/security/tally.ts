/**
 * Outcome counts of the hostile-input suite, per category and entry point, printed as one summary
 * line per category so the note can quote it. Test support.
 */

/** Where a case went in: the importer by path, by upload, or a session in the engine host. */
export type EntryPoint = 'add' | 'upload' | 'session';

/** Counts outcomes: 'accepted' / 'ran', or the error code a case was refused with. */
export class Tally {
  private readonly counts = new Map<string, Map<EntryPoint, Map<string, number>>>();
  private readonly cases = new Map<string, number>();

  /** Counts one case tried in a category. */
  tried(category: string): void {
    this.cases.set(category, (this.cases.get(category) ?? 0) + 1);
  }

  /** Records one outcome of a case at one entry point. */
  record(category: string, entry: EntryPoint, outcome: string): void {
    let byEntry = this.counts.get(category);
    if (!byEntry) this.counts.set(category, (byEntry = new Map()));
    let byOutcome = byEntry.get(entry);
    if (!byOutcome) byEntry.set(entry, (byOutcome = new Map()));
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  }

  /** Cases tried in a category. */
  casesIn(category: string): number {
    return this.cases.get(category) ?? 0;
  }

  /** Total of one outcome over every category and entry point (e.g. ENGINE_CRASHED). */
  total(outcome: string): number {
    let n = 0;
    for (const byEntry of this.counts.values()) {
      for (const byOutcome of byEntry.values()) n += byOutcome.get(outcome) ?? 0;
    }
    return n;
  }

  /** One line per category, then a total line. */
  summary(): string {
    const lines = ['hostile-input summary (cases per category; outcome counts per entry point):'];
    let all = 0;
    for (const [category, byEntry] of this.counts) {
      const n = this.casesIn(category);
      all += n;
      const parts = [...byEntry].map(
        ([entry, byOutcome]) =>
          `${entry} ${[...byOutcome]
            .sort((a, b) => b[1] - a[1])
            .map(([o, c]) => `${o}=${c}`)
            .join(',')}`,
      );
      lines.push(`  ${category}: ${n} case(s) | ${parts.join(' | ')}`);
    }
    lines.push(
      `  total: ${all} case(s); UI process alive: yes (pid ${process.pid}); engine crashes reported: ${this.total('ENGINE_CRASHED')}`,
    );
    return lines.join('\n');
  }
}
