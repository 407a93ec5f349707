// Runs a benchmark probe script in a fresh node process and collects the JSON lines it prints, each
// stamped with the parent's clock (ms since spawn) so "time to answer" includes process start-up.
import { spawn } from 'node:child_process';

export interface ProbeLine {
  /** Parent's wall time from spawn until this line arrived. */
  atMs: number;
  data: Record<string, unknown>;
}

export interface ProbeRun {
  lines: ProbeLine[];
  /** Spawn to exit. */
  ms: number;
  code: number | null;
  /** Set when the probe was killed for exceeding its time box. */
  timedOut: boolean;
  stderr: string;
}

export function runProbe(script: string, args: string[], timeoutMs: number, nodeArgs: string[] = ['--expose-gc']): Promise<ProbeRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: ProbeLine[] = [];
    let pending = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      const atMs = performance.now() - start;
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          lines.push({ atMs, data: JSON.parse(line) as Record<string, unknown> });
        } catch {
          // A log line that merely starts with a brace; not ours.
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 8000) stderr += c.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ lines, ms: performance.now() - start, code, timedOut, stderr });
    });
  });
}

/** The first line with `event === name`, or undefined. */
export function eventOf(run: ProbeRun, name: string): ProbeLine | undefined {
  return run.lines.find((l) => l.data.event === name);
}

/** Why a probe produced no result, for the report. */
export function probeFailure(run: ProbeRun, what: string, timeoutMs: number): string {
  if (run.timedOut) {
    const progress = [...run.lines].reverse().find((l) => l.data.event === 'progress');
    const p = progress?.data as { done?: number; total?: number; bytes?: number; peakRssMB?: number } | undefined;
    const sofar = p ? ` (by then ${p.done}/${p.total} files${p.bytes !== undefined ? `, ${Math.round(p.bytes / 1048576)} MB` : ''}, peak RSS ${Math.round(p.peakRssMB ?? 0)} MB)` : '';
    return `${what} exceeded its ${Math.round(timeoutMs / 1000)} s time box${sofar}`;
  }
  const err = run.lines.find((l) => l.data.event === 'error');
  if (err) return `${what} failed: ${String(err.data.message)}`;
  return `${what} exited with ${run.code}: ${run.stderr.trim().slice(-600)}`;
}

const MB = 1024 * 1024;

/** Lifetime peak resident set of the calling process (all its threads), in MiB. */
export function peakRssMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}
