import type { FileEntry, FileMap } from './fileMap';
import { BufferPool, ReadOutcome } from './fileReader';
import { requiredLiteral } from './patternLiteral';
import { ScanJob, runScan, scanParallelism } from './scanWorkers';
import { literalTrigrams } from './trigramFilter';

export interface GrepOptions {
  glob?: string;
  ignoreCase?: boolean;
  maxResults?: number;
  context?: number;
  signal?: AbortSignal;
}

export interface GrepMatch {
  path: string;
  line: number;
  text: string;
  before?: string[];
  after?: string[];
}

export interface GrepResult {
  matches: GrepMatch[];
  truncated: boolean;
  filesSearched: number;
}

export const DEFAULT_MAX_RESULTS = 200;
/** Longer lines (minified code) are cut to a window around the match. */
export const MAX_LINE_CHARS = 300;
const READ_AHEAD = 32;
const POOL_BUFFER_BYTES = 256 * 1024;
const CHUNK_BYTES = 2 * 1024 * 1024;
const CHUNK_FILES = 256;

/** A compiled search: how to scan whole texts, confirm a line, and dismiss raw bytes cheaply. */
export interface CompiledPattern {
  /** Global + multiline: finds candidate positions across a whole text in one native scan. */
  scan: RegExp;
  /** Multiline, non-global: the per-line truth (same flags, so ^ $ \b agree with `scan`). */
  line: RegExp;
  /** Lookarounds can see past a line's end in a whole-text scan, so those patterns go line by line. */
  perLine: boolean;
  /** Returns false when the bytes cannot contain a match. */
  mayMatch: (content: Buffer) => boolean;
  mayMatchText: (text: string) => boolean;
  /** The prefilter literal, for scans that run elsewhere (worker threads). */
  literal?: { bytes: Uint8Array; source: string; ignoreCase: boolean };
}

