import type { CodeIndex } from '../index/codeIndex';
import type { CodeSymbol } from '../index/symbols/symbolIndex';

/**
 * What a user names on the command line or in the chat: a workspace file, or a symbol by exact name
 * (`name`, `Container.name`, or `path#name` to pick one definition). A name defined in several places
 * resolves to all of its definitions, and says so.
 */
export type TraceTarget =
  | { kind: 'file'; input: string; path: string }
  | { kind: 'symbol'; input: string; name: string; definitions: CodeSymbol[]; ambiguous: boolean };

export interface UnknownTarget {
  kind: 'unknown';
  input: string;
  message: string;
  /** Near matches: files whose path contains the input's base name, symbols whose name contains it. */
  suggestions: string[];
}

const MAX_SUGGESTIONS = 8;

export function qualifiedName(s: Pick<CodeSymbol, 'name' | 'container'>): string {
  return s.container ? `${s.container}.${s.name}` : s.name;
}

export async function resolveTraceTarget(code: CodeIndex, input: string): Promise<TraceTarget | UnknownTarget> {
  const text = input.trim();
  const file = code.map.resolve(text);
  if (file !== undefined) return { kind: 'file', input, path: file };
  let definitions: CodeSymbol[] = [];
  let name = text;
  const hash = text.lastIndexOf('#');
  if (hash > 0) {
    const path = code.map.resolve(text.slice(0, hash));
    name = text.slice(hash + 1);
    if (path !== undefined) definitions = (await byName(code, name)).filter((s) => s.path === path);
  } else if (text !== '') {
    definitions = await byName(code, text);
  }
  if (definitions.length > 0) {
    return { kind: 'symbol', input, name: definitions[0].name, definitions, ambiguous: definitions.length > 1 };
  }
  const suggestions = await nearMatches(code, text);
  return {
    kind: 'unknown',
    input,
    message:
      `"${text}" is neither a workspace file nor a symbol defined in the workspace` +
      (suggestions.length ? `; did you mean: ${suggestions.join(', ')}?` : ''),
    suggestions,
  };
}

/** Exact name, or `Container.name`. */
async function byName(code: CodeIndex, text: string): Promise<CodeSymbol[]> {
  if (!/^[\w$]+(\.[\w$]+)*$/.test(text)) return [];
  const exact = await code.findSymbol(text, { exact: true });
  if (exact.length || !text.includes('.')) return exact;
  const dot = text.lastIndexOf('.');
  const container = text.slice(0, dot);
  return (await code.findSymbol(text.slice(dot + 1), { exact: true })).filter((s) => s.container === container);
}

async function nearMatches(code: CodeIndex, text: string): Promise<string[]> {
  const base = (text.split(/[/#]/).pop() ?? '').replace(/\.[\w]+$/, '');
  if (base.length < 2) return [];
  const lower = base.toLowerCase();
  const near = (name: string) => {
    const n = name.toLowerCase();
    return n.includes(lower) || lower.includes(n) || editDistance(n, lower) <= Math.min(2, Math.floor(lower.length / 3));
  };
  const out: string[] = [];
  for (const f of code.map.files()) {
    if (out.length >= MAX_SUGGESTIONS / 2) break;
    const stem = (f.path.split('/').pop() ?? '').replace(/\.[\w]+$/, '');
    if (f.path.toLowerCase().includes(lower) || (stem.length > 1 && near(stem))) out.push(f.path);
  }
  const name = base.split('.').pop()!;
  if (/^[\w$]+$/.test(name) && name.length >= 3) {
    // Candidates share a leading fragment with the input; typos past it are caught by the edit distance.
    const symbols = await code.findSymbol(name.slice(0, 3), { exact: false }).catch(() => []);
    for (const s of symbols) {
      if (out.length >= MAX_SUGGESTIONS) break;
      if (!near(s.name)) continue;
      const label = `${qualifiedName(s)} (${s.path}:${s.line})`;
      if (!out.includes(label)) out.push(label);
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
