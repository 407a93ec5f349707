import * as vscode from 'vscode';
import type { DiffSource } from '../../core/review/diffSource';
import type { CheckedFinding } from '../../core/review/findings';
import type { ReviewedFileStat } from '../../core/review/reviewReport';
import { fromPersisted, REVIEWS_KEY, toPersisted } from './reviewPersistence';

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
  /**
   * For a review of commits: the changed files whose file on disk was, when last checked, the reviewed head
   * version, so their findings can sit on the file itself. Never persisted: the disk may change across a reload.
   */
  onDisk?: string[];
}

const KEPT = 20;

/** What vscode.Memento offers that the store uses. */
export interface ReviewState {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/**
 * The reviews of this chat, newest last, and the current one (whose findings are the diagnostics). Chat
 * citations name their review, so older answers still open their own diffs until New Chat. With a `state`
 * (workspaceState) they are kept there too, and read back lazily on first use after a window reload.
 */
export class ReviewStore implements vscode.Disposable {
  private readonly reviews = new Map<string, FinishedReview>();
  private currentId: string | undefined;
  private loaded: boolean;
  private writes: Promise<void> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<FinishedReview | undefined>();
  /** Fires with the new current review, or undefined when there is none any more. */
  readonly onDidChangeCurrent = this.changed.event;

  constructor(
    private readonly state?: ReviewState,
    private readonly log?: vscode.LogOutputChannel,
  ) {
    this.loaded = !state;
  }

  get current(): FinishedReview | undefined {
    this.load();
    return this.currentId === undefined ? undefined : this.reviews.get(this.currentId);
  }

  get(id: string): FinishedReview | undefined {
    this.load();
    return this.reviews.get(id);
  }

  /** A new review is starting: the last one's diagnostics go away. */
  begin(): void {
    this.load();
    if (this.currentId === undefined) return;
    this.currentId = undefined;
    this.save();
    this.changed.fire(undefined);
  }

  finished(review: FinishedReview): void {
    this.load();
    this.reviews.delete(review.id);
    this.reviews.set(review.id, review);
    while (this.reviews.size > KEPT) this.reviews.delete(this.reviews.keys().next().value as string);
    this.currentId = review.id;
    this.save();
    this.changed.fire(review);
  }

  clear(): void {
    this.load();
    this.reviews.clear();
    const hadCurrent = this.currentId !== undefined;
    this.currentId = undefined;
    this.save();
    if (hadCurrent) this.changed.fire(undefined);
  }

  /**
   * After a window reload: reads the stored reviews and shows the current one again, once `place` has checked
   * what it needs of the disk (run after activation, never inside it). A review finished meanwhile wins.
   */
  async restore(place: (review: FinishedReview) => Promise<FinishedReview>): Promise<FinishedReview | undefined> {
    this.load();
    const stored = this.current;
    if (!stored) return undefined;
    const placed = await place(stored).catch(() => stored);
    if (this.currentId !== stored.id || this.reviews.get(stored.id) !== stored) return undefined;
    this.reviews.set(stored.id, placed);
    this.changed.fire(placed);
    return placed;
  }

  /** Drops what is held in memory (the stored copy stays), as a window reload does; the next use reads it back. */
  forget(): void {
    if (!this.state) return;
    const hadCurrent = this.currentId !== undefined;
    this.reviews.clear();
    this.currentId = undefined;
    this.loaded = false;
    if (hadCurrent) this.changed.fire(undefined);
  }

  /** Resolves once every write to workspaceState so far is done. */
  flushed(): Promise<void> {
    return this.writes;
  }

  private load(): void {
    if (this.loaded || !this.state) return;
    this.loaded = true;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const { reviews, current } = fromPersisted(this.state.get(REVIEWS_KEY), (uri) => folders.find((f) => f.uri.toString() === uri));
    for (const review of reviews) this.reviews.set(review.id, review);
    this.currentId = current;
  }

  private save(): void {
    const state = this.state;
    if (!state) return;
    const value = this.reviews.size === 0 ? undefined : toPersisted([...this.reviews.values()], this.currentId);
    this.writes = this.writes
      .then(() => state.update(REVIEWS_KEY, value))
      .catch((err: Error) => this.log?.warn(`could not keep the reviews in workspaceState: ${err?.message ?? err}`));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The changed file a path names (new path first, then a rename's old path). */
export function diffFileOf(review: FinishedReview, path: string): ReviewedFileStat | undefined {
  return review.files.find((f) => f.path === path) ?? review.files.find((f) => f.oldPath === path);
}
