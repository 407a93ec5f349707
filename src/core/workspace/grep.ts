import { EventLoopSlices } from '../eventLoopSlices';
import type { FileEntry, FileMap } from './fileMap';
import { BufferPool, ReadOutcome } from './fileReader';
import { LineMatch, LinePattern, lineSearchKit } from './lineSearch';
import { literalRarity, requiredLiterals } from './patternLiteral';
import { DiskFile, type FolderSearch, RipgrepLines, ripgrepLines, ripgrepLinesSync, ripgrepQuery } from './ripgrep';
import { ScanJob, ScanResult, runScan, scanParallelism } from './scanWorkers';
import { literalTrigrams } from './trigramFilter';
import { folderOf } from './walk';

export interface GrepOptions {
  glob?: string;
  ignoreCase?: boolean;
  maxResults?: number;
  context?: number;
  signal?: AbortSignal;
  /**
   * Stop after about this long and return what was found, with `truncated` and `timedOut` set.
   * Checked between files: one file's regex run cannot be interrupted.
   */
  timeoutMs?: number;
  /**
   * Let the map's ripgrep pick the files to read (results are the same either way): true whenever it can,
   * false never, by default when there are enough files for a process start to pay off.
   */
  ripgrep?: boolean;
}

export interface GrepMatch extends LineMatch {
  path: string;
}

export interface GrepResult {
  matches: GrepMatch[];
  truncated: boolean;
  /** Files searched (in path order) before the search stopped; all of them unless truncated. */
  filesSearched: number;
  /** Present (true) only when `timeoutMs` ran out. */
  timedOut?: boolean;
  /** Present (true) when ripgrep picked the files that were read. */
  ripgrep?: boolean;
}

/** Below this many files to look at, reading them here is quicker than starting ripgrep. */
const RIPGREP_MIN_FILES = 200;
/**
 * How long grep searches here before it starts ripgrep on the rest: a pattern common enough to fill
 * maxResults is answered in that time (ripgrep cannot stop early: it does not search in path order). Not when
 * every match is wanted, which ripgrep finds faster.
 */
const HEAD_MS = 15;
const HEAD_MAX_RESULTS = 1000;
/** The head covers at least this many files, however slowly the first reads come. */
const HEAD_MIN_FILES = 32;

/** How grep hands the files after the head to ripgrep. */
interface RipgrepPlan {
  rg: string;
  query: string[];
  /** The files from the plan's position on whose text is on disk only, and their indices into `files`. */
  disk: DiskFile[];
  indices: number[];
  /** ripgrep's --max-count: one more line than can be listed, so truncation is seen. */
  maxPerFile: number;
  /** The same files as the folders holding them, when they are nearly all of those folders' files. */
  folders?: FolderSearch;
  /**
   * A provisional map's whole listing searched by folder: ripgrep's output is indexed by file index (`disk` and
   * `indices` are left empty), and files whose text is in memory are read here whatever ripgrep says.
   */
  whole?: true;
}

/** Share of a folder's map files a plan must cover for ripgrep to be handed the folder instead of its files. */
const FOLDER_COVERAGE = 0.8;
/** Fewer files per folder than this on average, and naming the files costs ripgrep no more. */
const FOLDER_MIN_FILES = 4;
/** Below this many files, naming them costs ripgrep little. */
const FOLDER_MIN_PLAN = 2000;

export const DEFAULT_MAX_RESULTS = 200;
const { MAX_LINE_CHARS: LINE_CHARS, searchText, judgeLine } = lineSearchKit();
/** Longer lines (minified code) are cut to a window around the match. */
export const MAX_LINE_CHARS = LINE_CHARS;
const READ_AHEAD = 32;
const POOL_BUFFER_BYTES = 256 * 1024;
const CHUNK_BYTES = 2 * 1024 * 1024;
const CHUNK_FILES = 256;

