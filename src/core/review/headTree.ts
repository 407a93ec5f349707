import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError } from './git';

/**
 * The new tree of a commit or range review, when it is not the checkout: `git archive <commit> | tar -x`
 * into a temp dir, so read/grep/findSymbol see the files as they are at the reviewed commit.
 */
export async function extractTree(root: string, commit: string, signal?: AbortSignal): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'recurse-review-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const archive = spawn('git', ['archive', '--format=tar', commit], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], signal });
      const tar = spawn('tar', ['-x', '-f', '-', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'], signal });
      let stderr = '';
      archive.stderr.on('data', (d) => (stderr += d));
      tar.stderr.on('data', (d) => (stderr += d));
      archive.stdout.pipe(tar.stdin);
      const exit = (child: ReturnType<typeof spawn>) =>
        new Promise<number | null>((done, failed) => {
          child.on('error', failed);
          child.on('close', done);
        });
      Promise.all([exit(archive), exit(tar)]).then(([archiveCode, tarCode]) => {
        if (archiveCode === 0 && tarCode === 0) resolve();
        else reject(new GitError(`could not extract ${commit.slice(0, 10)}: ${stderr.trim() || `git archive exit ${archiveCode}, tar exit ${tarCode}`}`));
      }, reject);
    });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { dir, dispose };
}
