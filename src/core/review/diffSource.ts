import { isSecretPath } from '../workspace/secrets';
import { buildDiffFiles, type DiffFile } from './diffParser';
import { git, GitError, runGit } from './git';

/**
 * What a review compares. Every source resolves to a base commit (where `readOld` reads) and a new side: the
 * working tree, the index, or a commit.
 *  - worktree (default): working tree vs HEAD (tracked files; untracked files are not part of `git diff`)
 *  - staged: index vs HEAD
 *  - commit REF: that commit vs its first parent (vs the empty tree for a root commit)
 *  - range: `base` vs `head`, as given
 *  - branch: HEAD (or `head`) vs its merge-base with `base` — what a pull request would show
 */
export type DiffSource =
  | { kind: 'worktree' }
  | { kind: 'staged' }
  | { kind: 'commit'; ref: string }
  | { kind: 'range'; base: string; head: string }
  | { kind: 'branch'; base: string; head?: string };

export interface ResolvedDiff {
  source: DiffSource;
  /** The repository's top level. */
  root: string;
  /** Commit the old side is read from; the empty tree for a root commit. */
  baseCommit: string;
  /** Commit of the new side, or undefined for the working tree / index. */
  headCommit?: string;
  /** Human description, e.g. "working tree vs HEAD (1a2b3c4)". */
  description: string;
  files: DiffFile[];
  additions: number;
  deletions: number;
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '-M', '--full-index'];

/** Resolves a ref to a commit id; an unknown ref is a user error with the ref in the message. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitError(`not a git ref: "${ref}"`, true);
  const result = await runGit(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (result.code !== 0) throw new GitError(`unknown git ref "${ref}" (not a commit in ${root})`, true);
  return result.stdout.toString().trim();
}

export async function repositoryRoot(dir: string): Promise<string> {
  const result = await runGit(dir, ['rev-parse', '--show-toplevel']);
  if (result.code !== 0) throw new GitError(`not a git repository: ${dir}`, true);
  return result.stdout.toString().trim();
}

function short(sha: string): string {
  return sha === EMPTY_TREE ? 'empty tree' : sha.slice(0, 10);
}

/** Runs git diff for a source and parses it. Nothing is truncated: the whole diff comes back. */
export async function loadDiff(workspace: string, source: DiffSource, signal?: AbortSignal): Promise<ResolvedDiff> {
  const root = await repositoryRoot(workspace);
  let baseCommit: string;
  let headCommit: string | undefined;
  let range: string[];
  let description: string;
  switch (source.kind) {
    case 'worktree':
    case 'staged': {
      baseCommit = await resolveCommit(root, 'HEAD').catch(() => {
        throw new GitError(`the repository at ${root} has no commits yet (nothing to diff against)`, true);
      });
      range = source.kind === 'staged' ? ['--cached', baseCommit] : [baseCommit];
      description = `${source.kind === 'staged' ? 'staged changes' : 'working tree'} vs HEAD (${short(baseCommit)})`;
      break;
    }
    case 'commit': {
      headCommit = await resolveCommit(root, source.ref);
      const parent = await runGit(root, ['rev-parse', '--verify', '--quiet', `${headCommit}^1`]);
      baseCommit = parent.code === 0 ? parent.stdout.toString().trim() : EMPTY_TREE;
      range = [baseCommit, headCommit];
      description = `commit ${source.ref} (${short(headCommit)}) vs its parent (${short(baseCommit)})`;
      break;
    }
    case 'range': {
      baseCommit = await resolveCommit(root, source.base);
      headCommit = await resolveCommit(root, source.head);
      range = [baseCommit, headCommit];
      description = `${source.base} (${short(baseCommit)}) .. ${source.head} (${short(headCommit)})`;
      break;
    }
    case 'branch': {
      const head = source.head ?? 'HEAD';
      const baseTip = await resolveCommit(root, source.base);
      headCommit = await resolveCommit(root, head);
      const mb = await runGit(root, ['merge-base', baseTip, headCommit]);
      if (mb.code !== 0) throw new GitError(`${source.base} and ${head} have no common ancestor`, true);
      baseCommit = mb.stdout.toString().trim();
      range = [baseCommit, headCommit];
      description = `${head} (${short(headCommit)}) vs its merge-base with ${source.base} (${short(baseCommit)})`;
      break;
    }
  }
  const run = (format: string[]) => git(root, ['diff', ...DIFF_FLAGS, ...format, ...range, '--'], { signal });
  const [raw, numstat, patch] = await Promise.all([run(['--raw', '-z']), run(['--numstat', '-z']), run(['--unified=3'])]);
  const files = buildDiffFiles(raw, numstat, patch).map((f) =>
    isSecretPath(f.path) || isSecretPath(f.oldPath) ? { ...f, hunks: [], withheld: 'secret file: its content never reaches a model' } : f,
  );
  return {
    source,
    root,
    baseCommit,
    headCommit,
    description,
    files,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
  };
}

/** The per-file numbers the root prompt gets instead of the diff itself, capped so the prompt stays small. */
export function diffMetadata(diff: ResolvedDiff, maxFiles = 60) {
  const byStatus: Record<string, number> = {};
  for (const f of diff.files) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
  const listed = [...diff.files].sort((a, b) => b.additions + b.deletions - (a.additions + a.deletions)).slice(0, maxFiles);
  return {
    description: diff.description,
    files: diff.files.length,
    additions: diff.additions,
    deletions: diff.deletions,
    hunks: diff.files.reduce((n, f) => n + f.hunks.length, 0),
    byStatus,
    binary: diff.files.filter((f) => f.binary).length,
    largest: listed.map((f) => ({
      path: f.path,
      ...(f.oldPath !== f.path ? { oldPath: f.oldPath } : {}),
      status: f.status,
      ...(f.binary ? { binary: true } : {}),
      additions: f.additions,
      deletions: f.deletions,
      hunks: f.hunks.length,
    })),
    ...(diff.files.length > listed.length ? { notListed: `${diff.files.length - listed.length} more files: see diff.files` } : {}),
  };
}