/** A literal every match contains, in the forms the prefilters need. */
export interface PrefilterLiteral {
  /** The literal itself. */
  text: string;
  /** UTF-8 (or, case-insensitive, ASCII) bytes, for trigram signatures and byte search. */
  bytes: Uint8Array;
  /** Regex source for a case-insensitive search of a latin1 view; the literal as is otherwise. */
  source: string;
  ignoreCase: boolean;
}

/** A compiled search: how to scan whole texts, confirm a line, and dismiss raw bytes cheaply. */
export interface CompiledPattern extends LinePattern {
  /** Returns false when the bytes cannot contain a match. */
  mayMatch: (content: Buffer) => boolean;
  mayMatchText: (text: string) => boolean;
  /** The prefilter literal, for scans that run elsewhere (worker threads). */
  literal?: PrefilterLiteral;
  /** Every required literal usable as a prefilter (a file must contain all of them). */
  literals: PrefilterLiteral[];
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
  const literals = requiredLiterals(source, flags)
    .map((text) => prefilterLiteral(text, flags))
    .filter((l): l is PrefilterLiteral => l !== undefined);
  const rarest = pick(literals, (l) => literalRarity(l.text));
  return { scan, line, perLine, literals, ...prefilter(rarest) };
}

/** The same pattern prefiltered on `literal` (one of its `literals`). */
function withPrefilter(compiled: CompiledPattern, literal: PrefilterLiteral): CompiledPattern {
  return { ...compiled, ...prefilter(literal) };
}

function prefilterLiteral(literal: string, flags: string): PrefilterLiteral | undefined {
  // U+FFFD in the decoded text may stand for bytes that aren't its encoding; lone surrogates have none.
  if (literal.includes('\uFFFD') || /[\uD800-\uDFFF]/.test(literal.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) return undefined;
  if (!flags.includes('i') || !/[A-Za-z]/.test(literal)) {
    return { text: literal, bytes: Buffer.from(literal, 'utf8'), source: literal, ignoreCase: false };
  }
  // Case-insensitive: exact for ASCII literals on a latin1 view of the bytes, since no non-ASCII
  // character folds to ASCII — except 'ſ' → s and 'K' (Kelvin) → k under the u/v flags.
  if (!/^[\x20-\x7e]*$/.test(literal) || (/[uv]/.test(flags) && /[ks]/i.test(literal))) return undefined;
  return { text: literal, bytes: Buffer.from(literal), source: literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), ignoreCase: true };
}

function prefilter(literal: PrefilterLiteral | undefined): Pick<CompiledPattern, 'mayMatch' | 'mayMatchText' | 'literal'> {
  if (!literal) return { mayMatch: () => true, mayMatchText: () => true, literal: undefined };
  if (!literal.ignoreCase) {
    const needle = Buffer.from(literal.bytes);
    return {
      mayMatch: (content) => content.indexOf(needle) !== -1,
      mayMatchText: (text) => text.includes(literal.text),
      literal,
    };
  }
  const re = new RegExp(literal.source, 'i');
  return {
    mayMatch: (content) => re.test(content.toString('latin1')),
    mayMatchText: (text) => re.test(text),
    literal,
  };
}

/** `pattern` when it is a plain literal searched case-sensitively (no regex syntax, no flag that changes matching). */
function pureLiteral(pattern: string | { source: string; flags?: string }, compiled: CompiledPattern): string | undefined {
  const source = typeof pattern === 'string' ? pattern : String(pattern?.source ?? '');
  if (compiled.line.flags.replace(/[gm]/g, '') !== '' || /[\\^$.*+?()[\]{}|\/]/.test(source)) return undefined;
  return compiled.literal?.text === source ? source : undefined;
}

/** The item with the highest score (the first on ties). */
function pick<T>(items: T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const s = score(item);
    if (s > bestScore) [best, bestScore] = [item, s];
  }
  return best;
}

