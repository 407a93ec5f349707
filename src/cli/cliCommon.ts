import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './args';

/** What every command shares: exit codes, the stderr writer, the workspace check, unverified-citation marks. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/**
 * A subcommand's parsed arguments, or the exit code when there is nothing to run: its usage on stdout for --help
 * (0), or the problem and its usage on stderr (2).
 */
export function subcommandArgs<T>(argv: string[], parse: (argv: string[]) => T | 'help', usage: string): T | number {
  let args: T | 'help';
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`recurse: ${(e as Error).message}\n\n${usage}\n`);
    return EXIT.usage;
  }
  if (args !== 'help') return args;
  process.stdout.write(`${usage}\n`);
  return EXIT.ok;
}

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
