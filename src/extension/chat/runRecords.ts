import * as fs from 'node:fs';
import * as path from 'node:path';

/** How many runs' trajectories are kept: the export is of a recent run, and each file can be megabytes. */
const KEPT = 20;

/**
 * The chat's recent runs, each a trajectory file (the format `recurse ask --trajectory` writes) in the extension's
 * storage, newest kept: what "Export Run as HTML" turns into a page, and what `recurse replay` can run again.
 */
export class RunRecords {
  private last: string | undefined;

  constructor(private readonly dir: string) {}

  /** Where a run's trajectory is saved as it ends (answered, failed or cancelled). */
  fileFor(runId: string): string {
    this.last = runId;
    return path.join(this.dir, `${runId}.json`);
  }

  /** The file of the given run, else of the last run started in this window, else the newest on disk. */
  find(runId?: string): string | undefined {
    for (const id of [runId, this.last]) {
      const file = id && path.join(this.dir, `${path.basename(id)}.json`);
      if (file && fs.existsSync(file)) return file;
    }
    return this.newest()[0];
  }

  /** Drops all but the newest KEPT files. */
  prune(): void {
    for (const file of this.newest().slice(KEPT)) fs.rmSync(file, { force: true });
  }

  private newest(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.map((n) => path.join(this.dir, n))
      .map((file) => ({ file, at: fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => b.at - a.at)
      .map((f) => f.file);
  }
}