/** Matches of `compiled` in one text, one per matching line, in line order. */
export function grepText(
  text: string,
  compiled: LinePattern,
  options: { maxResults?: number; context?: number } = {},
): { matches: LineMatch[]; truncated: boolean } {
  const max = Math.max(0, options.maxResults ?? DEFAULT_MAX_RESULTS);
  const context = Math.max(0, Math.floor(options.context ?? 0));
  return searchText(text, compiled, max, context);
}

/**
 * One grep over one map, whichever way it runs: which files to look at, and the results so far in
 * path order. Both `grep` and `grepSync` feed it files in order, so they agree by construction.
 */
class GrepRun {
  readonly compiled: CompiledPattern;
  readonly max: number;
  readonly context: number;
  readonly files: FileEntry[];
  /** Indices into `files` not ruled out by trigram signatures (nor by ripgrep), ascending. */
  wanted: number[];
  private readonly deadline: number;
  private readonly matches: GrepMatch[] = [];
  private truncated = false;
  private timedOut = false;
  private filesSearched = 0;
  private pickedByRipgrep = false;
  private rgQuery: string[] | undefined | null = null;
  /** The pattern itself when it is a plain, case-sensitive literal (a file matches exactly when it holds it). */
  private readonly literal: string | undefined;

  constructor(
    readonly map: FileMap,
    pattern: string | { source: string; flags?: string },
    readonly options: GrepOptions,
  ) {
    const compiled = compilePattern(pattern, options.ignoreCase);
    this.max = Math.max(0, Math.floor(options.maxResults ?? DEFAULT_MAX_RESULTS));
    this.context = Math.max(0, Math.floor(options.context ?? 0));
    const timeout = options.timeoutMs;
    this.deadline = typeof timeout === 'number' && !Number.isNaN(timeout) ? Date.now() + timeout : Number.POSITIVE_INFINITY;
    this.files = map.files(options.glob);

    // A file must hold every required literal, so it is skipped when its load-time trigram
    // signature rules out any of them; it is never opened. Meanwhile the literal whose trigrams
    // pass the fewest files is the rarest in this corpus: the best byte prefilter for the rest.
    const trigrams = compiled.literals.map((l) => literalTrigrams(l.bytes));
    const passes = trigrams.map(() => 0);
    const wanted: number[] = [];
    // A map without signatures (a provisional one, a virtual one) rules nothing out: every file passes.
    const unsigned = !map.hasSignatures;
    if (unsigned) {
      passes.fill(this.files.length);
      for (let i = 0; i < this.files.length; i++) wanted.push(i);
    }
    for (let i = 0; i < (unsigned ? 0 : this.files.length); i++) {
      let all = true;
      for (let j = 0; j < trigrams.length; j++) {
        if (trigrams[j].length === 0 || map.mayContain(this.files[i].path, trigrams[j])) passes[j]++;
        else all = false;
      }
      if (all) wanted.push(i);
    }
    this.wanted = map.measuring ? this.knownToHold(wanted, compiled) : wanted;
    this.literal = pureLiteral(pattern, compiled);
    const rarest = pick(compiled.literals, (l) => {
      const j = compiled.literals.indexOf(l);
      // Short literals have no trigrams to count: ranked as common as the whole corpus.
      return -passes[j] * 1000 + literalRarity(l.text);
    });
    this.compiled = rarest && rarest !== compiled.literal ? withPrefilter(compiled, rarest) : compiled;
  }

  /**
   * A provisional map has no trigram signatures; in their place, files an earlier ripgrep pass over the whole map
   * showed to lack a literal this pattern requires are not searched again (a findSymbol after a grep of the name).
   */
  private knownToHold(wanted: number[], compiled: CompiledPattern): number[] {
    for (const literal of compiled.literals) {
      const holding = literal.ignoreCase ? undefined : this.map.filesHolding(literal.text);
      if (holding) wanted = wanted.filter((i) => holding.has(this.files[i].path));
    }
    return wanted;
  }

