import * as path from 'node:path';
import * as vscode from 'vscode';
import { blobSpec, gitUri } from './gitContent';
import { diffFileOf, type FinishedReview } from './reviewStore';

export type DiffOpenResult =
  | { opened: true; kind: 'diff' | 'base'; left?: string; right: string; line: number }
  | { opened: false; reason: string };

function sideLabels(review: FinishedReview): [string, string] {
  const base = review.baseCommit.slice(0, 7);
  if (review.headCommit) return [base, review.headCommit.slice(0, 7)];
  return [`HEAD ${base}`, review.source.kind === 'staged' ? 'index' : 'working tree'];
}

/**
 * Opens a reviewed file in the diff editor (base on the left, the reviewed new side on the right) with the cursor
 * on `line` of the new side. A deleted file has no new side: its base content opens instead, at the line.
 */
export async function openReviewDiff(review: FinishedReview, filePath: string, line = 1, endLine = line): Promise<DiffOpenResult> {
  const file = diffFileOf(review, filePath);
  if (!file) return { opened: false, reason: `${filePath} is not a file of the review of ${review.description}` };
  const start = Math.max(0, line - 1);
  const end = Math.max(start, endLine - 1);
  const selection = new vscode.Range(start, 0, start, 0);
  const base = gitUri(review, 'base', file.path);
  const name = path.posix.basename(file.path);
  if (file.status === 'deleted') {
    const document = await vscode.workspace.openTextDocument(base);
    const editor = await vscode.window.showTextDocument(document, { preview: true, selection });
    editor.revealRange(new vscode.Range(start, 0, end, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return { opened: true, kind: 'base', right: base.toString(), line: start + 1 };
  }
  const head = blobSpec(review, 'head', file.path) ? gitUri(review, 'head', file.path) : vscode.Uri.joinPath(vscode.Uri.file(review.root), ...file.path.split('/'));
  const [left, right] = sideLabels(review);
  await vscode.commands.executeCommand('vscode.diff', base, head, `${name} (${left} ↔ ${right})`, { selection, preview: true });
  vscode.window.activeTextEditor?.revealRange(new vscode.Range(start, 0, end, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return { opened: true, kind: 'diff', left: base.toString(), right: head.toString(), line: start + 1 };
}
