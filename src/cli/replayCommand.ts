import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readRecordedRun, TrajectoryError } from '../core/replay/recordedRun';
import { type ReplayedCell, type ReplayResult, replayRun } from '../core/replay/replayRun';
import { parseFlags, UsageError } from './args';
import { subcommandArgs } from './cliCommon';
import { cliRipgrep } from './ripgrepBinary';

/** `recurse replay`: a saved run again, with no model; each cell's output compared with the recorded one. */

export const REPLAY_USAGE = `Usage:
  recurse replay TRAJECTORY [options]   run a saved trajectory's cells again with no model (the recorded
                                        replies and sub-call answers stand in for the models) and compare
                                        each cell's output with the recorded one

Options for replay:
  -w, --workspace DIR   the workspace to run the cells against (default: the one recorded)
      --json            one JSON object: {cells: [{turn, cell, identical, …}], answer, diverged}
  -q, --quiet           no per-cell lines on stderr

Exit codes: 0 every cell identical, 3 a cell diverged, 1 the trajectory cannot be replayed, 2 usage error,
130 cancelled.`;

const EXIT = { identical: 0, failed: 1, usage: 2, diverged: 3, cancelled: 130 } as const;

interface ReplayArgs {
  trajectory: string;
  workspace?: string;
  json: boolean;
  quiet: boolean;
}

function parseReplayArgs(argv: string[]): ReplayArgs | 'help' {
  const { values: v, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `replay takes one trajectory file, got ${positionals.length}` : 'replay needs a trajectory file (saved with ask --trajectory FILE)');
  return { trajectory: positionals[0], ...(v.workspace ? { workspace: v.workspace } : {}), json: Boolean(v.json), quiet: Boolean(v.quiet) };
}

export async function runReplay(argv: string[], signal: AbortSignal): Promise<number> {
  const args = subcommandArgs(argv, parseReplayArgs, REPLAY_USAGE);
  if (typeof args === 'number') return args;
  try {
    const text = await readFile(args.trajectory, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new TrajectoryError(`cannot read ${args.trajectory}: ${e.code ?? e.message}`);
    });
    const recorded = readRecordedRun(text);
    // A run over an in-memory workspace (an eval item's context) carries its files; any other names its folder.
    const dir = args.workspace ?? (recorded.texts ? undefined : recorded.workspace);
    if (dir === undefined && !recorded.texts) throw new TrajectoryError('the trajectory does not say which workspace it ran on: pass --workspace DIR');
    const workspace = dir === undefined ? undefined : resolve(dir);
    if (workspace !== undefined && !(await stat(workspace).catch(() => undefined))?.isDirectory()) throw new TrajectoryError(`workspace is not a directory: ${workspace}`);
    const quiet = args.quiet || args.json;
    const result = await replayRun({
      recorded, workspace, signal, fileMap: { snapshot: true, ripgrep: cliRipgrep() },
      onCell: quiet ? undefined : (cell) => process.stderr.write(`${cellLines(cell).join('\n')}\n`),
    });
    if (args.json) process.stdout.write(`${JSON.stringify(replayJson(result))}\n`);
    else process.stdout.write(`${summary(result).join('\n')}\n`);
    return result.diverged ? EXIT.diverged : EXIT.identical;
  } catch (e) {
    if (signal.aborted) {
      process.stderr.write('recurse: cancelled\n');
      return EXIT.cancelled;
    }
    const message = e instanceof TrajectoryError ? `cannot replay: ${e.message}` : (e as Error).message;
    if (args.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`recurse: ${message}\n`);
    return EXIT.failed;
  }
}

function cellLines(cell: ReplayedCell): string[] {
  const child = cell.depth > 0 ? `child run (depth ${cell.depth}: ${JSON.stringify((cell.question ?? '').slice(0, 40))}) ` : '';
  const where = `${child}turn ${cell.turn} cell ${cell.cell}`;
  if (cell.identical) return [`${where}: identical`];
  if (!cell.replayed) return [`${where}: diverged — the replay never reached it`];
  if (!cell.recorded) return [`${where}: diverged — not in the recorded run`];
  return [`${where}: diverged`, ...(cell.diff ?? []).map((l) => `    ${l}`)];
}

function summary(result: ReplayResult): string[] {
  const same = result.cells.filter((c) => c.identical).length;
  const lines = [`${same} of ${result.cells.length} cells identical${result.diverged ? ' — diverged' : ''}`];
  if (result.stopped) lines.push(`the replay stopped: ${result.stopped}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  if (result.answer !== undefined) lines.push(result.answer === result.recordedAnswer ? 'answer: identical' : `answer: ${result.answer}`);
  return lines;
}

function replayJson(result: ReplayResult): Record<string, unknown> {
  return {
    cells: result.cells.map((c) => ({
      depth: c.depth, ...(c.question !== undefined ? { question: c.question } : {}), turn: c.turn, cell: c.cell, identical: c.identical, code: c.code,
      ...(c.recorded ? { recorded: c.recorded } : {}), ...(c.replayed ? { replayed: c.replayed } : {}), ...(c.diff ? { diff: c.diff } : {}),
    })),
    answer: result.answer ?? null,
    recordedAnswer: result.recordedAnswer ?? null,
    diverged: result.diverged,
    ...(result.stopped ? { stopped: result.stopped } : {}),
    notes: result.notes,
  };
}
