import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './args';

/** What every command shares: exit codes, the stderr writer, the workspace check, unverified-citation marks. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function checkWorkspace(dir: string): Promise<string> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`workspace is not a directory: ${root}`);
  return root;
}

/** Marks citations that failed verification so a reader never mistakes them for checked ones. */
export { markInvalidCitations } from '../core/citations/markUnverified';
