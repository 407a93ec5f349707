import type { DiffFile } from './diffParser';

/**
 * What the review looked at. A changed file counts as reviewed once its path (new or old) appears in the
 * arguments of a helper call — hunks(), readOld(), read(), a symbol or import lookup — or in the prompt of a
 * sub-call that actually ran and answered, at any depth. Everything else is reported as unreviewed, never
 * dropped. The sub-call helpers' own arguments do not count (a budget may deny the call), nor does finish():
 * naming a file in the answer is not looking at it.
 */
const NOT_LOOKING = new Set(['finish', 'llm_query', 'llm_query_batched', 'rlm_query']);

export class ReviewCoverage {
  private readonly seen = new Set<string>();
  private readonly helperCalls = new Map<string, number>();

  constructor(private readonly files: readonly DiffFile[]) {}

  observe(helper: string, args: unknown[]): void {
    this.helperCalls.set(helper, (this.helperCalls.get(helper) ?? 0) + 1);
    if (NOT_LOOKING.has(helper)) return;
    let text: string;
    try {
      text = JSON.stringify(args) ?? '';
    } catch {
      return;
    }
    this.match(text);
  }

  observeSubCall(prompt: string): void {
    this.match(prompt);
  }

  private match(text: string): void {
    if (this.seen.size === this.files.length) return;
    for (const f of this.files) {
      if (this.seen.has(f.path)) continue;
      if (text.includes(f.path) || (f.oldPath !== f.path && text.includes(f.oldPath))) this.seen.add(f.path);
    }
  }

  reviewed(): string[] {
    return this.files.filter((f) => this.seen.has(f.path)).map((f) => f.path);
  }

  unreviewed(): string[] {
    return this.files.filter((f) => !this.seen.has(f.path)).map((f) => f.path);
  }

  calls(): Record<string, number> {
    return Object.fromEntries(this.helperCalls);
  }
}
