import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Citation } from '../core/citations/citations';
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
export function markInvalidCitations(answer: string, citations: Citation[]): string {
  let out = answer;
  for (const c of [...citations].sort((a, b) => b.offset - a.offset)) {
    if (c.valid) continue;
    const end = c.offset + c.length;
    out = `${out.slice(0, end)} [✗ unverified: ${c.reason}]${out.slice(end)}`;
  }
  return out;
}
