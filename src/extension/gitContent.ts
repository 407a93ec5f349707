import * as vscode from 'vscode';
import { runGit } from '../core/review/git';
import { diffFileOf, type FinishedReview, type ReviewStore } from './reviewStore';

/**
 * Read-only documents for the sides of a reviewed change that are not files on disk: the base commit, the
 * index, a reviewed commit. `recurse-git:/<path>?review=<id>&side=base|head` — served only for a file of a
 * review this chat holds, so the scheme cannot be used to read arbitrary blobs.
 */
export const GIT_SCHEME = 'recurse-git';

export type DiffSide = 'base' | 'head';

export function gitUri(review: FinishedReview, side: DiffSide, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GIT_SCHEME, path: `/${path}`, query: new URLSearchParams({ review: review.id, side }).toString() });
}

/** The blob a side of a file comes from: `<commit>:<path>`, `:<path>` for the index, or undefined when that side is empty. */
export function blobSpec(review: FinishedReview, side: DiffSide, path: string): string | undefined {
  const file = diffFileOf(review, path);
  if (!file) return undefined;
  if (side === 'base') return file.status === 'added' ? undefined : `${review.baseCommit}:${file.oldPath ?? file.path}`;
  if (file.status === 'deleted') return undefined;
  if (review.headCommit) return `${review.headCommit}:${file.path}`;
  return review.source.kind === 'staged' ? `:${file.path}` : undefined;
}

/** `git show <spec>` as text; an empty string for a blob that does not exist (the empty tree's side of an addition). */
export async function gitShow(root: string, spec: string): Promise<string> {
  const result = await runGit(root, ['show', '--no-color', '--end-of-options', spec]);
  if (result.code !== 0) {
    if (/does not exist|exists on disk, but not in|bad revision|invalid object name/i.test(result.stderr)) return '';
    throw new Error(`git show ${spec} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
  return result.stdout.toString('utf8');
}

export async function gitTopLevel(dir: string): Promise<string> {
  const result = await runGit(dir, ['rev-parse', '--show-toplevel']);
  if (result.code !== 0) throw new Error(`not a git repository: ${dir}`);
  return result.stdout.toString().trim();
}

export class GitContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly reviews: ReviewStore) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = new URLSearchParams(uri.query);
    const review = this.reviews.get(query.get('review') ?? '');
    const side = query.get('side');
    const path = uri.path.replace(/^\//, '');
    if (!review) return `(This review is no longer held by Recurse — run it again to see ${path}.)\n`;
    if (side !== 'base' && side !== 'head') return '';
    if (!diffFileOf(review, path)) return `(${path} is not a file of this review.)\n`;
    const spec = blobSpec(review, side, path);
    return spec ? gitShow(review.root, spec) : '';
  }
}
