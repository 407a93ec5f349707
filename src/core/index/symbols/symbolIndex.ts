import * as fs from 'node:fs';
import { EventLoopSlices } from '../../eventLoopSlices';
import { sortInSlices } from '../../sortInSlices';
import type { FileEntry, FileMap } from '../../workspace/fileMap';
import { grep } from '../../workspace/grep';
import { literalTrigrams } from '../../workspace/trigramFilter';
import { definitionPattern, definitionSearches } from './definitionSearch';
import { SYMBOL_KINDS, SymbolRecord } from './extractSymbols';
import { grammarVersion } from './grammarAssets';
import { extensionGlob, indexedLanguage } from './languages';
import { ParsePool, defaultWorkers } from './parsePool';
import { readsWithoutParse } from './pythonDefinitions';
import { hasRegions } from './regions';
import { CacheEntry, FileRecord, cacheFile, cacheRecord, decodeData, defaultCacheDir, readCache, saveCache, saveCacheAsync } from './symbolCache';
import type { ParseFile, ParseOutcome } from './symbolWorker';
import type { IndexPack, PackSymbols } from '../pack/indexPack';

export { indexedLanguage } from './languages';

export type SymbolKind = 'function' | 'method' | 'class' | 'interface' | 'type' | 'enum' | 'struct' | 'macro' | 'module' | 'constant' | 'variable';

export interface CodeSymbol {
  name: string;
  kind: SymbolKind;
  path: string;
  line: number;
  endLine: number;
  container?: string;
  signature: string;
  language: string;
}

export interface SymbolIndexOptions {
  /** Where the on-disk cache lives; false for none. Default: <user cache dir>/recurse/symbols. */
  cacheDir?: string | false;
  /** Parser threads; default min(2, cores). */
  workers?: number;
  /** A file whose parse takes longer is skipped ('timeout'). Default 5000. */
  parseTimeoutMs?: number;
  /** Larger files are skipped ('too-large'). Default 1 MiB. */
  maxParseBytes?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * A shared index pack (see pack/indexPack.ts): files whose content it holds are taken from it, not parsed. Asked
   * for only when the cache lacks files (a pack can be large to read).
   */
  seed?: () => Promise<IndexPack | undefined>;
}

export interface IndexStats {
  files: number;
  symbols: number;
  /** Indexed files per language. */
  languages: Record<string, number>;
  ms: number;
  /** Files whose symbols came from the on-disk cache without a parse. */
  cachedFiles: number;
  /** Files left out, by reason (too-large, timeout, parse-error, unreadable). */
  skipped: Record<string, number>;
  /** Files parsed by this build, and those whose symbols came from a shared index pack (by content). */
  parsedFiles: number;
  seededFiles: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_PARSE_BYTES = 1024 * 1024;
// Small enough that a question asked mid-build waits little for the batch a worker is on.
const BATCH_FILES = 24;
const BATCH_BYTES = 256 * 1024;
const URGENT_BATCH_FILES = 8;
/** A lookup's own search (Python, see findSymbol): files per job, by bytes read. */
const SEARCH_BATCH_BYTES = 512 * 1024;
const SEARCH_BATCH_FILES = 64;
/** Below this much left to parse, a lookup waits for the complete index rather than searching the workspace. */
const SETTLE_BYTES = 1024 * 1024;
const SAVE_DELAY_MS = 1000;
/** Files per hashing job when matching a shared pack. */
const SEED_BATCH_FILES = 200;
/**
 * Grammars the parser threads load while a findSymbol searches: the map's most common languages,
 * at most two, the second only with at least a quarter of the first's files. A grammar costs each
 * thread ~100 ms of CPU, taken from the search on a small machine: loading C for the one C file
 * of a Python tree slowed a common name's lookup there by a tenth.
 */
const WARM_LANGUAGES = 2;
const WARM_SHARE = 0.25;

/** The files of one language in a map. */
interface LanguageFiles {
  files: number;
  /** Whether any of them lacks an extension. */
  bare: boolean;
  paths: string[];
}

/**
 * Definitions of every indexed file in a workspace, built in the background on parser threads and
 * kept as compact encoded records (never trees). Questions asked before the build completes parse
 * only what they need, ahead of the background work: `symbols(path)` that file, `findSymbol(name)`
 * the files a text search finds the name in (Python files are read, not parsed: pythonDefinitions.ts)
 * — which yields what the complete index would.
 */
export class SymbolIndex {
  private readonly records = new Map<string, FileRecord>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly pool: ParsePool;
  private readonly cachePath: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private building: Promise<IndexStats> | undefined;
  private done = false;
  private names: Map<string, Set<string>> | undefined;
  private cachedFiles = 0;
  private parsedFiles = 0;
  private seededFiles = 0;
  private saveTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Lookups (findSymbol, symbolsOf) searching or parsing ahead of the build, which holds its next batches until they are done. */
  private pending = 0;
  /** Bytes the build still has to parse, once it has read the cache. */
  private remainingBytes: number | undefined;
  private languagesPresent: Map<string, LanguageFiles> | undefined;
  private readonly resumers: (() => void)[] = [];
  /** Settles once the build has applied the on-disk cache: lookups wait for it rather than search what it holds. */
  private loading: Promise<void> | undefined;

