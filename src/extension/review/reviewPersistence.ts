/**
 * The chat's reviews as they are kept in workspaceState, so a window reload brings back the current review's
 * diagnostics and lets review citations in the restored chat history open their diffs again. No `vscode` import
 * at run time: the shapes are checked here and unit-tested under plain node.
 */
import type { DiffSource } from '../../core/review/diffSource';
import type { CheckedFinding } from '../../core/review/findings';
import type { ReviewedFileStat } from '../../core/review/reviewReport';
import type { FinishedReview } from './reviewStore';

export const REVIEWS_KEY = 'recurse.reviews';
/** The stored JSON stays under this; the oldest reviews go first (the current one last). */
export const MAX_PERSISTED_REVIEW_BYTES = 1_000_000;
const VERSION = 1;

/** A review as stored: its workspace folder by URI, and nothing that depends on the disk at the time. */
export type PersistedReview = Omit<FinishedReview, 'folder' | 'onDisk'> & { folder: string };

export interface PersistedReviews {
  version: number;
  current?: string;
  /** Oldest first. */
  reviews: PersistedReview[];
}

/**
 * What to store for these reviews (oldest first): as many of the newest as fit in `maxBytes`, the current one
 * first of all. A review that alone is over the bound is not stored.
 */
export function toPersisted<F extends { uri: { toString(): string } }>(
  reviews: readonly (Omit<FinishedReview, 'folder'> & { folder: F })[],
  current: string | undefined,
  maxBytes = MAX_PERSISTED_REVIEW_BYTES,
): PersistedReviews {
  const entries = reviews.map(({ folder, onDisk: _onDisk, ...rest }) => {
    const review: PersistedReview = { ...rest, folder: folder.uri.toString() };
    return { review, bytes: JSON.stringify(review).length };
  });
  const order = [...entries.filter((e) => e.review.id === current), ...entries.filter((e) => e.review.id !== current).reverse()];
  const kept = new Set<PersistedReview>();
  let total = 100;
  for (const e of order) {
    if (total + e.bytes + 1 > maxBytes) continue;
    total += e.bytes + 1;
    kept.add(e.review);
  }
  const stored = entries.map((e) => e.review).filter((r) => kept.has(r));
  return { version: VERSION, ...(current !== undefined && stored.some((r) => r.id === current) ? { current } : {}), reviews: stored };
}

/**
 * The reviews back from storage, oldest first, with their folders resolved by `folderOf` (a review whose folder is
 * no longer open is dropped, as is anything malformed).
 */
export function fromPersisted<F>(raw: unknown, folderOf: (uri: string) => F | undefined): { reviews: (Omit<FinishedReview, 'folder'> & { folder: F })[]; current?: string } {
  if (!isObject(raw) || raw.version !== VERSION || !Array.isArray(raw.reviews)) return { reviews: [] };
  const reviews: (Omit<FinishedReview, 'folder'> & { folder: F })[] = [];
  for (const r of raw.reviews) {
    if (!isPersistedReview(r)) continue;
    const folder = folderOf(r.folder);
    if (folder === undefined) continue;
    reviews.push({ ...r, folder });
  }
  const current = typeof raw.current === 'string' && reviews.some((r) => r.id === raw.current) ? raw.current : undefined;
  return { reviews, ...(current !== undefined ? { current } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function isSource(v: unknown): v is DiffSource {
  if (!isObject(v)) return false;
  switch (v.kind) {
    case 'worktree':
    case 'staged':
      return true;
    case 'commit':
      return isString(v.ref);
    case 'range':
      return isString(v.base) && isString(v.head);
    case 'branch':
      return isString(v.base) && (v.head === undefined || isString(v.head));
    default:
      return false;
  }
}

function isFileStat(v: unknown): v is ReviewedFileStat {
  return isObject(v) && isString(v.path) && (v.oldPath === undefined || isString(v.oldPath)) && isString(v.status);
}

function isFinding(v: unknown): v is CheckedFinding {
  const line = (n: unknown) => n === undefined || (Number.isInteger(n) && (n as number) >= 1);
  return isObject(v) && isString(v.path) && ['error', 'warning', 'info'].includes(v.severity as string) && isString(v.title) && isString(v.detail) &&
    typeof v.valid === 'boolean' && line(v.line) && line(v.endLine) && (v.side === undefined || v.side === 'new' || v.side === 'old');
}

function isPersistedReview(v: unknown): v is PersistedReview {
  return isObject(v) && isString(v.id) && isString(v.folder) && isString(v.root) && isSource(v.source) && isString(v.description) &&
    isString(v.baseCommit) && (v.headCommit === undefined || isString(v.headCommit)) && Array.isArray(v.files) && v.files.every(isFileStat) &&
    Array.isArray(v.findings) && v.findings.every(isFinding) && isStrings(v.reviewed) && isStrings(v.unreviewed);
}
