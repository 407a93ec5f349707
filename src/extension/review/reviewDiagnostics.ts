import * as vscode from 'vscode';
import type { CheckedFinding, Severity } from '../../core/review/findings';
import { GIT_SCHEME, gitUri } from './gitContent';
import { diffFileOf, type FinishedReview, type ReviewStore } from './reviewStore';

export const REVIEW_DIAGNOSTICS = 'Recurse Review';
export const OPEN_REVIEW_DIFF = 'recurse.openReviewDiff';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The argument of recurse.openReviewDiff that names one finding of a review. */
export interface FindingRef {
  review: string;
  finding: number;
}

/**
 * A command URI opening a finding's diff. Only an id and an index go in it: the Problems panel re-parses the
 * link's unencoded text, so a path with `#` or `%` could not survive the round trip.
 */
export function openDiffCommandUri(ref: FindingRef): vscode.Uri {
  return vscode.Uri.parse(`command:${OPEN_REVIEW_DIFF}?${encodeURIComponent(JSON.stringify([ref]))}`);
}

/**
 * Where a finding shows: where its line numbers are true. The base side for a finding in a deleted file; for a
 * review of commits, the reviewed version (the diff editor's right side) unless the file on disk is that version;
 * otherwise (the working tree, the index) the file on disk.
 */
export function findingUri(review: FinishedReview, finding: CheckedFinding): vscode.Uri {
  const path = diffFileOf(review, finding.path)?.path ?? finding.path;
  if (finding.side === 'old') return gitUri(review, 'base', path);
  if (review.headCommit && !review.onDisk?.includes(path)) return gitUri(review, 'head', path);
  return vscode.Uri.joinPath(vscode.Uri.file(review.root), ...path.split('/'));
}

/**
 * The current review's findings (those whose location is in the diff) as diagnostics in the "Recurse Review"
 * collection, each with a link (its code) and a Quick Fix that open the finding in the diff editor.
 */
export class ReviewDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  readonly collection = vscode.languages.createDiagnosticCollection(REVIEW_DIAGNOSTICS);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(store: ReviewStore) {
    this.disposables.push(
      store.onDidChangeCurrent((review) => (review ? this.show(review) : this.collection.clear())),
      vscode.languages.registerCodeActionsProvider([{ scheme: 'file' }, { scheme: GIT_SCHEME }], this, {
        providedCodeActionKinds: ReviewDiagnostics.providedCodeActionKinds,
      }),
    );
  }

  show(review: FinishedReview): void {
    this.collection.clear();
    const byUri = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    review.findings.forEach((finding, index) => {
      if (!finding.valid) return;
      const uri = findingUri(review, finding);
      const start = Math.max(0, (finding.line ?? 1) - 1);
      const end = Math.max(start, (finding.endLine ?? finding.line ?? 1) - 1);
      const message = [finding.title, finding.detail, finding.suggestion ? `Suggestion: ${finding.suggestion}` : ''].filter(Boolean).join('\n');
      const diagnostic = new vscode.Diagnostic(new vscode.Range(start, 0, end, Number.MAX_SAFE_INTEGER), message, SEVERITY[finding.severity]);
      diagnostic.source = REVIEW_DIAGNOSTICS;
      diagnostic.code = { value: 'open diff', target: openDiffCommandUri({ review: review.id, finding: index }) };
      const entry = byUri.get(uri.toString()) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(diagnostic);
      byUri.set(uri.toString(), entry);
    });
    for (const { uri, diagnostics } of byUri.values()) this.collection.set(uri, diagnostics);
  }

  provideCodeActions(_document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const ref = findingRefOf(diagnostic);
      if (!ref) continue;
      const action = new vscode.CodeAction('Open Diff of Recurse Finding', vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { command: OPEN_REVIEW_DIFF, title: 'Open Diff of Recurse Finding', arguments: [ref] };
      actions.push(action);
    }
    return actions;
  }

  dispose(): void {
    this.collection.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The finding a "Recurse Review" diagnostic stands for, read back from its code link. */
export function findingRefOf(diagnostic: vscode.Diagnostic): FindingRef | undefined {
  if (diagnostic.source !== REVIEW_DIAGNOSTICS || typeof diagnostic.code !== 'object' || !diagnostic.code) return undefined;
  const target = diagnostic.code.target;
  if (target.scheme !== 'command' || target.path !== OPEN_REVIEW_DIFF) return undefined;
  try {
    const [ref] = JSON.parse(target.query) as unknown[];
    return isFindingRef(ref) ? ref : undefined;
  } catch {
    return undefined;
  }
}

export function isFindingRef(v: unknown): v is FindingRef {
  const r = v as Partial<FindingRef> | null;
  return !!r && typeof r === 'object' && typeof r.review === 'string' && Number.isInteger(r.finding) && (r.finding as number) >= 0;
}
