// Timing primitives: medians over warm runs, and external commands timed as a user would pay for them.
import { spawn } from 'node:child_process';

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface CommandRun {
  ms: number;
  /** Newlines on stdout: matching lines for `rg -n`, files for `rg --files`, tags for `ctags -f -`. */
  lines: number;
  code: number | null;
  stderr: string;
}

/** Runs a command to completion, consuming (not storing) its stdout; wall time from spawn to exit. */
export function timeCommand(cmd: string, args: string[], cwd: string): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, lines, code, stderr }));
  });
}

/** One untimed warm-up, then the median of `reps` timed runs; also returns the last run's result. */
export async function warmMedian<T>(reps: number, run: () => Promise<{ ms: number; value: T }>): Promise<{ ms: number; runs: number[]; value: T }> {
  await run();
  const runs: number[] = [];
  let value!: T;
  for (let i = 0; i < reps; i++) {
    const r = await run();
    runs.push(r.ms);
    value = r.value;
  }
  return { ms: median(runs), runs, value };
}

/** Times an in-process async call. */
export async function timeCall<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Times an external command, failing loudly if it did not run (rg exits 1 for "no match", which is fine). */
export async function timeTool(cmd: string, args: string[], cwd: string, okCodes: number[] = [0, 1]): Promise<{ ms: number; value: CommandRun }> {
  const r = await timeCommand(cmd, args, cwd);
  if (r.code === null || !okCodes.includes(r.code)) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim().slice(0, 500)}`);
  }
  return { ms: r.ms, value: r };
}

/** How every bench runs ripgrep as the reference: everything a user's plain `rg` sees, links followed, no .git. */
export const RG_FLAGS = ['--no-config', '--no-require-git', '--no-ignore-parent', '--hidden', '--follow', '--max-filesize', '1M', '-g', '!.git'];
