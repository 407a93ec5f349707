import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Real git repositories for tests: created in temp dirs, driven by the git binary. */

export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Writes files (creating their directories) relative to `dir`. */
export function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Commits everything and returns the new commit's hash. */
export function commit(dir: string, message: string): string {
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', message);
  return gitIn(dir, 'rev-parse', 'HEAD');
}

/** Makes `dir` (existing files and all) a repository on branch main with a test identity and no commit signing. */
export function initRepoIn(dir: string): string {
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'config', 'user.email', 't@example.com');
  gitIn(dir, 'config', 'user.name', 'Test');
  gitIn(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

/** An empty repository in a new temp dir, as initRepoIn sets it up. */
export function initRepo(prefix = 'recurse-git-'): string {
  return initRepoIn(mkdtempSync(join(tmpdir(), prefix)));
}