/** Compiles a grep pattern (a regex source, or source + flags); throws 'invalid pattern: …'. */
export function compilePattern(pattern: string | { source: string; flags?: string }, ignoreCase = false): CompiledPattern {
  const source = typeof pattern === 'string' ? pattern : String(pattern?.source ?? '');
  const given = typeof pattern === 'string' ? '' : String(pattern?.flags ?? '');
  // g/y/d/m are ours to decide; keep what changes meaning (i, s, u, v).
  let flags = [...new Set(given.replace(/[gydm]/g, ''))].join('');
  if (ignoreCase && !flags.includes('i')) flags += 'i';
  let scan: RegExp;
  let line: RegExp;
  try {
    scan = new RegExp(source, flags + 'gm');
    line = new RegExp(source, flags + 'm');
  } catch (error) {
    throw new Error(`invalid pattern: ${source} (${(error as Error).message})`);
  }
  const perLine = /\(\?<?[=!]/.test(source);
  return { scan, line, perLine, ...prefilter(requiredLiteral(source, flags), flags) };
}

function prefilter(literal: string | undefined, flags: string): Pick<CompiledPattern, 'mayMatch' | 'mayMatchText' | 'literal'> {
  const always = { mayMatch: () => true, mayMatchText: () => true };
  // U+FFFD in the decoded text may stand for bytes that aren't its encoding; lone surrogates have none.
  if (!literal || literal.includes('\uFFFD') || /[\uD800-\uDFFF]/.test(literal.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    return always;
  }
  if (!flags.includes('i') || !/[A-Za-z]/.test(literal)) {
    const needle = Buffer.from(literal, 'utf8');
    return {
      mayMatch: (content) => content.indexOf(needle) !== -1,
      mayMatchText: (text) => text.includes(literal),
      literal: { bytes: needle, source: literal, ignoreCase: false },
    };
  }
  // Case-insensitive: exact for ASCII literals on a latin1 view of the bytes, since no non-ASCII
  // character folds to ASCII — except 'ſ' → s and 'K' (Kelvin) → k under the u/v flags.
  if (!/^[\x20-\x7e]*$/.test(literal) || (/[uv]/.test(flags) && /[ks]/i.test(literal))) return always;
  const source = literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const re = new RegExp(source, 'i');
  return {
    mayMatch: (content) => re.test(content.toString('latin1')),
    mayMatchText: (text) => re.test(text),
    literal: { bytes: Buffer.from(literal), source, ignoreCase: true },
  };
}

interface TextSearchOptions {
  maxResults: number;
  context: number;
}

/** Matches of `compiled` in one text, one per matching line, in line order. */
export function grepText(
  text: string,
  compiled: CompiledPattern,
  options: Partial<TextSearchOptions> = {},
): { matches: Omit<GrepMatch, 'path'>[]; truncated: boolean } {
  const max = Math.max(0, options.maxResults ?? DEFAULT_MAX_RESULTS);
  const context = Math.max(0, Math.floor(options.context ?? 0));
  const matches: Omit<GrepMatch, 'path'>[] = [];
  let truncated = false;
  if (text.length === 0) return { matches, truncated };
  // Line number bookkeeping: `cursorLine` is the number of the line starting at `cursor`.
  let cursor = 0;
  let cursorLine = 1;
  const lineNumberAt = (lineStart: number): number => {
    let i = text.indexOf('\n', cursor);
    while (i !== -1 && i < lineStart) {
      cursorLine++;
      i = text.indexOf('\n', i + 1);
    }
    cursor = lineStart;
    return cursorLine;
  };
  const record = (lineStart: number, lineEnd: number): boolean => {
    const lineText = stripCr(text.slice(lineStart, lineEnd));
    compiled.line.lastIndex = 0;
    const m = compiled.line.exec(lineText);
    if (!m) return true;
    if (matches.length >= max) {
      truncated = true;
      return false;
    }
    const match: Omit<GrepMatch, 'path'> = { line: lineNumberAt(lineStart), text: clip(lineText, m.index) };
    if (context > 0) {
      match.before = linesBefore(text, lineStart, context);
      match.after = linesAfter(text, lineEnd, context);
    }
    matches.push(match);
    return true;
  };

  if (compiled.perLine) {
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (start === text.length && end === start && start > 0) break;
      if (!record(start, end)) break;
      start = end + 1;
    }
    return { matches, truncated };
  }

  const scan = compiled.scan;
  scan.lastIndex = 0;
  while (scan.lastIndex <= text.length) {
    const m = scan.exec(text);
    if (!m) break;
    const lineStart = m.index === 0 ? 0 : text.lastIndexOf('\n', m.index - 1) + 1;
    if (lineStart === text.length && lineStart > 0 && text.charCodeAt(lineStart - 1) === 10) break; // past the last line
    let lineEnd = text.indexOf('\n', m.index);
    if (lineEnd === -1) lineEnd = text.length;
    // The scan may have matched across a newline; the line itself is the judge.
    if (!record(lineStart, lineEnd)) break;
    scan.lastIndex = lineEnd + 1;
  }
  return { matches, truncated };
}

/**
 * Searches the map's files in path order, stopping at `maxResults` (so results equal a full search
 * cut at that point). Raw bytes are prefiltered on a literal the pattern requires, before decoding.
 * Large maps are pre-scanned by worker threads in ordered chunks (see scanWorkers.ts); the main
 * thread line-searches only the candidates, in order, and stops dispatching once it has enough.
 */
export async function grep(
  map: FileMap,
  pattern: string | { source: string; flags?: string },
  options: GrepOptions = {},
): Promise<GrepResult> {
  const compiled = compilePattern(pattern, options.ignoreCase);
  const max = Math.max(0, Math.floor(options.maxResults ?? DEFAULT_MAX_RESULTS));
  const context = Math.max(0, Math.floor(options.context ?? 0));
  const { signal } = options;
  const files = map.files(options.glob);
  const pool = new BufferPool(POOL_BUFFER_BYTES, READ_AHEAD);

  // The decoded text of a file that may match, or undefined when it can't (or is gone).
  const load = async (path: string): Promise<string | undefined> => {
    const inMemory = map.peekText(path);
    if (inMemory !== undefined) return compiled.mayMatchText(inMemory) ? inMemory : undefined;
    let outcome: ReadOutcome;
    try {
      outcome = await map.readRaw(path, pool);
    } catch {
      return undefined;
    }
    if (outcome.kind !== 'ok') return undefined; // vanished or changed since load: nothing to report
    const content = outcome.buf.subarray(0, outcome.size);
    const text = compiled.mayMatch(content) ? content.toString('utf8') : undefined;
    outcome.release();
    return text;
  };

  const matches: GrepMatch[] = [];
  let truncated = false;
  let filesSearched = 0;

  /**
   * Line-searches `indices` of `files` (ascending); returns false once `maxResults` is exceeded,
   * leaving `filesSearched` at the file where it stopped.
   */
  const searchInOrder = async (indices: number[]): Promise<boolean> => {
    for await (const [index, text] of ordered(indices, READ_AHEAD, (i) => load(files[i].path))) {
      signal?.throwIfAborted();
      filesSearched = index + 1;
      const path = files[index].path;
      if (text === undefined) continue;
      const found = grepText(text, compiled, { maxResults: max - matches.length, context });
      for (const m of found.matches) matches.push({ path, ...m });
      if (found.matches.length > 0) map.cache.set(path, text);
      if (found.truncated) {
        truncated = true;
        return false;
      }
    }
    return true;
  };

  // Files whose load-time trigram signature rules the literal out are never opened.
  const trigrams = compiled.literal ? literalTrigrams(compiled.literal.bytes) : [];
  const wanted: number[] = [];
  for (let i = 0; i < files.length; i++) if (trigrams.length === 0 || map.mayContain(files[i].path, trigrams)) wanted.push(i);
  const chunks = chunkFiles(files, wanted);
  const useWorkers = !map.isVirtual && chunks.length > 1;
  if (!useWorkers) {
    for (const chunk of chunks) {
      if (!(await searchInOrder(chunk.indices))) break;
      filesSearched = chunk.end;
    }
    return { matches, truncated, filesSearched: truncated ? filesSearched : files.length };
  }

  const job = workerJob(compiled, map);
  const ahead = scanParallelism() * 2;
  const scans: (Promise<number[] | undefined> | undefined)[] = [];
  const dispatch = (k: number): void => {
    if (k < 1 || k >= chunks.length || scans[k]) return;
    const paths = chunks[k].indices.map((i) => map.absolutePath(files[i].path));
    // A failed worker is not a failed search: that chunk is then searched in-process.
    scans[k] = runScan({ ...job, paths }).catch(() => undefined);
  };
  // The first chunk is searched right here while the workers start up: a common pattern is
  // often answered before they would have produced anything.
  for (let k = 1; k <= ahead; k++) dispatch(k);
  try {
    for (let k = 0; k < chunks.length; k++) {
      signal?.throwIfAborted();
      for (let j = k + 1; j <= k + ahead; j++) dispatch(j);
      const chunk = chunks[k];
      const candidates = k === 0 ? undefined : await scans[k];
      scans[k] = undefined;
      const indices = candidates ? candidates.map((i) => chunk.indices[i]) : chunk.indices;
      if (!(await searchInOrder(indices))) break;
      filesSearched = chunk.end;
    }
  } finally {
    for (const scan of scans) void scan?.catch(() => undefined);
  }
  return { matches, truncated, filesSearched: truncated ? filesSearched : files.length };
}

interface Chunk {
  /** Indices into the file list, ascending. */
  indices: number[];
  /** One past the last index. */
  end: number;
}

/** Runs of `wanted` (ascending indices into `files`) of about CHUNK_BYTES, at most CHUNK_FILES files. */
function chunkFiles(files: FileEntry[], wanted: number[]): Chunk[] {
  const chunks: Chunk[] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of wanted) {
    if (current.length > 0 && (bytes + files[i].size > CHUNK_BYTES || current.length >= CHUNK_FILES)) {
      chunks.push({ indices: current, end: current[current.length - 1] + 1 });
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += files[i].size;
  }
  if (current.length > 0) chunks.push({ indices: current, end: current[current.length - 1] + 1 });
  return chunks;
}

function workerJob(compiled: CompiledPattern, map: FileMap): Omit<ScanJob, 'paths'> {
  const job: Omit<ScanJob, 'paths'> = { maxBytes: map.maxFileBytes };
  if (compiled.literal) {
    if (compiled.literal.ignoreCase) job.needleIgnoreCase = compiled.literal.source;
    else job.needle = compiled.literal.bytes;
  }
  // Lookarounds can fail across a newline where the line alone would match: prefilter only.
  if (!compiled.perLine) job.regex = { source: compiled.line.source, flags: compiled.line.flags };
  return job;
}

/** Maps `items` through `fn` with up to `ahead` calls in flight, yielding results in order. */
async function* ordered<I, T>(items: I[], ahead: number, fn: (item: I) => Promise<T>): AsyncGenerator<[I, T]> {
  const slots: (Promise<T> | undefined)[] = [];
  let next = 0;
  for (let i = 0; i < items.length; i++) {
    while (next < items.length && next < i + ahead) slots[next] = fn(items[next++]);
    const value = await slots[i]!;
    slots[i] = undefined;
    yield [items[i], value];
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function clip(line: string, at: number): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  const start = Math.max(0, Math.min(at - 100, line.length - MAX_LINE_CHARS));
  const head = start > 0 ? '…' : '';
  const tail = start + MAX_LINE_CHARS < line.length ? '…' : '';
  return head + line.slice(start, start + MAX_LINE_CHARS) + tail;
}

function linesBefore(text: string, lineStart: number, count: number): string[] {
  const out: string[] = [];
  let end = lineStart - 1; // the '\n' ending the previous line
  while (out.length < count && end >= 0) {
    const start = end === 0 ? 0 : text.lastIndexOf('\n', end - 1) + 1;
    out.unshift(clip(stripCr(text.slice(start, end)), 0));
    end = start - 1;
  }
  return out;
}

function linesAfter(text: string, lineEnd: number, count: number): string[] {
  const out: string[] = [];
  let start = lineEnd + 1;
  while (out.length < count && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    out.push(clip(stripCr(text.slice(start, end)), 0));
    start = end + 1;
  }
  return out;
}