  /**
   * After ripgrep searched every file of a provisional map from `pos` on (the head before it here): which files may
   * hold this run's literal, kept by the map for later searches (see knownToHold).
   */
  learn(plan: RipgrepPlan, lines: Map<number, RipgrepLines>, pos: number): void {
    // Only a provisional map keeps what it learns (a complete one has trigram signatures).
    if (this.literal === undefined || !this.map.measuring || this.files.length !== this.map.size) return;
    const holding = new Set<string>();
    for (const m of this.matches) holding.add(m.path); // the head's: searched whole (it ended without truncation)
    if (plan.whole) {
      // Texts in memory were searched here, not on disk: kept as may-hold.
      for (const i of this.wanted.slice(pos)) if (this.map.peekText(this.files[i].path) !== undefined) holding.add(this.files[i].path);
      lines.forEach((_, k) => holding.add(this.files[k].path));
    } else {
      const given = new Set(plan.indices);
      for (const i of this.wanted.slice(pos)) if (!given.has(i)) holding.add(this.files[i].path); // searched here later, or not at all
      lines.forEach((_, k) => holding.add(this.files[plan.indices[k]].path));
    }
    this.map.learnHolding(this.literal, holding);
  }

  /** True when ripgrep takes part in this run (not without one, on too few files, or with an unsure pattern). */
  get ripgrepUsable(): boolean {
    const use = this.options.ripgrep ?? this.wanted.length >= RIPGREP_MIN_FILES;
    return Boolean(this.map.ripgrep && use && !this.map.isVirtual && this.ripgrepQuery());
  }

  /** The ripgrep arguments for this pattern, translated once (undefined: no sure translation). */
  private ripgrepQuery(): string[] | undefined {
    if (this.rgQuery === null) this.rgQuery = ripgrepQuery(this.compiled);
    return this.rgQuery;
  }

  /** How long to search here before handing the rest to ripgrep. */
  get headMs(): number {
    return this.options.ripgrep === true || this.max > HEAD_MAX_RESULTS ? 0 : HEAD_MS;
  }

  /**
   * After `elapsed` ms of searching `searched` files here: true while finishing here looks quicker than handing the rest to
   * ripgrep — within the head's time, or when the matches so far project maxResults soon after it.
   */
  staysHere(elapsed: number, searched: number): boolean {
    if (this.headMs === 0) return false;
    if (elapsed < this.headMs || searched < HEAD_MIN_FILES) return true;
    const found = this.matches.length;
    return found > 0 && (elapsed * (this.max - found)) / found < 2 * this.headMs;
  }

  /** ripgrep's part of the run from position `from` in `wanted` on; undefined when it has none. */
  ripgrepPlan(from = 0): RipgrepPlan | undefined {
    const rg = this.map.ripgrep;
    const query = this.ripgrepUsable ? this.ripgrepQuery() : undefined;
    if (!rg || !query) return undefined;
    const whole = this.wholeListingSearch();
    if (whole) return { rg, query, disk: [], indices: [], maxPerFile: this.max + 1, folders: whole, whole: true };
    // Texts in memory (an unsaved editor's, a cached one) are searched here as they are.
    const indices = this.wanted.slice(from).filter((i) => this.map.peekText(this.files[i].path) === undefined);
    if (indices.length === 0) return undefined;
    const disk = indices.map((i) => this.map.diskFile(this.files[i].path));
    const folders = this.folderSearch(disk);
    return { rg, query, disk, indices, maxPerFile: this.max + 1, ...(folders ? { folders } : {}) };
  }

