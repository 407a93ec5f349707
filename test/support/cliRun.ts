import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bundled CLI (npm run build), run as a user runs it. */
export const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Added to the environment (after the caller's OPENAI_* and RECURSE_* variables are removed). */
  env?: Record<string, string>;
  /**
   * HOME for the run, and the caches under it (XDG_CACHE_HOME=<home>/cache: symbols, sub-calls); default: a new
   * empty directory for this run alone, removed when it ends, so runs never share a cache by accident.
   */
  home?: string;
  /**
   * Another bundle of dist/ to run the command line of (e.g. 'cliMain.js'), instead of the `recurse` launcher — which
   * runs `recurse index` from its own bundle (cliIndex.js) and every other command from cliMain.js.
   */
  bundle?: string;
  onSpawn?(child: ChildProcess): void;
}

/**
 * Runs `node dist/cli.js ...args` to completion. The environment is the caller's minus anything that would point
 * the CLI at a real endpoint or config (OPENAI_*, RECURSE_*), and a local Ollama is never found.
 */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI_|RECURSE_)/.test(k))) as Record<string, string>;
    const own = options.home ? undefined : mkdtempSync(join(tmpdir(), 'recurse-cli-home-'));
    const dir = options.home ?? own!;
    const home = { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache') };
    const entry = options.bundle
      ? ['-e', `require(${JSON.stringify(join(CLI, '..', options.bundle))}).runCommandLine()`, '--', 'recurse']
      : [CLI];
    const child = spawn(process.execPath, [...entry, ...args], {
      env: { ...clean, ...home, RECURSE_OLLAMA_URL: 'http://127.0.0.1:9/v1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (own) rmSync(own, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}
