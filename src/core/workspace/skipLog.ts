import type { SkipReason, SkippedSummary } from './fileMap';

export const MAX_SKIP_EXAMPLES = 5;

/**
 * Counts what a walk left out, by reason, with a few example paths each, so the model and the user
 * are always told (never silently) what is missing. Examples are the lexicographically smallest
 * paths, so a concurrent walk still reports the same ones every time.
 */
export class SkipLog {
  private readonly counts: Partial<Record<SkipReason, number>> = {};
  private readonly examples: Partial<Record<SkipReason, string[]>> = {};
  private total = 0;

  /** A log that goes on from `summary` (what an earlier walk recorded), as if its records had been made here. */
  static from(summary: SkippedSummary): SkipLog {
    const log = new SkipLog();
    for (const [reason, count] of Object.entries(summary.counts) as [SkipReason, number][]) log.counts[reason] = count;
    for (const [reason, list] of Object.entries(summary.examples) as [SkipReason, string[]][]) log.examples[reason] = [...list];
    log.total = summary.total;
    return log;
  }

  record(reason: SkipReason, relPath: string): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    this.total++;
    const list = (this.examples[reason] ??= []);
    if (list.length >= MAX_SKIP_EXAMPLES && relPath >= list[list.length - 1]) return;
    let i = list.length;
    while (i > 0 && list[i - 1] > relPath) i--;
    list.splice(i, 0, relPath);
    if (list.length > MAX_SKIP_EXAMPLES) list.pop();
  }

  summary(): SkippedSummary {
    const examples: Partial<Record<SkipReason, string[]>> = {};
    for (const [reason, list] of Object.entries(this.examples) as [SkipReason, string[]][]) examples[reason] = [...list];
    return { counts: { ...this.counts }, examples, total: this.total };
  }
}

export function emptySkipped(): SkippedSummary {
  return { counts: {}, examples: {}, total: 0 };
}
