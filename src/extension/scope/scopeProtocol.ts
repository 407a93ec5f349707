/**
 * The chat's scope picker, as the host and the webview exchange it (no `vscode` import: the webview bundle
 * shares these types). A scope is a workspace folder plus, optionally, a directory or a package inside it;
 * questions go to that folder and see only that part of it.
 */

export type ScopeKind = 'workspace' | 'folder' | 'package' | 'directory';

/** One entry of the picker. `folder` and `spec` say what choosing it sets; "Directory…" and "Package…" have no spec. */
export interface ScopeChoice {
  id: string;
  label: string;
  kind: ScopeKind;
  /** Workspace folder name (multi-root); absent for the whole workspace. */
  folder?: string;
  /** The directory (workspace-relative) or the package name. */
  spec?: string;
  detail?: string;
}

/** The scope an answer was given in, shown with it (and kept in the history). */
export interface ScopeView {
  kind: ScopeKind;
  /** What the chat shows: "Whole workspace", "packages/api", "@mono/core (packages/core)"; prefixed by the folder in multi-root. */
  label: string;
  folder?: string;
  spec?: string;
}

export type ScopesMessage = { type: 'scopes'; current: string; choices: ScopeChoice[] };

/** Webview → host: choose a scope. A directory or package kind without `spec` asks the host to show its own picker. */
export type SetScopeMessage = { type: 'setScope'; kind: ScopeKind; folder?: string; spec?: string };

const KINDS: readonly ScopeKind[] = ['workspace', 'folder', 'package', 'directory'];
const MAX_SPEC = 1_024;
const MAX_FOLDER = 4_096;

/**
 * A directory the webview may name: relative, POSIX or Windows separators, no `..` segment and no control
 * characters, so it can only point inside the folder. Whether it exists is the host's check.
 */
export function isWorkspaceRelativeDir(spec: string): boolean {
  if (!spec || spec.length > MAX_SPEC || /[\0-\x1f]/.test(spec)) return false;
  const posix = spec.replace(/\\/g, '/');
  if (posix.startsWith('/') || /^[a-zA-Z]:/.test(posix) || posix.startsWith('~')) return false;
  return posix.split('/').every((segment) => segment !== '..');
}

/** Validates a `setScope` from the webview; undefined for anything malformed (the caller drops it). */
export function parseSetScope(raw: Record<string, unknown>): SetScopeMessage | undefined {
  const { kind, folder, spec } = raw;
  if (typeof kind !== 'string' || !KINDS.includes(kind as ScopeKind)) return undefined;
  if (folder !== undefined && (typeof folder !== 'string' || !folder || folder.length > MAX_FOLDER || folder.includes('\0'))) return undefined;
  if (spec !== undefined && typeof spec !== 'string') return undefined;
  const k = kind as ScopeKind;
  if (k === 'workspace' && (folder !== undefined || spec !== undefined)) return undefined;
  if (k === 'folder' && (folder === undefined || spec !== undefined)) return undefined;
  if (spec !== undefined) {
    const s = spec.trim();
    if (k === 'directory' && !isWorkspaceRelativeDir(s)) return undefined;
    if (k === 'package' && (!s || s.length > MAX_SPEC || /[\0-\x1f]/.test(s))) return undefined;
    return { type: 'setScope', kind: k, ...(folder !== undefined ? { folder } : {}), spec: s };
  }
  return { type: 'setScope', kind: k, ...(folder !== undefined ? { folder } : {}) };
}