  /**
   * The map's whole listing, by folder, when this run searches (nearly) every file of it (no glob): its folders were
   * worked out once, in slices, when the map was made — nothing here walks 83k paths. A provisional map's run must
   * cover every file (what it learns depends on it); a complete map's, most of them: files the trigram signatures
   * ruled out are read by ripgrep and their lines never asked for, and fewer files are faster named one by one.
   */
  private wholeListingSearch(): FolderSearch | undefined {
    if (this.files.length < FOLDER_MIN_PLAN || this.files.length !== this.map.size) return undefined;
    if (this.map.measuring ? this.wanted.length !== this.files.length : this.wanted.length < FOLDER_COVERAGE * this.files.length) return undefined;
    const listing = this.map.listingFolders();
    if (!listing || listing.rels.length !== this.files.length || listing.folders.length * FOLDER_MIN_FILES > this.files.length) return undefined;
    if (this.files[0]?.path !== listing.rels[0] || this.files[this.files.length - 1]?.path !== listing.rels[listing.rels.length - 1]) return undefined;
    return { root: listing.root, folders: listing.folders, files: listing.rels, byRel: listing.byRel, ...(listing.named ? { named: listing.named } : {}) };
  }

  /**
   * `disk` as the folders holding it, when it is nearly all of the map's files in those folders: ripgrep reads a list
   * of folders about as fast as it walks them, and much faster than tens of thousands of named files (a sixth less
   * time on the JDK's sources). The folders' other files are read too and their lines dropped: files the trigram
   * signatures ruled out (no line of theirs can match) and, in a provisional map, whatever the walk left out
   * (secrets excepted: ripgrep is told to skip them). A complete map knows where it left files out (binary, ignored,
   * too large): those folders' files are named one by one.
   */
  private folderSearch(disk: DiskFile[]): FolderSearch | undefined {
    const root = disk[0]?.root;
    if (disk.length < FOLDER_MIN_PLAN || disk.some((f) => f.root !== root)) return undefined;
    const leftOut = this.map.measuring ? new Set<string>() : this.map.leftOutFolders(root);
    if (!leftOut) return undefined;
    const planned = new Set<string>();
    const named: string[] = [];
    for (const f of disk) {
      const folder = folderOf(f.rel);
      if (leftOut.has(folder)) named.push(f.rel);
      else planned.add(folder);
    }
    const inPlanned = disk.length - named.length;
    if (inPlanned < FOLDER_MIN_PLAN || planned.size * FOLDER_MIN_FILES > inPlanned) return undefined;
    let inFolders = 0;
    for (const e of this.map.files()) {
      const rel = this.map.diskFile(e.path).rel;
      if (planned.has(folderOf(rel))) inFolders++;
    }
    if (inPlanned < FOLDER_COVERAGE * inFolders) return undefined;
    return { root, folders: [...planned], files: disk.map((f) => f.rel), named };
  }

  /**
   * Judges the lines ripgrep printed for file `index` with the pattern itself: false once the search must stop,
   * 'read' when the file must be read instead (context lines wanted, or ripgrep stopped at its per-file cap on
   * lines the pattern turned down, so later matches may be missing).
   */
  judge(index: number, lines: RipgrepLines, maxPerFile: number): boolean | 'read' {
    // A provisional map has not measured its files yet: one ripgrep found lines in is read here, which refuses a
    // binary file as the complete map leaves it out (ripgrep is run with --text).
    if (this.context > 0 || this.map.measuring) return 'read';
    // ripgrep stopped at its cap: a line the pattern turns down leaves later matches unseen (the file overflows
    // maxResults either way, so judging its lines twice costs little).
    if (lines.length >= maxPerFile) for (let k = 0; k < lines.length; k++) if (judgeLine(lines.text(k), this.compiled) === undefined) return 'read';
    this.filesSearched = index + 1;
    const path = this.files[index].path;
    for (let k = 0; k < lines.length; k++) {
      const text = judgeLine(lines.text(k), this.compiled);
      if (text === undefined) continue;
      if (this.matches.length >= this.max) {
        this.truncated = true;
        return false;
      }
      this.matches.push({ path, line: lines.numbers[k], text });
    }
    return true;
  }

