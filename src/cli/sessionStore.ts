import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { recurseCacheRoot } from '../core/cacheRoot';
import { writeFileAtomic } from '../core/writeFileAtomic';
import type { HistoryEntry } from '../core/rlm/followUp';
import { UsageError } from './args';

/**
 * `recurse ask --session NAME`: a named conversation's `history`, kept per workspace in the user cache folder
 * ($XDG_CACHE_HOME/recurse/sessions/<workspace>/<NAME>.json), so a question asked in a later process is a follow-up.
 * Variables do not survive a process; the history does.
 */
export function sessionFile(root: string, name: string): string {
  if (!/^[\w.-]{1,100}$/.test(name) || name.startsWith('.')) throw new UsageError(`--session takes a name of letters, digits, ".", "-" or "_", got "${name}"`);
  const id = createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 20);
  return path.join(recurseCacheRoot(), 'sessions', id, `${name}.json`);
}

export async function loadSession(root: string, name: string): Promise<HistoryEntry[]> {
  const file = sessionFile(root, name);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return []; // a new session
  }
  try {
    const parsed = JSON.parse(text);
    if (Array.isArray(parsed?.history)) return parsed.history.filter(isEntry);
  } catch {
    // damaged: start over rather than fail the question
  }
  process.stderr.write(`recurse: session "${name}" could not be read (${file}); starting it over\n`);
  return [];
}

/** Written to a temporary file and renamed, so a crash never leaves half a session. */
export async function saveSession(root: string, name: string, history: readonly HistoryEntry[]): Promise<void> {
  await writeFileAtomic(sessionFile(root, name), JSON.stringify({ version: 1, history }, null, 1));
}

function isEntry(v: unknown): v is HistoryEntry {
  const e = v as HistoryEntry;
  return !!e && typeof e.question === 'string' && typeof e.answer === 'string' && Array.isArray(e.citations) && typeof e.usage === 'object';
}