  constructor(private readonly map: FileMap, private readonly options: SymbolIndexOptions = {}) {
    this.pool = new ParsePool(Math.max(1, options.workers ?? defaultWorkers()));
    const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    this.cachePath = dir === false || map.isVirtual ? undefined : cacheFile(dir, map.root);
    this.timeoutMs = options.parseTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxParseBytes ?? DEFAULT_MAX_PARSE_BYTES;
  }

  /**
   * Boots the parser threads of the next index created in this process, before its map exists:
   * call it as a workspace starts loading, so the threads start while the walk runs.
   */
  static prewarm(): void {
    // Two threads at most (each boot costs the load some CPU; grammars load later, with the first
    // search): a common Python name is read on both from a lookup's start (pythonDefinitions.ts,
    // no grammar), where booting the second one then cost the answer ~50-90 ms.
    ParsePool.prewarm(Math.min(2, defaultWorkers()));
  }

  start(): void {
    if (!this.building) {
      this.building = this.build();
      this.building.catch(() => {});
    }
  }

  whenComplete(): Promise<IndexStats> {
    this.start();
    return this.building!;
  }

  get complete(): boolean {
    return this.done;
  }

  async symbols(p: string): Promise<CodeSymbol[]> {
    return (await this.symbolsOf([p])).get(p) ?? [];
  }

  /**
   * The symbols of several files, by the paths asked for: the files not indexed yet are parsed
   * together, ahead of the build (held meanwhile, as for findSymbol) and on every parser thread.
   */
  async symbolsOf(paths: readonly string[]): Promise<Map<string, CodeSymbol[]>> {
    const keys = new Map<string, string>();
    for (const p of paths) {
      const key = this.map.resolve(p);
      if (key !== undefined && indexedLanguage(key)) keys.set(p, key);
    }
    const out = new Map<string, CodeSymbol[]>(paths.map((p) => [p, []]));
    if (keys.size === 0) return out;
    await this.loading;
    await this.holdingBuild(() => this.ensure([...new Set(keys.values())]));
    for (const [p, key] of keys) {
      const r = this.records.get(key);
      if (r && r.count > 0) out.set(p, decode(key, r));
    }
    return out;
  }

