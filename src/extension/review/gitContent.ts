import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { runGit } from '../../core/review/git';
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

/** More paths than this on one command line are not compared: their findings stay on the reviewed version. */
const MAX_COMPARED = 500;

/**
 * The new-side paths (of those given) whose file on disk is the reviewed head commit's blob, as git hashes it (with
 * the path's clean filters). There a finding's line numbers are true of the file the user edits; elsewhere they are
 * true only of the reviewed version. Empty when the review's new side is the working tree or the index.
 */
export async function sameOnDisk(review: FinishedReview, paths: readonly string[]): Promise<string[]> {
  const { headCommit, root } = review;
  if (!headCommit) return [];
  const wanted = [...new Set(paths.map((p) => diffFileOf(review, p)).filter((f) => f && f.status !== 'deleted').map((f) => f!.path))].slice(0, MAX_COMPARED);
  if (wanted.length === 0) return [];
  const tree = await runGit(root, ['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', headCommit, '--', ...wanted]);
  if (tree.code !== 0) return [];
  const headBlobs = new Map<string, string>();
  for (const entry of tree.stdout.toString('utf8').split('\0')) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (m) headBlobs.set(m[2], m[1]);
  }
  const present: string[] = [];
  for (const p of wanted) {
    if (!headBlobs.has(p)) continue;
    const stat = await fs.lstat(nodePath.join(root, ...p.split('/'))).catch(() => undefined);
    if (stat?.isFile()) present.push(p);
  }
  if (present.length === 0) return [];
  const hashed = await runGit(root, ['--literal-pathspecs', 'hash-object', '--', ...present]);
  if (hashed.code !== 0) return [];
  const hashes = hashed.stdout.toString('utf8').split('\n');
  return present.filter((p, i) => hashes[i] === headBlobs.get(p));
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
