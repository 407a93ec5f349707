import { readFile, writeFile } from 'node:fs/promises';
import { trajectoryPage } from '../core/rlm/trajectoryPage';
import { parseFlags, UsageError } from './args';

/** `recurse export`: a saved run as one self-contained HTML page. */

export const EXPORT_USAGE = `Usage:
  recurse export TRAJECTORY [-o FILE]   write a saved run (ask --trajectory, eval --trajectories) as one
                                        self-contained HTML page: question, answer, citations, and the tree of
                                        turns, cells, outputs and sub-calls with tokens and cost; opens offline

Options for export:
  -o, --output FILE   where to write it (default: the trajectory's name with .html)

Exit codes: 0 written, 1 failed, 2 usage error.`;

export async function runExport(argv: string[]): Promise<number> {
  try {
    const { values: v, positionals } = parseFlags({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
    });
    if (v.help) {
      process.stdout.write(`${EXPORT_USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('export needs one trajectory file (saved with ask --trajectory FILE)');
    const file = positionals[0];
    const out = v.output ?? `${file.replace(/\.json$/i, '')}.html`;
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${file}: ${e.code ?? e.message}`);
    });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`not a trajectory: ${file} is not JSON (${(e as Error).message})`);
    }
    await writeFile(out, trajectoryPage(raw), 'utf8');
    process.stderr.write(`recurse: wrote ${out}\n`);
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError;
    process.stderr.write(`recurse: ${(e as Error).message}${usage ? `\n\n${EXPORT_USAGE}` : ''}\n`);
    return usage ? 2 : 1;
  }
}