  async findSymbol(name: string, opts: { kind?: SymbolKind; exact?: boolean } = {}): Promise<CodeSymbol[]> {
    if (typeof name !== 'string' || name === '') return [];
    const exact = opts.exact ?? true;
    const lower = name.toLowerCase();
    const wanted = (s: CodeSymbol): boolean =>
      (exact ? s.name === name : s.name.toLowerCase().includes(lower)) && (!opts.kind || s.kind === opts.kind);
    let paths: string[];
    const regions = new Map<string, CodeSymbol[]>();
    await this.loading;
    // What is left to parse is less than a search would cost (a warm cache): answer from the complete index.
    if (!this.done && this.building && this.remainingBytes !== undefined && this.remainingBytes <= SETTLE_BYTES) {
      await this.building.catch(() => {});
    }
    if (this.done) {
      const names = this.nameIndex();
      const hits = new Set<string>();
      if (exact) for (const p of names.get(name) ?? []) hits.add(p);
      else for (const [n, ps] of names) if (n.toLowerCase().includes(lower)) for (const p of ps) hits.add(p);
      paths = [...hits];
    } else {
      paths = await this.map.whileSearching(() => this.holdingBuild(async () => {
        // Python files search themselves on the parser threads (one read each, no workspace search
        // first) and read the definitions off the indentation (pythonDefinitions.ts); those the
        // build is parsing right now are waited for instead.
        const python = exact && readsWithoutParse('python', name) ? this.presentLanguages().get('python')?.paths ?? [] : [];
        const busy = python.filter((p) => this.inFlight.has(p));
        // Files the load's trigram signatures rule out are not even opened.
        const trigrams = literalTrigrams(Buffer.from(name, 'utf8'));
        const searched = python.filter((p) => !this.inFlight.has(p) && this.map.mayContain(p, trigrams));
        const own = this.parseRegions(searched, undefined, regions, name);
        const lines = await this.candidates(name, exact, python.length > 0 ? 'python' : undefined);
        const found = [...lines.keys()];
        // Files nobody parsed yet, in a language with regions: only the declarations around the matched lines.
        const partial = found.filter((p) => !this.records.has(p) && !this.inFlight.has(p) && hasRegions(indexedLanguage(p)!));
        const rest = new Set(partial);
        await Promise.all([own, this.parseRegions(partial, lines, regions, exact ? name : undefined), this.ensure([...found.filter((p) => !rest.has(p)), ...busy])]);
        return [...found, ...busy, ...searched.filter((p) => regions.has(p))];
      }));
    }
    const out: CodeSymbol[] = [];
    for (const p of paths.sort()) {
      const r = this.records.get(p);
      const symbols = r ? (r.count > 0 ? decode(p, r) : []) : regions.get(p) ?? [];
      for (const s of symbols) if (wanted(s)) out.push(s);
    }
    return out;
  }

  async allSymbols(): Promise<CodeSymbol[]> {
    await this.whenComplete();
    const out: CodeSymbol[] = [];
    for (const p of [...this.records.keys()].sort()) {
      const r = this.records.get(p)!;
      if (r.count > 0) out.push(...decode(p, r));
    }
    return out;
  }

  async updateFile(p: string): Promise<void> {
    const key = normalizeKey(p, this.map);
    if (key === undefined) return;
    const language = indexedLanguage(key);
    if (!language) return;
    const abs = this.map.absolutePath(key);
    const before = this.records.get(key);
    if (!this.map.isVirtual && !fs.existsSync(abs)) {
      this.records.delete(key);
    } else {
      await this.parse([key], true, false);
    }
    this.renameIndex(key, before);
    this.scheduleSave();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.save();
    }
    for (const resume of this.resumers.splice(0)) resume();
    this.pool.dispose();
  }

  private async build(): Promise<IndexStats> {
    const t0 = performance.now();
    let loaded!: () => void;
    this.loading = new Promise<void>((resolve) => (loaded = resolve));
    try {
      return await this.buildFromCache(t0, loaded);
    } finally {
      loaded();
    }
  }

