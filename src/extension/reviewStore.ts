import * as vscode from 'vscode';
import type { DiffSource } from '../core/review/diffSource';
import type { CheckedFinding } from '../core/review/findings';
import type { ReviewedFileStat } from '../core/review/reviewReport';

/** A finished review as the extension keeps it: enough to show its findings and open their diffs. */
export interface FinishedReview {
  /** The run id of the review in the chat. */
  id: string;
  folder: vscode.WorkspaceFolder;
  /** The repository's top level: finding paths are relative to it. */
  root: string;
  source: DiffSource;
  description: string;
  baseCommit: string;
  /** The new side's commit; absent when the new side is the working tree or the index. */
  headCommit?: string;
  files: ReviewedFileStat[];
  findings: CheckedFinding[];
  reviewed: string[];
  unreviewed: string[];
}

const KEPT = 20;

/**
 * The reviews of this chat, newest last, and the current one (whose findings are the diagnostics). Chat
 * citations name their review, so older answers still open their own diffs until New Chat.
 */
export class ReviewStore implements vscode.Disposable {
  private readonly reviews = new Map<string, FinishedReview>();
  private currentId: string | undefined;
  private readonly changed = new vscode.EventEmitter<FinishedReview | undefined>();
  /** Fires with the new current review, or undefined when there is none any more. */
  readonly onDidChangeCurrent = this.changed.event;

  get current(): FinishedReview | undefined {
    return this.currentId === undefined ? undefined : this.reviews.get(this.currentId);
  }

  get(id: string): FinishedReview | undefined {
    return this.reviews.get(id);
  }

  /** A new review is starting: the last one's diagnostics go away. */
  begin(): void {
    if (this.currentId === undefined) return;
    this.currentId = undefined;
    this.changed.fire(undefined);
  }

  finished(review: FinishedReview): void {
    this.reviews.set(review.id, review);
    while (this.reviews.size > KEPT) this.reviews.delete(this.reviews.keys().next().value as string);
    this.currentId = review.id;
    this.changed.fire(review);
  }

  clear(): void {
    this.reviews.clear();
    this.begin();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The changed file a path names (new path first, then a rename's old path). */
export function diffFileOf(review: FinishedReview, path: string): ReviewedFileStat | undefined {
  return review.files.find((f) => f.path === path) ?? review.files.find((f) => f.oldPath === path);
}
