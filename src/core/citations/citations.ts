import type { FileMap } from '../workspace/fileMap';

/**
 * Citations in an answer: `path:line`, `path:start-end`, `path#Lx-Ly` and markdown links to any of those.
 * A citation is valid only when the file is in the workspace map (so never a secret, an ignored file or an
 * invented path) and every cited line exists. Valid ones carry the cited text so a UI can show it.
 */

export interface ParsedCitation {
  /** The citation exactly as written in the answer. */
  raw: string;
  /** The path as written by the model. */
  path: string;
  startLine: number;
  endLine: number;
  /** Where `raw` starts in the answer and how long it is, so a renderer can replace it by a link. */
  offset: number;
  length: number;
  /** For markdown links, the link label. */
  label?: string;
}

export interface Citation extends ParsedCitation {
  valid: boolean;
  /** The workspace path the citation resolved to (may differ from `path`: `./src/a.ts`, or a unique suffix). */
  resolvedPath?: string;
  /** Why an invalid citation is invalid. */
  reason?: string;
  /** The cited lines (capped), for valid citations. */
  text?: string;
}

const PATH = String.raw`(?:[\w@.+~-]+/)*[\w@+~-][\w@.+~-]*`;
const LINES = String.raw`(?::L?(\d+)(?:-L?(\d+))?|#L(\d+)(?:-L?(\d+))?)`;
const LINK = new RegExp(String.raw`\[([^\]\n]*)\]\(<?(\.{0,2}/?${PATH})${LINES}>?\)`, 'g');
const BARE = new RegExp(String.raw`(?<![\w/.:#@~-])(\.{0,2}/?${PATH})${LINES}(?![\w-]|\.\d)`, 'g');
const MAX_CITED_CHARS = 4000;

function looksLikePath(path: string): boolean {
  // `10:30`, `v1.2:3` or `note:5` are not file citations: a path needs a directory or a file extension.
  const base = path.split('/').pop() ?? '';
  return path.includes('/') || /\.[A-Za-z][\w-]*$/.test(base) || /^(Makefile|Dockerfile|Kconfig|LICENSE|README)/.test(base);
}

function toCitation(m: RegExpExecArray, pathGroup: number, label?: string): ParsedCitation | undefined {
  const path = m[pathGroup];
  const start = Number(m[pathGroup + 1] ?? m[pathGroup + 3]);
  const endRaw = m[pathGroup + 2] ?? m[pathGroup + 4];
  const end = endRaw === undefined ? start : Number(endRaw);
  if (!looksLikePath(path) || !Number.isFinite(start)) return undefined;
  return { raw: m[0], path, startLine: start, endLine: end, offset: m.index, length: m[0].length, label };
}

/** Every citation in a markdown answer, in order of appearance. Code fences are skipped. */
export function parseCitations(markdown: string): ParsedCitation[] {
  const found: ParsedCitation[] = [];
  const taken: [number, number][] = [];
  const fences = fencedRanges(markdown);
  const inside = (at: number) => fences.some(([s, e]) => at >= s && at < e) || taken.some(([s, e]) => at >= s && at < e);
  for (const m of markdown.matchAll(LINK)) {
    const mm = m as RegExpExecArray;
    if (inside(mm.index)) continue;
    const c = toCitation(mm, 2, mm[1]);
    if (c) {
      found.push(c);
      taken.push([mm.index, mm.index + mm[0].length]);
    }
  }
  for (const m of markdown.matchAll(BARE)) {
    const mm = m as RegExpExecArray;
    if (inside(mm.index)) continue;
    const c = toCitation(mm, 1);
    if (c) found.push(c);
  }
  return found.sort((a, b) => a.offset - b.offset);
}

function fencedRanges(markdown: string): [number, number][] {
  const ranges: [number, number][] = [];
  const re = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm;
  for (const m of markdown.matchAll(re)) ranges.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
  return ranges;
}

/** Resolves a path as a model writes it: exactly, or as a unique suffix at a directory boundary. */
export function resolveCitedPath(map: FileMap, path: string): string | undefined {
  const exact = map.resolve(path);
  if (exact) return exact;
  const cleaned = path.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (!cleaned || cleaned.startsWith('../')) return undefined;
  const matches = map.files().filter((f) => f.path === cleaned || f.path.endsWith(`/${cleaned}`));
  return matches.length === 1 ? matches[0].path : undefined;
}

/** Parses and checks every citation of an answer against the workspace. */
export async function verifyCitations(markdown: string, map: FileMap): Promise<Citation[]> {
  const parsed = parseCitations(markdown);
  return Promise.all(parsed.map((c) => verifyCitation(c, map)));
}

export async function verifyCitation(c: ParsedCitation, map: FileMap): Promise<Citation> {
  const resolvedPath = resolveCitedPath(map, c.path);
  if (!resolvedPath) return { ...c, valid: false, reason: `no such file in the workspace: ${c.path}` };
  if (c.startLine < 1 || c.endLine < c.startLine) {
    return { ...c, resolvedPath, valid: false, reason: `invalid line range ${c.startLine}-${c.endLine}` };
  }
  let total: number;
  try {
    total = await map.lineCount(resolvedPath);
  } catch (err) {
    return { ...c, resolvedPath, valid: false, reason: `cannot read ${resolvedPath}: ${(err as Error).message}` };
  }
  if (c.endLine > total) {
    return { ...c, resolvedPath, valid: false, reason: `${resolvedPath} has ${total} lines; line ${c.endLine} does not exist` };
  }
  try {
    const { text } = await map.readLines(resolvedPath, c.startLine, c.endLine);
    const capped = text.length > MAX_CITED_CHARS ? `${text.slice(0, MAX_CITED_CHARS)}\n…` : text;
    return { ...c, resolvedPath, valid: true, text: capped };
  } catch (err) {
    return { ...c, resolvedPath, valid: false, reason: `cannot read ${resolvedPath}: ${(err as Error).message}` };
  }
}