  /** The build; `loaded` is called once the cache is applied (what is left to parse is known). */
  private async buildFromCache(t0: number, loaded: () => void): Promise<IndexStats> {
    // Every loop over the files gives the event loop a turn every few milliseconds (a kernel has 56k to index).
    const slices = new EventLoopSlices();
    const files: FileEntry[] = [];
    for (const f of this.map.files()) {
      if (indexedLanguage(f.path)) files.push(f);
      await slices.yield();
    }
    const { entries, body } = this.cachePath ? readCache(this.cachePath) : { entries: new Map<string, CacheEntry>(), body: Promise.resolve(undefined) };
    let todo: { key: string; size: number; knownHash?: string }[] = [];
    // Unchanged files (same size and time as cached): their symbols come from the body, read meanwhile.
    const fresh: [string, CacheEntry][] = [];
    for (const f of files) {
      await slices.yield();
      const language = indexedLanguage(f.path)!;
      const c = entries.get(f.path);
      if (c && c.language === language && c.version === grammarVersion(language) && !this.map.isVirtual) {
        // The map's own look at the file (it opened every file to measure it), else a stat now.
        const st = f.mtimeMs !== undefined ? f : fs.statSync(this.map.absolutePath(f.path), { throwIfNoEntry: false });
        if (st && st.size === c.size && st.mtimeMs === c.mtimeMs) {
          fresh.push([f.path, c]);
          continue;
        }
        todo.push({ key: f.path, size: f.size, knownHash: c.skipped ? undefined : c.hash });
        continue;
      }
      todo.push({ key: f.path, size: f.size });
    }
    const bodyBytes = await body;
    const cachedRecord = (key: string): FileRecord | undefined => {
      const entry = entries.get(key);
      return entry && bodyBytes ? cacheRecord(entry, bodyBytes) : undefined;
    };
    for (const [key, entry] of fresh) {
      await slices.yield();
      const record = cachedRecord(key);
      if (!record) {
        // The cache file changed since its header was read (another window saved it): parse.
        todo.push({ key, size: entry.size });
        continue;
      }
      if (!this.records.has(key)) this.records.set(key, record);
      this.cachedFiles++;
    }
    // Changed files whose content hash may still match: their cached records, for an 'unchanged' answer.
    const previous = new Map<string, FileRecord>();
    for (const t of todo) {
      await slices.yield();
      const record = t.knownHash ? cachedRecord(t.key) : undefined;
      if (record) previous.set(t.key, record);
      else delete t.knownHash;
    }
    // Whatever this build adds (parsed, or taken from a pack) is written to the cache at the end.
    const adding = todo.length;
    const seed = this.options.seed && todo.length > 0 ? await this.options.seed().catch(() => undefined) : undefined;
    if (seed && seed.symbols.size > 0) {
      await this.applySeed(todo, seed);
      todo = todo.filter((t) => !this.records.has(t.key));
    }
    // Largest first: no thread is left parsing one big file at the end while the others idle.
    todo = await sortInSlices(todo, (a, b) => b.size - a.size, slices);
    this.remainingBytes = todo.reduce((sum, t) => sum + t.size, 0);
    loaded();
    let next = 0;
    let finished = files.length - todo.length;
    const take = (): { key: string; size: number; knownHash?: string }[] => {
      const batch: { key: string; size: number; knownHash?: string }[] = [];
      let bytes = 0;
      while (next < todo.length && batch.length < BATCH_FILES && bytes < BATCH_BYTES) {
        const t = todo[next++];
        if (this.records.has(t.key) || this.inFlight.has(t.key)) {
          finished++;
          continue;
        }
        batch.push(t);
        bytes += t.size;
      }
      return batch;
    };
    this.options.onProgress?.(finished, files.length);
    // One turn of the event loop first, so a findSymbol asked right after start() holds the build back.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await Promise.all(Array.from({ length: this.pool.size + 1 }, async () => {
      for (;;) {
        // Questions asked meanwhile go first: their parses must not queue behind the build's.
        // (Nothing left to parse: nothing to hold back, and lookups waiting for completion must not wait on themselves.)
        while (this.pending > 0 && !this.disposed && next < todo.length) await new Promise<void>((resolve) => this.resumers.push(resolve));
        const batch = take();
        if (batch.length === 0 || this.disposed) break;
        this.remainingBytes = (this.remainingBytes ?? 0) - batch.reduce((sum, b) => sum + b.size, 0);
        await this.parse(batch.map((b) => b.key), false, false, new Map(batch.filter((b) => b.knownHash).map((b) => [b.key, b.knownHash!])), previous);
        finished += batch.length;
        this.options.onProgress?.(finished, files.length);
      }
    }));
    if (this.disposed) throw new Error('symbol index disposed');
    this.done = true;
    // Also rewritten when files left the tree (deleted, newly ignored), so their entries do not pile up in the cache.
    if (adding > 0 || [...entries.keys()].some((k) => !this.records.has(k))) await this.saveInBackground();
    return this.stats(performance.now() - t0);
  }

  /** Parses `keys` now (urgent: ahead of the background build), unless already indexed or under way. */
  private async ensure(keys: string[]): Promise<void> {
    const missing = keys.filter((k) => !this.records.has(k) && !this.inFlight.has(k) && indexedLanguage(k));
    await Promise.all(urgentChunks(missing).map((c) => this.parse(c, true, false)));
    await Promise.all(keys.map((k) => this.inFlight.get(k)));
  }

  /**
   * Parses the declarations around `lines` of each file (regions.ts), ahead of the build, into
   * `found`. A file whose region does not parse cleanly comes back parsed whole, and is recorded.
   * Without `lines`, the threads find the lines `name` is on in each file themselves.
   */
  private async parseRegions(keys: string[], lines: Map<string, number[]> | undefined, found: Map<string, CodeSymbol[]>, name: string | undefined): Promise<void> {
    // Not marked in flight: a region is no record, so nobody waiting for one may be handed it.
    // Searching threads mostly read files without the name: jobs by bytes, fewer round trips.
    await Promise.all((lines ? urgentChunks(keys) : this.searchChunks(keys)).map(async (chunk) => {
      // Without lines, each thread finds those `name` is written on itself.
      const files = chunk.map((key) => ({ ...this.parseFile(key), ...(lines ? { lines: lines.get(key) } : { findLines: true }), name }));
      let results: ParseOutcome[];
      try {
        results = await this.pool.run({ files, maxBytes: this.maxBytes, timeoutMs: this.timeoutMs }, true);
      } catch (error) {
        if (this.disposed) return;
        results = files.map(() => failed(error as Error));
      }
      results.forEach((r, i) => {
        const key = chunk[i];
        if (r.kind !== 'region') this.apply(key, files[i].language, r);
        else if (r.count > 0) found.set(key, decode(key, { language: files[i].language, version: '', size: r.size, mtimeMs: r.mtimeMs, hash: '', count: r.count, data: r.data }));
      });
    }));
  }

  /** `keys` in runs of about SEARCH_BATCH_BYTES, at most SEARCH_BATCH_FILES files. */
  private searchChunks(keys: string[]): string[][] {
    const chunks: string[][] = [];
    let bytes = 0;
    for (const key of keys) {
      const last = chunks[chunks.length - 1];
      if (!last || bytes >= SEARCH_BATCH_BYTES || last.length >= SEARCH_BATCH_FILES) {
        chunks.push([key]);
        bytes = 0;
      } else last.push(key);
      bytes += this.map.get(key)?.size ?? 0;
    }
    return chunks;
  }

  private parse(keys: string[], urgent: boolean, parseOnly: boolean, known = new Map<string, string>(), previous = new Map<string, FileRecord>()): Promise<void> {
    const files = keys.map((key) => ({ ...this.parseFile(key), knownHash: known.get(key) }));
    const run = this.pool.run({ files, maxBytes: this.maxBytes, timeoutMs: this.timeoutMs, parseOnly }, urgent).then(
      (results) => results.forEach((r, i) => this.apply(keys[i], files[i].language, r, previous.get(keys[i]))),
      (error: Error) => {
        if (this.disposed) return;
        for (let i = 0; i < keys.length; i++) this.apply(keys[i], files[i].language, failed(error));
      },
    ).finally(() => {
      for (const k of keys) if (this.inFlight.get(k) === run) this.inFlight.delete(k);
    });
    for (const k of keys) this.inFlight.set(k, run);
    return run;
  }

  /** What a parser thread needs to parse a workspace file. */
  private parseFile(key: string): ParseFile {
    return { abs: this.map.absolutePath(key), language: indexedLanguage(key)!, text: this.map.isVirtual ? this.map.readTextSync(key) : undefined };
  }

  private apply(key: string, language: string, r: ParseOutcome, previous?: FileRecord): void {
    const version = grammarVersion(language);
    if (r.kind === 'parsed') {
      this.parsedFiles++;
      this.records.set(key, { language, version, size: r.size, mtimeMs: r.mtimeMs, hash: r.hash, count: r.count, data: r.data });
    } else if (r.kind === 'unchanged' && previous) {
      this.records.set(key, { ...previous, size: r.size, mtimeMs: r.mtimeMs });
      this.cachedFiles++;
    } else if (r.kind === 'skipped') {
      this.records.set(key, { language, version, size: r.size, mtimeMs: r.mtimeMs, hash: '', count: 0, data: '[]', skipped: r.reason });
    }
  }

  /**
   * Takes from a shared pack the records of the files it holds (by content: each file is read and hashed on the
   * parser threads, nothing parsed); the rest stay to be parsed.
   */
  private async applySeed(todo: { key: string }[], pack: IndexPack): Promise<void> {
    const chunks: string[][] = [];
    for (let i = 0; i < todo.length; i += SEED_BATCH_FILES) chunks.push(todo.slice(i, i + SEED_BATCH_FILES).map((t) => t.key));
    let next = 0;
    await Promise.all(Array.from({ length: this.pool.size }, async () => {
      for (let chunk = chunks[next++]; chunk && !this.disposed; chunk = chunks[next++]) {
        const files = chunk.map((key) => this.parseFile(key));
        const results = await this.pool.run({ files, maxBytes: this.maxBytes, timeoutMs: this.timeoutMs, hashOnly: true }, false).catch(() => []);
        results.forEach((r, i) => {
          const s = r.kind === 'hashed' ? pack.symbols.get(r.hash) : undefined;
          if (!s || r.kind !== 'hashed' || s.language !== files[i].language || this.records.has(chunk[i])) return;
          this.records.set(chunk[i], { language: s.language, version: s.version, size: r.size, mtimeMs: r.mtimeMs, hash: r.hash, count: s.count, data: s.data });
          this.seededFiles++;
        });
      }
    }));
  }

  /** A file's content key (git blob id) as the index last read it; undefined before it is indexed. */
  contentKey(path: string): string | undefined {
    return this.records.get(path)?.hash || undefined;
  }

  /** Every indexed file's symbols by content key, for an index pack (files with the same content once). */
  *packSymbols(): Generator<[string, PackSymbols]> {
    const seen = new Set<string>();
    for (const r of this.records.values()) {
      if (r.skipped || !r.hash || seen.has(r.hash)) continue;
      seen.add(r.hash);
      yield [r.hash, { language: r.language, version: r.version, count: r.count, data: decodeData(r) }];
    }
  }

  /** The workspace's main languages (by files), whose grammars a lookup is likely to need. */
  private mainLanguages(): string[] {
    const counts = [...this.presentLanguages()];
    return counts.slice(0, WARM_LANGUAGES).filter(([, c]) => c.files >= counts[0][1].files * WARM_SHARE).map(([l]) => l);
  }

  /**
   * Starts the parser threads and loads the main languages' grammars now, ahead of lookups that will come (a question
   * starting on a workspace that has no index yet): a lookup then parses at once.
   */
  warm(): void {
    if (this.map.size === 0) return;
    // The languages are counted a slice at a time (a kernel's 83k paths), then their grammars load.
    void this.countLanguagesInSlices().then(() => {
      if (!this.disposed) this.pool.warm(this.mainLanguages());
    });
  }

  /** `presentLanguages`, computed giving the event loop a turn every few milliseconds. */
  private async countLanguagesInSlices(): Promise<void> {
    const slices = new EventLoopSlices();
    const counts = new Map<string, LanguageFiles>();
    for (const f of this.map.files()) {
      if (this.languagesPresent) return; // a lookup needed them first, and counted them at once
      countLanguage(counts, f.path);
      await slices.yield();
    }
    this.languagesPresent ??= sortedByFiles(counts);
  }

  /** Runs a lookup's searches and parses with the build's next batches held; the build goes on once none is left. */
  private async holdingBuild<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    try {
      return await work();
    } finally {
      if (--this.pending === 0) for (const resume of this.resumers.splice(0)) resume();
    }
  }

  /**
   * Files that may define `name`, and the lines, by each language's definition search (see
   * definitionSearch.ts). One workspace grep for the whole word (a literal the scan finds at its
   * fastest) and each match's line then tested against its language's narrower search: the same
   * lines as one grep per search, without running those patterns over every file. Parser threads
   * start and load their grammars meanwhile. `skip`: a language searched otherwise.
   */
  private async candidates(name: string, exact: boolean, skip?: string): Promise<Map<string, number[]>> {
    const present = this.presentLanguages();
    // Python definitions of a name are read off the indentation (pythonDefinitions.ts): no grammar to load for them.
    this.pool.warm(this.mainLanguages().filter((l) => !(exact && readsWithoutParse(l, name))));
    const byLanguage = new Map<string, RegExp | undefined>();
    const word = definitionPattern(name, exact);
    for (const s of definitionSearches(name, exact)) {
      for (const l of s.languages) if (present.has(l) && l !== skip) byLanguage.set(l, s.pattern === word ? undefined : new RegExp(s.pattern, exact ? '' : 'i'));
    }
    const languages = [...byLanguage.keys()];
    if (languages.length === 0) return new Map();
    // Extensionless Ruby files (Rakefile, Gemfile) escape an extension glob.
    const glob = languages.some((l) => present.get(l)!.bare) ? undefined : extensionGlob(languages);
    const result = await grep(this.map, word, { glob, ignoreCase: !exact, maxResults: Number.MAX_SAFE_INTEGER });
    const lines = new Map<string, number[]>();
    for (const m of result.matches) {
      const language = indexedLanguage(m.path);
      if (!language || !byLanguage.has(language)) continue;
      const narrow = byLanguage.get(language);
      // A line cut to a window around the match (minified code) may have lost what the narrow search needs.
      if (narrow && !m.text.startsWith('…') && !m.text.endsWith('…') && !narrow.test(m.text)) continue;
      const at = lines.get(m.path);
      if (at) at.push(m.line);
      else lines.set(m.path, [m.line]);
    }
    return lines;
  }

  /** Indexed languages of the map, most files first, with their files and whether any lack an extension. */
  private presentLanguages(): Map<string, LanguageFiles> {
    if (!this.languagesPresent) {
      const counts = new Map<string, LanguageFiles>();
      for (const f of this.map.files()) countLanguage(counts, f.path);
      this.languagesPresent = sortedByFiles(counts);
    }
    return this.languagesPresent;
  }

  private nameIndex(): Map<string, Set<string>> {
    if (!this.names) {
      this.names = new Map();
      for (const [p, r] of this.records) this.addNames(p, r);
    }
    return this.names;
  }

  private addNames(p: string, r: FileRecord): void {
    if (!this.names || r.count === 0) return;
    for (const s of JSON.parse(decodeData(r)) as SymbolRecord[]) {
      let set = this.names.get(s[0]);
      if (!set) this.names.set(s[0], (set = new Set()));
      set.add(p);
    }
  }

  private renameIndex(key: string, before: FileRecord | undefined): void {
    if (!this.names) return;
    if (before && before.count > 0) for (const s of JSON.parse(decodeData(before)) as SymbolRecord[]) this.names.get(s[0])?.delete(key);
    const after = this.records.get(key);
    if (after) this.addNames(key, after);
  }

  private stats(ms: number): IndexStats {
    const languages: Record<string, number> = {};
    const skipped: Record<string, number> = {};
    let symbols = 0;
    for (const r of this.records.values()) {
      if (r.skipped) skipped[r.skipped] = (skipped[r.skipped] ?? 0) + 1;
      else languages[r.language] = (languages[r.language] ?? 0) + 1;
      symbols += r.count;
    }
    const files = this.records.size - Object.values(skipped).reduce((a, b) => a + b, 0);
    return { files, symbols, languages, ms: Math.round(ms), cachedFiles: this.cachedFiles, skipped, parsedFiles: this.parsedFiles, seededFiles: this.seededFiles };
  }

  private scheduleSave(): void {
    if (!this.cachePath || !this.done || this.disposed) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** `save` while the event loop keeps running (the end of a build; a later change saves with a delay). */
  private async saveInBackground(): Promise<void> {
    if (!this.cachePath) return;
    await saveCacheAsync(this.cachePath, this.records).catch(() => undefined);
  }

  private save(): void {
    if (!this.cachePath) return;
    try {
      saveCache(this.cachePath, this.records);
    } catch {
      // A cache that cannot be written only costs the next run a rebuild.
    }
  }
}

