import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { Citation } from '../../core/citations/citations';
import type { DiffSource } from '../../core/review/diffSource';
import type { ReviewReport } from '../../core/review/reviewReport';
import { blobSpec, gitShow, gitTopLevel, sameOnDisk } from './gitContent';
import { diffFileOf, type FinishedReview } from './reviewStore';

/** What the extension keeps of a review report. */
export async function finishedReview(id: string, folder: vscode.WorkspaceFolder, source: DiffSource, report: ReviewReport): Promise<FinishedReview> {
  const review: FinishedReview = {
    id,
    folder,
    root: await gitTopLevel(folder.uri.fsPath),
    source,
    description: report.diff.description,
    baseCommit: report.diff.baseCommit,
    ...(report.diff.headCommit ? { headCommit: report.diff.headCommit } : {}),
    files: report.diff.files,
    findings: report.findings,
    reviewed: report.reviewed,
    unreviewed: report.unreviewed,
  };
  return placeFindings(review);
}

/** The review with `onDisk` checked now: which of its findings' files on disk are the reviewed version. */
export async function placeFindings(review: FinishedReview): Promise<FinishedReview> {
  if (!review.headCommit) return review;
  const paths = review.findings.filter((f) => f.valid && f.side !== 'old').map((f) => f.path);
  return { ...review, onDisk: await sameOnDisk(review, paths).catch(() => []) };
}

/** The report's markdown with the reviewed files listed too (before the unreviewed ones): nothing is left implicit. */
export function reviewAnswer(markdown: string, report: ReviewReport): string {
  if (report.reviewed.length === 0) return markdown;
  const section = `## Reviewed (${report.reviewed.length})\n\n${report.reviewed.map((p) => `- ${p}`).join('\n')}\n\n`;
  const at = markdown.indexOf('\n## Unreviewed (');
  return at >= 0 ? `${markdown.slice(0, at + 1)}${section}${markdown.slice(at + 1)}` : `${markdown.trimEnd()}\n\n${section.trimEnd()}\n`;
}

/**
 * A citation of a changed file is checked against the side of the diff the review saw — the working tree, the
 * index or the reviewed commit (the base for a deleted file) — not against today's workspace, and by its path in
 * the repository. Other citations keep the workspace check they had.
 */
export async function reviewCitations(citations: Citation[], review: FinishedReview): Promise<Citation[]> {
  const lineCounts = new Map<string, Promise<number>>();
  const countLines = (key: string, read: () => Promise<string>) => {
    if (!lineCounts.has(key)) lineCounts.set(key, read().then((t) => t.split('\n').length - (t.endsWith('\n') ? 1 : 0)));
    return lineCounts.get(key)!;
  };
  return Promise.all(
    citations.map(async (c) => {
      const file = diffFileOf(review, c.path) ?? diffFileOf(review, c.resolvedPath ?? '');
      if (!file) return c;
      const side = file.status === 'deleted' ? 'base' : 'head';
      const spec = blobSpec(review, side, file.path);
      const onDisk = path.join(review.root, ...file.path.split('/'));
      const lines = await countLines(spec ?? onDisk, () => (spec ? gitShow(review.root, spec) : fs.readFile(onDisk, 'utf8'))).catch(() => 0);
      const { reason: _reason, text: _text, ...rest } = c;
      if (c.startLine < 1 || c.endLine < c.startLine) return { ...rest, resolvedPath: file.path, valid: false, reason: `invalid line range ${c.startLine}-${c.endLine}` };
      if (c.endLine > lines) {
        return { ...rest, resolvedPath: file.path, valid: false, reason: `${file.path} has ${lines} lines in the reviewed ${side === 'base' ? 'base' : 'version'}; line ${c.endLine} does not exist` };
      }
      return { ...rest, resolvedPath: file.path, valid: true };
    }),
  );
}
