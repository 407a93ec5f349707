import * as vscode from 'vscode';
import type { DiffSource } from '../../core/review/diffSource';
import { runGit } from '../../core/review/git';

/** The five things a review can compare, as the command palette offers them and as commands accept them. */

export function reviewLabel(source: DiffSource): string {
  switch (source.kind) {
    case 'worktree':
      return 'Review the working tree changes (vs HEAD)';
    case 'staged':
      return 'Review the staged changes';
    case 'commit':
      return `Review commit ${source.ref}`;
    case 'range':
      return `Review ${source.base}..${source.head}`;
    case 'branch':
      return `Review ${source.head ?? 'the current branch'} against its merge-base with ${source.base}`;
  }
}

function ref(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() && !v.trim().startsWith('-') && v.length <= 1_000 ? v.trim() : undefined;
}

/**
 * A source from a command argument: `{kind: 'worktree'|'staged'}`, `{kind: 'commit', ref}`, `{kind: 'range',
 * base, head}` or `{kind: 'branch', base, head?}`. Anything else (the Source Control view passes its own
 * objects) is undefined.
 */
export function parseReviewSource(arg: unknown): DiffSource | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  switch (a.kind) {
    case 'worktree':
    case 'staged':
      return { kind: a.kind };
    case 'commit': {
      const r = ref(a.ref);
      return r ? { kind: 'commit', ref: r } : undefined;
    }
    case 'range': {
      const base = ref(a.base);
      const head = ref(a.head);
      return base && head ? { kind: 'range', base, head } : undefined;
    }
    case 'branch': {
      const base = ref(a.base);
      const head = a.head === undefined ? undefined : ref(a.head);
      if (!base || (a.head !== undefined && !head)) return undefined;
      return { kind: 'branch', base, ...(head ? { head } : {}) };
    }
    default:
      return undefined;
  }
}

async function gitLines(cwd: string, args: string[]): Promise<string[]> {
  const result = await runGit(cwd, args);
  return result.code === 0 ? result.stdout.toString('utf8').split('\n').filter(Boolean) : [];
}

interface RefItem extends vscode.QuickPickItem {
  ref: string;
}

async function recentCommits(cwd: string): Promise<RefItem[]> {
  const lines = await gitLines(cwd, ['log', '-n', '50', '--format=%h%x00%s%x00%cr%x00%an']);
  return lines.map((l) => {
    const [hash, subject, when, author] = l.split('\0');
    return { ref: hash, label: `$(git-commit) ${hash}`, description: subject, detail: `${author}, ${when}` };
  });
}

async function branches(cwd: string): Promise<RefItem[]> {
  const lines = await gitLines(cwd, ['for-each-ref', '--sort=-committerdate', '--count=100', '--format=%(refname:short)%00%(subject)', 'refs/heads', 'refs/remotes']);
  return lines
    .map((l) => l.split('\0'))
    .filter(([name]) => !name.endsWith('/HEAD'))
    .map(([name, subject]) => ({ ref: name, label: `$(git-branch) ${name}`, description: subject }));
}

/** A ref from a list of recent commits or branches; typing anything else (a tag, `HEAD~3`) takes it as written. */
function pickRef(title: string, items: RefItem[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<RefItem>();
    pick.title = title;
    pick.placeholder = 'Pick one, or type any git ref (a tag, a hash, HEAD~3) and press Enter';
    pick.items = items;
    pick.matchOnDescription = true;
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      pick.dispose();
    };
    pick.onDidAccept(() => finish(pick.selectedItems[0]?.ref ?? ref(pick.value)));
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

/** The command palette's flow: one of the five sources, then the refs it needs. Undefined when dismissed. */
export async function pickReviewSource(cwd: string): Promise<DiffSource | undefined> {
  type KindItem = vscode.QuickPickItem & { source: DiffSource['kind'] };
  const kinds: KindItem[] = [
    { source: 'worktree', label: '$(diff) Working tree', description: 'uncommitted changes to tracked files vs HEAD' },
    { source: 'staged', label: '$(diff-added) Staged changes', description: 'the index vs HEAD' },
    { source: 'commit', label: '$(git-commit) A commit', description: 'one commit vs its parent' },
    { source: 'range', label: '$(git-compare) A range base..head', description: 'everything between two refs' },
    { source: 'branch', label: '$(git-pull-request) A branch vs its merge-base', description: 'what a pull request would show' },
  ];
  const picked = await vscode.window.showQuickPick(kinds, { title: 'Recurse: Review Changes', placeHolder: 'What should Recurse review?' });
  if (!picked) return undefined;
  switch (picked.source) {
    case 'worktree':
    case 'staged':
      return { kind: picked.source };
    case 'commit': {
      const r = await pickRef('Review which commit?', await recentCommits(cwd));
      return r ? { kind: 'commit', ref: r } : undefined;
    }
    case 'range': {
      const commits = await recentCommits(cwd);
      const all = [...(await branches(cwd)), ...commits];
      const base = await pickRef('Range: the base (old side)', all);
      if (!base) return undefined;
      const head = await pickRef(`Range: the head (new side), compared with ${base}`, [{ ref: 'HEAD', label: '$(target) HEAD' }, ...all]);
      return head ? { kind: 'range', base, head } : undefined;
    }
    case 'branch': {
      const base = await pickRef('Review the current branch against its merge-base with…', await branches(cwd));
      return base ? { kind: 'branch', base } : undefined;
    }
  }
}