/** Lookups' parses in small jobs, so a question asked meanwhile waits for little. */
function urgentChunks(keys: string[]): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += URGENT_BATCH_FILES) chunks.push(keys.slice(i, i + URGENT_BATCH_FILES));
  return chunks;
}

/** The outcome of every file of a job its thread could not run. */
function failed(error: Error): ParseOutcome {
  return { kind: 'skipped', reason: 'parse-error', size: 0, mtimeMs: 0, message: error.message };
}

function decode(path: string, r: FileRecord): CodeSymbol[] {
  const records = JSON.parse(decodeData(r)) as SymbolRecord[];
  return records.map(([name, kind, line, endLine, container, signature]) => {
    const s: CodeSymbol = { name, kind: SYMBOL_KINDS[kind], path, line, endLine, signature, language: r.language };
    if (container) s.container = container;
    return s;
  });
}

/** A workspace key for a path the map may not list yet (a file created since it loaded). */
function normalizeKey(p: string, map: FileMap): string | undefined {
  // relativeKey knows every root of a combined multi-folder map.
  return map.resolve(p) ?? map.relativeKey(p);
}

/** Counts `path` under its indexed language (if any). */
function countLanguage(counts: Map<string, LanguageFiles>, path: string): void {
  const l = indexedLanguage(path);
  if (!l) return;
  const c = counts.get(l) ?? { files: 0, bare: false, paths: [] };
  c.files++;
  c.paths.push(path);
  if (!path.slice(path.lastIndexOf('/') + 1).includes('.')) c.bare = true;
  counts.set(l, c);
}

function sortedByFiles(counts: Map<string, LanguageFiles>): Map<string, LanguageFiles> {
  return new Map([...counts].sort((a, b) => b[1].files - a[1].files));
}
