import { execFileSync, spawn } from 'node:child_process';

/**
 * The real `git`, spawned with argument arrays (never a shell). Review reads diffs and old blobs from it
 * rather than re-implementing diffing, so renames, binary detection and merge-bases are git's own.
 */

export class GitError extends Error {
  constructor(
    message: string,
    /** True when the user named something git does not know (a ref, a repository): a usage error. */
    readonly userError = false,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** Settings that would change the output format we parse are pinned, whatever the user's config says. */
const PINNED = ['-c', 'core.quotePath=false', '-c', 'diff.noprefix=false', '-c', 'diff.mnemonicPrefix=false', '-c', 'color.ui=never'];

export function runGit(cwd: string, args: string[], options: { signal?: AbortSignal } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...PINNED, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      signal: options.signal,
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) =>
      reject(new GitError((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed (or not on PATH)' : err.message)),
    );
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr, code: code ?? 1 }));
  });
}

/** Runs git and returns stdout as text; a non-zero exit is a GitError carrying git's own message. */
export async function git(cwd: string, args: string[], options: { signal?: AbortSignal } = {}): Promise<string> {
  const result = await runGit(cwd, args, options);
  if (result.code !== 0) throw new GitError(`git ${args[0]} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  return result.stdout.toString('utf8');
}

/** Synchronous, for REPL helpers that answer without `await` (a `git show` of one blob is milliseconds). */
export function gitSync(cwd: string, args: string[]): Buffer {
  try {
    return execFileSync('git', [...PINNED, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new GitError(`git ${args[0]} failed: ${stderr || (err as Error).message}`);
  }
}
