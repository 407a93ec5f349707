/**
 * The typed message protocol between the extension host and the dependency-graph panel (media/src/graph). Like
 * protocol.ts it has no `vscode` import, so the webview bundle shares these types. The panel is untrusted: what it
 * sends goes through `parseGraphWebviewMessage`, and anything malformed is dropped.
 */
import type { TraceGraph } from '../../core/trace/traceGraph';

export const GRAPH_PROTOCOL_VERSION = 1;

// ── webview → extension ─────────────────────────────────────────────────────
export type GraphWebviewMessage =
  | { type: 'ready'; version: number }
  /** Open a node's (or a hop's) file at a line; honoured only for a file of the folder's map. */
  | { type: 'openNode'; path: string; line: number; folder?: string }
  /** Ask the chat to explain the graph shown. */
  | { type: 'explain' };

// ── extension → webview ─────────────────────────────────────────────────────
export type GraphHostMessage =
  /** A trace to show; `to` is set for "how does A reach B", `folder` names the workspace folder it was computed in. */
  | { type: 'graph'; version: number; graph: TraceGraph; to?: string; folder: string }
  | { type: 'status'; message: string; kind: 'info' | 'error' };

const MAX_PATH = 4_096;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLine(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 10_000_000;
}

function isPath(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH && !v.includes('\0');
}

/** Validates a message from the graph panel; returns undefined for anything that is not exactly a known message. */
export function parseGraphWebviewMessage(raw: unknown): GraphWebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return typeof raw.version === 'number' ? { type: 'ready', version: raw.version } : undefined;
    case 'explain':
      return { type: 'explain' };
    case 'openNode': {
      const { path, line, folder } = raw;
      if (!isPath(path) || !isLine(line)) return undefined;
      if (folder !== undefined && !isPath(folder)) return undefined;
      return { type: 'openNode', path, line, ...(folder !== undefined ? { folder } : {}) };
    }
    default:
      return undefined;
  }
}

/** Host messages come from the extension, but the webview still checks the shape before reading it. */
export function parseGraphHostMessage(raw: unknown): GraphHostMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'status') {
    return typeof raw.message === 'string' && (raw.kind === 'info' || raw.kind === 'error') ? (raw as GraphHostMessage) : undefined;
  }
  if (raw.type !== 'graph' || typeof raw.folder !== 'string' || !isObject(raw.graph)) return undefined;
  const g = raw.graph;
  if (typeof g.target !== 'string' || !Array.isArray(g.nodes) || !Array.isArray(g.edges) || !Array.isArray(g.roots)) return undefined;
  if (!g.nodes.every((n) => isObject(n) && typeof n.id === 'string' && typeof n.kind === 'string')) return undefined;
  if (!g.edges.every((e) => isObject(e) && typeof e.from === 'string' && typeof e.to === 'string' && typeof e.path === 'string')) return undefined;
  return raw as GraphHostMessage;
}