  /**
   * Switches the run to ripgrep's lines. The verdict on a file is what `searchFile` returns (go on, or stop), or
   * 'read' when the file is to be searched here: its text is in memory, or the judge asks for the file.
   */
  ripgrepVerdicts(plan: RipgrepPlan, lines: Map<number, RipgrepLines>): (index: number) => boolean | 'read' {
    this.pickedByRipgrep = true;
    if (plan.whole) {
      return (index) => {
        if (this.map.peekText(this.files[index].path) !== undefined) return 'read';
        const printed = lines.get(index);
        return printed ? this.judge(index, printed, plan.maxPerFile) : this.searchFile(index, undefined);
      };
    }
    const onDisk = new Map(plan.indices.map((index, k) => [index, k]));
    return (index) => {
      const k = onDisk.get(index);
      if (k === undefined) return 'read';
      const printed = lines.get(k);
      return printed ? this.judge(index, printed, plan.maxPerFile) : this.searchFile(index, undefined);
    };
  }

  /** True (and the run marked timed out) once the deadline has passed. */
  expired(): boolean {
    if (Date.now() < this.deadline) return false;
    this.timedOut = true;
    this.truncated = true;
    return true;
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  remaining(): number {
    return this.deadline - Date.now();
  }

  /** The decoded text of a read, or undefined when it can't match (or is gone). */
  candidate(outcome: ReadOutcome): string | undefined {
    if (outcome.kind !== 'ok') return undefined; // vanished or changed since load: nothing to report
    const content = outcome.buf.subarray(0, outcome.size);
    const text = this.compiled.mayMatch(content) ? content.toString('utf8') : undefined;
    outcome.release();
    return text;
  }

  /** Text already in memory for `index`: the text, 'no' when it can't match, undefined when not in memory. */
  inMemory(index: number): string | 'no' | undefined {
    const text = this.map.peekText(this.files[index].path);
    if (text === undefined) return undefined;
    return this.compiled.mayMatchText(text) ? text : 'no';
  }

  /** Searches file `index` (ascending across calls); false once the search must stop. */
  searchFile(index: number, text: string | undefined): boolean {
    if (text === undefined) {
      this.filesSearched = index + 1;
      return true;
    }
    const found = searchText(text, this.compiled, this.max - this.matches.length, this.context);
    if (found.matches.length > 0) this.map.keepText(this.files[index].path, text);
    return this.addFound(index, found.matches, found.truncated);
  }

  /**
   * Adds file `index`'s matches, found elsewhere with a cap at least the room left here; `more`
   * says it had more than it listed. False once `maxResults` is exceeded.
   */
  addFound(index: number, found: LineMatch[], more: boolean): boolean {
    this.filesSearched = index + 1;
    const path = this.files[index].path;
    const room = this.max - this.matches.length;
    for (let k = 0; k < found.length && k < room; k++) {
      const { line, text, before, after } = found[k];
      const match: GrepMatch = { path, line, text };
      if (before) match.before = before;
      if (after) match.after = after;
      this.matches.push(match);
    }
    if (more || found.length > room) {
      this.truncated = true;
      return false;
    }
    return true;
  }

  /** Marks everything before `end` as searched (files the trigram filter dismissed included). */
  searchedUpTo(end: number): void {
    this.filesSearched = end;
  }

  result(): GrepResult {
    const result: GrepResult = {
      matches: this.matches,
      truncated: this.truncated,
      filesSearched: this.truncated ? this.filesSearched : this.files.length,
    };
    if (this.timedOut) result.timedOut = true;
    if (this.pickedByRipgrep) result.ripgrep = true;
    return result;
  }
}

/**
 * `grep` on the calling thread, for callers that must not return a Promise (the REPL's `grep`):
 * the same files in the same order, the same prefilters, the same results. Reads block, so give
 * it a `timeoutMs` when the map may be large.
 */
export function grepSync(map: FileMap, pattern: string | { source: string; flags?: string }, options: GrepOptions = {}): GrepResult {
  const run = new GrepRun(map, pattern, options);
  const { wanted } = run;
  const readHere = (index: number): string | undefined => {
    let text = run.inMemory(index);
    if (text === undefined) {
      let outcome: ReadOutcome;
      try {
        outcome = map.readRawSync(run.files[index].path);
      } catch {
        outcome = { kind: 'not-file' };
      }
      text = run.candidate(outcome);
    }
    return text === 'no' ? undefined : text;
  };
  let pos = 0;
  if (run.ripgrepUsable) {
    const started = Date.now();
    for (; pos < wanted.length && run.staysHere(Date.now() - started, pos); pos++) {
      options.signal?.throwIfAborted();
      if (run.expired() || !run.searchFile(wanted[pos], readHere(wanted[pos]))) return run.result();
    }
    const plan = run.ripgrepPlan(pos);
    const left = run.remaining();
    const lines = plan && ripgrepLinesSync(plan.rg, plan.query, plan.folders ?? plan.disk, plan.maxPerFile, Number.isFinite(left) ? Math.max(1, left) : undefined);
    if (plan && lines) {
      run.learn(plan, lines, pos);
      const verdict = run.ripgrepVerdicts(plan, lines);
      for (; pos < wanted.length && !run.expired(); pos++) {
        const more = verdict(wanted[pos]);
        if (!(more === 'read' ? run.searchFile(wanted[pos], readHere(wanted[pos])) : more)) break;
      }
      return run.result();
    }
  }
  for (; pos < wanted.length; pos++) {
    options.signal?.throwIfAborted();
    if (run.expired() || !run.searchFile(wanted[pos], readHere(wanted[pos]))) break;
  }
  return run.result();
}

/**
 * Searches the map's files in path order, stopping at `maxResults` (so results equal a full search
 * cut at that point). Raw bytes are prefiltered on a literal the pattern requires, before decoding.
 * Large maps are searched by worker threads in ordered chunks (see scanWorkers.ts) that return
 * their matches; the main thread merges them in order and stops dispatching once it has enough.
 */
export function grep(map: FileMap, pattern: string | { source: string; flags?: string }, options: GrepOptions = {}): Promise<GrepResult> {
  // On a provisional map, ahead of the load still measuring its files.
  return map.whileSearching(() => grepMap(map, pattern, options));
}

async function grepMap(map: FileMap, pattern: string | { source: string; flags?: string }, options: GrepOptions): Promise<GrepResult> {
  const run = new GrepRun(map, pattern, options);
  const { signal } = options;
  const { files } = run;
  const pool = new BufferPool(POOL_BUFFER_BYTES, READ_AHEAD);

  const load = async (index: number): Promise<string | undefined> => {
    const inMemory = run.inMemory(index);
    if (inMemory !== undefined) return inMemory === 'no' ? undefined : inMemory;
    try {
      return run.candidate(await map.readRaw(files[index].path, pool));
    } catch {
      return undefined;
    }
  };

  /** Searches `indices` (ascending) here; false once the search must stop. */
  const searchHere = async (indices: number[]): Promise<boolean> => {
    for await (const [index, text] of ordered(indices, READ_AHEAD, load)) {
      signal?.throwIfAborted();
      if (run.expired()) return false;
      if (!run.searchFile(index, text)) return false;
    }
    return true;
  };

  if (run.ripgrepUsable) {
    // As in grepSync: a head searched here, then ripgrep's lines for the rest.
    const started = Date.now();
    let pos = 0;
    if (run.staysHere(0, 0)) {
      for await (const [index, text] of ordered(run.wanted, READ_AHEAD, load)) {
        signal?.throwIfAborted();
        if (run.expired() || !run.searchFile(index, text)) return run.result();
        if (++pos >= run.wanted.length || !run.staysHere(Date.now() - started, pos)) break;
      }
    }
    const plan = run.ripgrepPlan(pos);
    const lines = plan && (await beforeDeadline(ripgrepLines(plan.rg, plan.query, plan.folders ?? plan.disk, plan.maxPerFile, signal), run.remaining()));
    signal?.throwIfAborted();
    if (lines === 'late') {
      run.expired();
      return run.result();
    }
    if (plan && lines) {
      run.learn(plan, lines, pos);
      const verdict = run.ripgrepVerdicts(plan, lines);
      const slices = new EventLoopSlices(); // a kernel's 83k verdicts, most of them "no line here"
      for (const index of run.wanted.slice(pos)) {
        if (run.expired()) break;
        await slices.yield();
        const more = verdict(index);
        if (!(more === 'read' ? run.searchFile(index, await load(index)) : more)) break;
      }
      return run.result();
    }
    run.wanted = run.wanted.slice(pos);
  }

  const chunks = chunkFiles(files, run.wanted);
  // Workers read files themselves: a provisional map's reads, which refuse binary files, stay here.
  const useWorkers = !map.isVirtual && !map.measuring && chunks.length > 1;
  if (!useWorkers) {
    for (const chunk of chunks) {
      if (!(await searchHere(chunk.indices))) break;
      run.searchedUpTo(chunk.end);
    }
    return run.result();
  }

  const job = workerJob(run);
  const ahead = scanParallelism() * 2;
  const scans: (Promise<ScanResult | undefined> | undefined)[] = [];
  /** Chunks searched here whatever happens: a worker reads the disk, not an unsaved editor's text. */
  const here = new Set<number>();
  const dispatch = (k: number): void => {
    if (k < 1 || k >= chunks.length || scans[k] || here.has(k)) return;
    if (chunks[k].indices.some((i) => map.peekText(files[i].path) !== undefined)) {
      here.add(k);
      return;
    }
    const paths = chunks[k].indices.map((i) => map.absolutePath(files[i].path));
    // A failed worker is not a failed search: that chunk is then searched in-process.
    scans[k] = runScan({ ...job, paths }).catch(() => undefined);
  };
  // The first chunk is searched right here while the workers start up (the loop dispatches the
  // next ones first): a common pattern is often answered before they would have produced anything.
  try {
    for (let k = 0; k < chunks.length; k++) {
      signal?.throwIfAborted();
      if (run.expired()) break;
      for (let j = k + 1; j <= k + ahead; j++) dispatch(j);
      const chunk = chunks[k];
      const scanned = k === 0 ? undefined : await beforeDeadline(scans[k], run.remaining());
      scans[k] = undefined;
      if (scanned === 'late') {
        run.expired();
        break;
      }
      if (scanned) {
        if (!mergeScan(run, chunk, scanned)) break;
      } else if (!(await searchHere(chunk.indices))) break;
      run.searchedUpTo(chunk.end);
    }
  } finally {
    for (const scan of scans) void scan?.catch(() => undefined);
  }
  return run.result();
}

/** Adds a worker's matches for `chunk` in file order; false once the search must stop. */
function mergeScan(run: GrepRun, chunk: Chunk, scanned: ScanResult): boolean {
  for (let f = 0; f < scanned.files.length; f++) {
    const more = scanned.more && f === scanned.files.length - 1;
    if (!run.addFound(chunk.indices[scanned.files[f]], scanned.matches[f], more)) return false;
  }
  return true;
}

/** `promise`'s value, or 'late' when `ms` pass first (no timer is left behind). */
async function beforeDeadline<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined | 'late'> {
  if (ms === Number.POSITIVE_INFINITY) return promise;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
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

function workerJob(run: GrepRun): Omit<ScanJob, 'paths'> {
  const { compiled } = run;
  const job: Omit<ScanJob, 'paths'> = {
    maxBytes: run.map.maxFileBytes,
    pattern: { source: compiled.line.source, flags: compiled.line.flags.replace('m', ''), perLine: compiled.perLine },
    maxResults: run.max,
    context: run.context,
  };
  if (compiled.literal) {
    if (compiled.literal.ignoreCase) job.needleIgnoreCase = compiled.literal.source;
    else job.needle = compiled.literal.bytes;
  }
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
