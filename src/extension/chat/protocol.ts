/**
 * The typed message protocol between the extension host and the chat webview (media/). It has no `vscode`
 * import so the webview bundle shares these exact types. The webview is untrusted: everything it sends goes
 * through `parseWebviewMessage`, and anything malformed is dropped.
 */
import type { RlmEvent } from '../../core/rlm/events';
import { parseSetScope, type ScopesMessage, type ScopeView, type SetScopeMessage } from '../scope/scopeProtocol';

export type { ScopeChoice, ScopeKind, ScopeView } from '../scope/scopeProtocol';

export const PROTOCOL_VERSION = 1;

/** A citation as the webview shows it: valid ones become links, invalid ones are marked and not linked. */
export interface CitationView {
  /** Offset and length of the citation in the answer markdown. */
  offset: number;
  length: number;
  raw: string;
  /** Workspace-relative path (resolved when valid). */
  path: string;
  /** Workspace folder name in a multi-root workspace. */
  folder?: string;
  startLine: number;
  endLine: number;
  valid: boolean;
  reason?: string;
  /** The review (its run id) this citation belongs to: the chat asks to open it in the review's diff editor. */
  review?: string;
}

export interface UsageView {
  totalTokens: number;
  iterations: number;
  subCalls: number;
  cost?: number;
  /** Sub-calls answered from the cache, and what their original calls cost (not in the totals). */
  cachedSubCalls?: number;
  savedTokens?: number;
  savedCost?: number;
}

/** A cell of a stored run's trajectory summary: code and output, each truncated. */
export interface HistoryCell {
  cell: number;
  code: string;
  output?: string;
  error?: string;
}

/** A root-model turn of a stored run's trajectory summary (sub-calls are not kept; the log has everything). */
export interface HistoryTurn {
  turn: number;
  text: string;
  cells: HistoryCell[];
}

/** A finished question as the chat history keeps it per workspace (extension workspaceState), shown again after a reload. */
export interface HistoryRun {
  runId: string;
  question: string;
  startedAt: number;
  durationMs: number;
  status: 'answered' | 'failed' | 'cancelled';
  /** The answer markdown and what belongs to it, when answered. */
  answer?: string;
  citations?: CitationView[];
  usage?: UsageView;
  forced?: boolean;
  /** Why it failed (or was interrupted by a reload). */
  error?: string;
  turns?: HistoryTurn[];
  /** The scope the question was asked in (absent: runs from before scopes, or not a question). */
  scope?: ScopeView;
}

// ── webview → extension ─────────────────────────────────────────────────────
export type WebviewMessage =
  | { type: 'ready'; version: number }
  | { type: 'ask'; question: string }
  | { type: 'cancel' }
  | { type: 'newChat' }
  | { type: 'openCitation'; path: string; startLine: number; endLine: number; folder?: string; review?: string }
  | { type: 'setApiKey' }
  /** The "Configure model…" button of the no-model notice. */
  | { type: 'configureModel' }
  | { type: 'showLog' }
  | { type: 'copy'; text: string }
  | SetScopeMessage;

// ── extension → webview ─────────────────────────────────────────────────────
export type HostMessage =
  /** `configured`: a question can go to a model now; when not, `setupReason` says what is missing. */
  | { type: 'init'; version: number; model: string; provider: string; workspaceName: string; configured: boolean; setupReason?: string }
  /** A question was asked with no model configured: nothing ran, the question goes back into the input. */
  | { type: 'needsModel'; question: string; reason: string }
  | { type: 'prefill'; question: string }
  | { type: 'runStarted'; runId: string; question: string; startedAt: number }
  | { type: 'event'; runId: string; event: RlmEvent }
  | { type: 'answer'; runId: string; answer: string; citations: CitationView[]; usage: UsageView; forced: boolean; durationMs: number; scope?: ScopeView }
  /** The scope picker's choices and the current one (its id); sent after the handshake and when they change. */
  | ScopesMessage
  | { type: 'runFailed'; runId: string; message: string }
  | { type: 'runCancelled'; runId: string }
  | { type: 'busy'; message: string }
  | { type: 'status'; message: string }
  | { type: 'cleared' }
  /**
   * Sent after `init` on every ready handshake: the workspace's stored runs, oldest first, and the run still going
   * in this extension host (if any). It replaces whatever runs the webview restored from its own state.
   */
  | { type: 'history'; runs: HistoryRun[]; active?: { runId: string; question: string; startedAt: number } };

const MAX_QUESTION = 20_000;
const MAX_PATH = 4_096;
const MAX_COPY = 5_000_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLine(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 10_000_000;
}

/** Validates a message from the webview; returns undefined for anything that is not exactly a known message. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return typeof raw.version === 'number' ? { type: 'ready', version: raw.version } : undefined;
    case 'ask': {
      if (typeof raw.question !== 'string') return undefined;
      const question = raw.question.trim();
      return question && question.length <= MAX_QUESTION ? { type: 'ask', question } : undefined;
    }
    case 'cancel':
    case 'newChat':
    case 'setApiKey':
    case 'configureModel':
    case 'showLog':
      return { type: raw.type };
    case 'copy':
      return typeof raw.text === 'string' && raw.text.length <= MAX_COPY ? { type: 'copy', text: raw.text } : undefined;
    case 'openCitation': {
      const { path, startLine, endLine, folder, review } = raw;
      if (typeof path !== 'string' || !path || path.length > MAX_PATH || path.includes('\0')) return undefined;
      if (!isLine(startLine) || !isLine(endLine) || endLine < startLine) return undefined;
      if (folder !== undefined && (typeof folder !== 'string' || folder.length > MAX_PATH)) return undefined;
      if (review !== undefined && (typeof review !== 'string' || !/^[\w-]{1,100}$/.test(review))) return undefined;
      return { type: 'openCitation', path, startLine, endLine, ...(folder !== undefined ? { folder } : {}), ...(review !== undefined ? { review } : {}) };
    }
    case 'setScope':
      return parseSetScope(raw);
    default:
      return undefined;
  }
}
