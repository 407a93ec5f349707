import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ContentCache, DEFAULT_CACHE_BYTES } from './contentCache';
import { BufferPool, ReadOutcome, countTextLines, decodeText, isBinary, readBounded, readBoundedSync } from './fileReader';
import { type FolderLabel, folderLabels } from './folderLabels';
import { detectLanguage } from './language';
import { isSecretPath } from './secrets';
import { SkipLog, emptySkipped } from './skipLog';
import { renderTree } from './tree';
import { mayContain } from './trigramFilter';
import { readSnapshot, snapshotFile, writeSnapshot } from './mapSnapshot';
import { ripgrepMajorVersionAsync } from './ripgrep';
import { takeUnchangedTree } from './unchangedTree';
import { folderOf, walkWorkspace } from './walk';
import { MeasureHolds } from './measureHolds';
import { EventLoopSlices } from '../eventLoopSlices';
import { byCodeUnits, sortInSlices } from '../sortInSlices';

export interface FileEntry {
  path: string;
  size: number;
  lines: number;
  language: string;
  /** Modification time when the map was loaded (files on disk only): with the size, what a cache checks. */
  mtimeMs?: number;
}

export type SkipReason = 'ignored' | 'secret' | 'binary' | 'too-large' | 'symlink-outside' | 'symlink-loop' | 'unreadable';

export interface SkippedSummary {
  counts: Partial<Record<SkipReason, number>>;
  examples: Partial<Record<SkipReason, string[]>>;
  total: number;
}

export interface FileMapOptions {
  maxFileBytes?: number;
  exclude?: string[];
  cacheBytes?: number;
  onProgress?: (filesSeen: number) => void;
  signal?: AbortSignal;
  /**
   * Keep what the load learned on disk (the user cache folder, or this directory) and start from it next time: files
   * a stat finds unchanged are not read again. Off by default; the CLI, the MCP server and the extension turn it on.
   */
  snapshot?: boolean | string;
  /** A ripgrep binary grep may use to pick candidate files (see ripgrep.ts); without one grep reads every file. */
  ripgrep?: string;
  /**
   * Handed a provisional map as soon as the tree is listed, while the files are still being measured: the same
   * paths under the same secret, ignore and exclude rules, sizes and line counts unknown (-1), no trigram
   * signatures. It reads, greps and cites as the complete map will (a binary file is refused when it is read; see
   * `measuring`); the complete map is what `load` resolves to.
   */
  onListed?: (provisional: FileMap) => void;
}

/**
 * The snapshot file a load of `realRoot` with these options reads and writes (the load's own defaults applied; `where`
 * as `FileMapOptions.snapshot`: true for the user cache folder).
 */
export function mapSnapshotFile(realRoot: string, options: { maxFileBytes?: number; exclude?: readonly string[] }, where: true | string = true): string {
  const key = { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, exclude: options.exclude ?? [] };
  return snapshotFile(realRoot, key, where === true ? undefined : where);
}

/** The snapshot file of a root and what it holds (undefined `previous`: none yet, or unusable). */
async function openSnapshot(absRoot: string, maxFileBytes: number, exclude: readonly string[], where: true | string) {
  const realRoot = await fs.promises.realpath(absRoot).catch(() => absRoot);
  const file = mapSnapshotFile(realRoot, { maxFileBytes, exclude }, where);
  return { file, realRoot, previous: await readSnapshot(file, realRoot) };
}

/** A slice of a file's lines as `readLines` returns it (1-based, inclusive; all zero for an empty file). */
export interface LineRange {
  text: string;
  start: number;
  end: number;
  total: number;
}

/** One workspace folder of a combined map: `name` is the folder's name, `map` its already-loaded map. */
export interface FolderPart {
  name: string;
  map: FileMap;
}

/** A folder of a combined map as it is exposed: its key prefix (`label/`), its own name and its map. */
export interface CombinedFolder extends FolderLabel {
  map: FileMap;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_READ_LINES = 200;

/** How a load went: files read, files taken unchanged from the snapshot, and whether any folder was listed. */
export interface LoadStats {
  read: number;
  reused: number;
  /** False when the tree had kept its shape since the snapshot (see unchangedTree.ts): no folder was listed. */
  listed: boolean;
}

/** Where texts come from: disk under a real root, or an in-memory record for virtual maps. */
interface Store {
  realRoot: string | undefined;
  maxFileBytes: number;
  cache: ContentCache;
  texts: Map<string, string> | undefined;
  /** Trigram signatures by key (absent for files measured in-process and for virtual maps). */
  signatures: Map<string, Uint8Array>;
  /** A combined map's folders by label: a key `label/rest` is the folder map's `rest`. */
  folders?: Map<string, CombinedFolder>;
  /** A combined map's display name. */
  displayName?: string;
  /** How the load went: files read, files taken unchanged from the snapshot. */
  loaded?: LoadStats;
  /** Where the map's snapshot lives, when it was loaded with one (the import graph keeps its own beside it). */
  snapshotDir?: string;
  /** The ripgrep binary grep may use. */
  ripgrep?: string;
  /** Texts of unsaved editors by key: what reads and searches see instead of the file on disk. */
  unsaved: Map<string, string>;
  /** A provisional map's (see FileMapOptions.onListed): files not measured yet, each checked when it is read. */
  measuring?: boolean;
  /** A provisional map's searches hold the load's measuring meanwhile. */
  holds?: MeasureHolds;
  /** A provisional map's: for a literal ripgrep looked for in every file, the files that may hold it. */
  holding?: Map<string, Set<string>>;
  /** The whole listing of a map loaded from disk (its subsets share the store; a provisional map's learn nothing). */
  whole?: readonly FileEntry[];
  /** The whole listing as folders for ripgrep, once computed (see `listingFolders`). */
  listingFolders?: ListingFolders | 'computing';
  /** A complete map's folders (under `realRoot`) holding a file it left out (see WalkResult.leftOut). */
  leftOut?: ReadonlySet<string>;
}

/** A map's whole listing by folder: what grep hands ripgrep instead of 83k file names. */
export interface ListingFolders {
  root: string;
  /** The folders ripgrep reads whole ('' for the root): every folder holding a listed file, but those named. */
  folders: string[];
  /** A complete map's files in folders where it left a file out (see WalkResult.leftOut): handed by name. */
  named?: string[];
  /** The listed files, in the map's order. */
  rels: readonly string[];
  /** Index of each listed file in `rels`. */
  byRel: Map<string, number>;
}

/**
 * A provisional map's entries: the listing sorted, languages known, sizes and lines not yet (-1); and its lookup
 * by path — built in slices (a kernel's 83k paths: a few hundred milliseconds in one go).
 */
async function provisionalEntries(paths: readonly string[]): Promise<{ entries: FileEntry[]; index: Map<string, FileEntry> }> {
  const slices = new EventLoopSlices();
  const sorted = await sortInSlices(paths, byCodeUnits, slices);
  const entries: FileEntry[] = new Array(sorted.length);
  const index = new Map<string, FileEntry>();
  for (let i = 0; i < sorted.length; i++) {
    const entry: FileEntry = { path: sorted[i]!, size: -1, lines: -1, language: detectLanguage(sorted[i]!) };
    entries[i] = entry;
    index.set(entry.path, entry);
    await slices.yield();
  }
  return { entries, index };
}

async function listingFoldersInSlices(root: string, whole: readonly FileEntry[], leftOut: ReadonlySet<string> | undefined): Promise<ListingFolders> {
  const slices = new EventLoopSlices();
  const folders = new Set<string>();
  const named: string[] = [];
  const rels: string[] = new Array(whole.length);
  const byRel = new Map<string, number>();
  for (let i = 0; i < whole.length; i++) {
    const rel = whole[i]!.path;
    rels[i] = rel;
    byRel.set(rel, i);
    const folder = folderOf(rel);
    if (leftOut?.has(folder)) named.push(rel);
    else folders.add(folder);
    await slices.yield();
  }
  return { root, folders: [...folders], rels, byRel, ...(leftOut ? { named } : {}) };
}

/** A map's lookup by path, built a slice of milliseconds at a time. */
async function lookupInSlices(entries: readonly FileEntry[]): Promise<Map<string, FileEntry>> {
  const slices = new EventLoopSlices();
  const index = new Map<string, FileEntry>();
  for (const e of entries) {
    index.set(e.path, e);
    await slices.yield();
  }
  return index;
}

/** Literals a provisional map remembers the files of (the most recent ones). */
const HOLDING_LITERALS = 16;

/**
 * The workspace as the model sees it: sorted POSIX paths with sizes and line counts, loaded up front;
 * texts read on demand through a bounded cache. Secrets, ignored, binary and oversized files are
 * never in the map, so nothing reachable through it can leak them.
 */
export class FileMap {
  private index: Map<string, FileEntry> | undefined;

  private constructor(
    readonly root: string,
    readonly skipped: SkippedSummary,
    private readonly list: readonly FileEntry[],
    private readonly store: Store,
  ) {}

  static async load(root: string, options: FileMapOptions = {}): Promise<FileMap> {
    const absRoot = path.resolve(root);
    const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const exclude = options.exclude ?? [];
    const takenAt = Date.now();
    const snapshot = options.snapshot ? await openSnapshot(absRoot, maxFileBytes, exclude, options.snapshot) : undefined;
    // Whether the binary is ripgrep (and which) is asked now, without waiting: known by the first grep.
    if (options.ripgrep) void ripgrepMajorVersionAsync(options.ripgrep);
    const holds = options.onListed ? new MeasureHolds() : undefined;
    let provisional: Promise<void> | undefined;
    // A tree that kept its shape since the snapshot is taken from it without listing a folder (not while streaming:
    // a provisional map is made from a listing).
    const previous = snapshot?.previous;
    const unchanged = previous?.tree && !options.onListed ? await takeUnchangedTree(snapshot!.realRoot, { ...previous, tree: previous.tree }, maxFileBytes) : undefined;
    const { realRoot, entries, skipped, leftOut, signatures, measured, changes, tree } = unchanged ?? await walkWorkspace(absRoot, {
      maxFileBytes,
      exclude,
      onProgress: options.onProgress,
      signal: options.signal,
      previous,
      stampTree: Boolean(snapshot),
      onListed: options.onListed && ((listing) => {
        const store: Store = { realRoot: listing.realRoot, maxFileBytes, cache: new ContentCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES),
          texts: undefined, signatures: new Map(), unsaved: new Map(), ripgrep: options.ripgrep, measuring: true, holds };
        // Measuring waits for it: the provisional map is what the first question is waiting for.
        provisional = holds!.hold(() => provisionalEntries(listing.paths)).then(({ entries, index }) => {
          store.whole = entries;
          const map = new FileMap(absRoot, listing.skipped, entries, store);
          map.index = index;
          if (options.ripgrep) map.listingFolders(); // only ripgrep searches by folder: ready by the time the first cell greps
          options.onListed!(map);
        });
        provisional.catch(() => undefined); // awaited below, unless the walk fails first
      }),
      gate: holds && (() => holds.wait()),
    });
    // The provisional map always comes first (its entries are built in slices while the files are measured).
    await provisional;
    if (snapshot && (changes.read > 0 || changes.gone > 0 || !previous || (tree && !previous.tree))) await writeSnapshot(snapshot.file, realRoot, takenAt, measured, tree);
    const cache = new ContentCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    const loaded: LoadStats = { read: changes.read, reused: changes.reused, listed: !unchanged };
    const snapshotDir = snapshot ? path.dirname(snapshot.file) : undefined;
    const store: Store = { realRoot, maxFileBytes, cache, texts: undefined, signatures, loaded, unsaved: new Map(), ripgrep: options.ripgrep, leftOut, whole: entries };
    if (snapshotDir) store.snapshotDir = snapshotDir;
    const map = new FileMap(absRoot, skipped, entries, store);
    map.index = await lookupInSlices(entries);
    if (options.ripgrep) map.listingFolders(); // worked out in slices after the load, before a first grep wants it
    return map;
  }

  /** The snapshot folder and the real root, for what else is kept per workspace beside the map (see ImportGraph). */
  get snapshot(): { dir: string; realRoot: string } | undefined {
    return this.store.snapshotDir && this.store.realRoot ? { dir: this.store.snapshotDir, realRoot: this.store.realRoot } : undefined;
  }

  /** Files the load read, and those it took unchanged from the snapshot (none without one). */
  get loadStats(): LoadStats {
    return this.store.loaded ?? { read: this.list.length, reused: 0, listed: true };
  }

  /** An in-memory map (e.g. over a text handed to a sub-query); secret-looking names are still refused. */
  static fromTexts(texts: Record<string, string>, name = 'text'): FileMap {
    const log = new SkipLog();
    const store = new Map<string, string>();
    for (const [key, text] of Object.entries(texts)) {
      const rel = normalizeRelative(key);
      if (rel === undefined) continue;
      if (isSecretPath(rel)) log.record('secret', rel);
      else store.set(rel, String(text));
    }
    const entries = [...store.entries()]
      .map(([p, text]) => ({ path: p, size: Buffer.byteLength(text), lines: countTextLines(text), language: detectLanguage(p) }))
      .sort((a, b) => compare(a.path, b.path));
    const summary = log.summary().total ? log.summary() : emptySkipped();
    return new FileMap(name, summary, entries, {
      realRoot: undefined,
      maxFileBytes: Number.POSITIVE_INFINITY,
      cache: new ContentCache(0),
      texts: store,
      signatures: new Map(),
      unsaved: new Map(),
    });
  }

  /**
   * Several workspace folders as one map whose keys are `<folder>/<path>` (VS Code's multi-root relative form).
   * Each part keeps what its own ignore and secret rules let in, since only its loaded entries are taken; reads
   * go to the folder's files. Folders with the same (or an uncitable) name get distinct labels: see `folders`.
   */
  static combine(parts: readonly FolderPart[], options: { name?: string } = {}): FileMap {
    if (parts.length === 0) throw new Error('no workspace folders to combine');
    const virtual = parts.filter((p) => p.map.isVirtual).length;
    if (virtual !== 0 && virtual !== parts.length) throw new Error('cannot combine in-memory and on-disk file maps');
    const labels = folderLabels(parts.map((p) => p.name));
    const folders = new Map<string, CombinedFolder>();
    const entries: FileEntry[] = [];
    const signatures = new Map<string, Uint8Array>();
    const texts = virtual ? new Map<string, string>() : undefined;
    const counts: Partial<Record<SkipReason, number>> = {};
    const examples: Partial<Record<SkipReason, string[]>> = {};
    let total = 0;
    parts.forEach((part, i) => {
      const { label } = labels[i];
      folders.set(label, { ...labels[i], map: part.map });
      for (const e of part.map.list) entries.push({ ...e, path: `${label}/${e.path}` });
      for (const [key, sig] of part.map.store.signatures) signatures.set(`${label}/${key}`, sig);
      if (texts) for (const [key, text] of part.map.store.texts!) texts.set(`${label}/${key}`, text);
      const skipped = part.map.skipped;
      total += skipped.total;
      for (const [reason, n] of Object.entries(skipped.counts) as [SkipReason, number][]) counts[reason] = (counts[reason] ?? 0) + n;
      for (const [reason, list] of Object.entries(skipped.examples) as [SkipReason, string[]][]) {
        (examples[reason] ??= []).push(...list.map((p) => `${label}/${p}`));
      }
    });
    entries.sort((a, b) => compare(a.path, b.path));
    const name = options.name ?? 'workspace';
    // The root names the combination (the symbol cache is keyed by it), so it lists every folder's root.
    const root = texts ? name : parts.map((p) => p.map.root).join(path.delimiter);
    return new FileMap(root, { counts, examples, total }, entries, {
      realRoot: undefined,
      maxFileBytes: Math.max(...parts.map((p) => p.map.maxFileBytes)),
      cache: new ContentCache(texts ? 0 : DEFAULT_CACHE_BYTES),
      texts,
      signatures,
      folders,
      displayName: name,
      unsaved: new Map(),
      ripgrep: parts[0].map.ripgrep,
      ...(parts.some((p) => p.map.measuring) ? { measuring: true } : {}),
    });
  }

  /** A combined map's folders, in the order given (undefined for a single folder's map). */
  get folders(): CombinedFolder[] | undefined {
    return this.store.folders && [...this.store.folders.values()];
  }

  /** For a key of a combined map: its folder's label and the key inside that folder's map. */
  locate(key: string): { folder: string; path: string; map: FileMap } | undefined {
    const slash = key.indexOf('/');
    const folder = slash > 0 ? this.store.folders?.get(key.slice(0, slash)) : undefined;
    return folder && { folder: folder.label, path: key.slice(slash + 1), map: folder.map };
  }

  /** The folder label of a combined map's key (undefined for a single folder's map). */
  folderOf(key: string): string | undefined {
    return this.locate(key)?.folder;
  }

  get size(): number {
    return this.list.length;
  }

  /**
   * True for a provisional map, handed out while the files are still being measured: sizes and line counts are -1,
   * there are no trigram signatures, and a read refuses a file that turns out binary (the complete map leaves it out).
   */
  get measuring(): boolean {
    return this.store.measuring === true;
  }

  /**
   * @internal Runs `work` (a search) ahead of the load that is still measuring a provisional map's files; on a
   * complete map it just runs it.
   */
  whileSearching<T>(work: () => Promise<T>): Promise<T> {
    return this.store.holds ? this.store.holds.hold(work) : work();
  }

  /** @internal A provisional map's files that may hold `literal`, when a search over every file has told. */
  filesHolding(literal: string): Set<string> | undefined {
    return this.store.holding?.get(literal);
  }

  /** @internal Remembers, for a provisional map, the files that may hold `literal` (every other file lacks it). */
  learnHolding(literal: string, files: Set<string>): void {
    if (!this.store.measuring || this.list !== this.store.whole) return;
    const holding = (this.store.holding ??= new Map());
    holding.delete(literal);
    holding.set(literal, files);
    if (holding.size > HOLDING_LITERALS) holding.delete(holding.keys().next().value as string);
  }

  /** Lines of file `p`: the map's count, or (a provisional map) the file's, read now. */
  async lineCount(p: string): Promise<number> {
    const entry = this.get(p);
    if (!entry) throw new Error(`not in workspace: ${p}`);
    return entry.lines >= 0 ? entry.lines : (await this.readLines(entry.path, 1, 1)).total;
  }

  /** True for maps built with `fromTexts`. */
  get isVirtual(): boolean {
    return this.store.texts !== undefined;
  }

  /** An in-memory map's texts by path (undefined for maps of files on disk): what a trajectory keeps to replay it. */
  virtualTexts(): Record<string, string> | undefined {
    const texts = this.store.texts;
    if (!texts) return undefined;
    return Object.fromEntries(this.list.map((e) => [e.path, texts.get(e.path) ?? '']));
  }

  /** A display name: the root folder's name, or the virtual map's name. */
  get name(): string {
    if (this.store.displayName !== undefined) return this.store.displayName;
    return this.store.texts ? this.root : path.basename(this.root) || this.root;
  }

  /** The per-file size cap the map was loaded with. */
  get maxFileBytes(): number {
    return this.store.maxFileBytes;
  }

  /** @internal Where a key lives on disk (through the real root, so symlinked roots work too). */
  absolutePath(key: string): string {
    const part = this.locate(key);
    if (part) return part.map.absolutePath(part.path);
    return path.join(this.store.realRoot ?? this.root, ...key.split('/'));
  }

  /** @internal Where a key lives on disk as a folder and a path under it (for tools run in that folder). */
  diskFile(key: string): { root: string; rel: string } {
    const part = this.locate(key);
    if (part) return part.map.diskFile(part.path);
    return { root: this.store.realRoot ?? this.root, rel: key };
  }

  /** The ripgrep binary grep may use (undefined: grep reads every file itself). */
  get ripgrep(): string | undefined {
    return this.store.texts ? undefined : this.store.ripgrep;
  }

  set ripgrep(binary: string | undefined) {
    this.store.ripgrep = binary;
  }

  /**
   * The text of an editor with unsaved changes to a file in the map, which reads and greps then see instead of
   * the disk's (undefined: back to the disk). Paths not in the map are ignored: nothing outside its rules gets in.
   */
  setUnsaved(p: string, text: string | undefined): boolean {
    const key = this.resolve(p);
    if (key === undefined) return false;
    if (text === undefined) this.store.unsaved.delete(key);
    else this.store.unsaved.set(key, text);
    this.store.cache.delete(key);
    return true;
  }

  /** Keys with unsaved editor texts. */
  get unsavedKeys(): string[] {
    return [...this.store.unsaved.keys()];
  }

  /** Shared by every subset of this map. */
  get cache(): ContentCache {
    return this.store.cache;
  }

  /** All entries (sorted), or those matching a picomatch glob; a glob without '/' matches basenames. */
  files(glob?: string): FileEntry[] {
    if (glob === undefined || glob === '' || glob === '**' || glob === '**/*') return [...this.list];
    const matches = compileGlob(glob);
    return this.list.filter((e) => matches(e.path));
  }

  get(p: string): FileEntry | undefined {
    const key = this.resolve(p);
    return key === undefined ? undefined : this.lookup().get(key);
  }

  /**
   * Maps user/model input ('./src//a.ts', 'src\\a.ts', an absolute path under the root) to the key
   * of a file in the map; undefined for anything else, including escapes like '../x'.
   */
  resolve(input: string): string | undefined {
    if (typeof input !== 'string') return undefined;
    let p = input.trim().replace(/\\/g, '/');
    if (p === '') return undefined;
    if (isAbsoluteLike(p)) {
      if (this.store.texts) return undefined;
      const rel = this.stripRoot(p);
      if (rel === undefined) return undefined;
      p = rel;
    }
    const rel = normalizeRelative(p);
    return rel !== undefined && this.lookup().has(rel) ? rel : undefined;
  }

  async readText(p: string): Promise<string> {
    const key = this.keyOf(p);
    return this.inMemory(key) ?? this.remember(key, this.textOf(key, await this.readRaw(key)));
  }

  /** `readText` without a Promise, for callers that must answer synchronously (the REPL's `read`). */
  readTextSync(p: string): string {
    const key = this.keyOf(p);
    return this.inMemory(key) ?? this.remember(key, this.textOf(key, this.readRawSync(key)));
  }

  /** Lines `start`..`end`, 1-based inclusive, clamped to the file; by default the first 200. */
  async readLines(p: string, start?: number, end?: number): Promise<LineRange> {
    return sliceLines(await this.readText(p), start, end);
  }

  /** `readLines` without a Promise. */
  readLinesSync(p: string, start?: number, end?: number): LineRange {
    return sliceLines(this.readTextSync(p), start, end);
  }

  /**
   * A key for a path the map may not list yet (a file created since it loaded): relative, or absolute under
   * a root; undefined for anything outside (or, in a combined map, not under one of its folders).
   */
  relativeKey(input: string): string | undefined {
    let p = input.trim().replace(/\\/g, '/');
    if (isAbsoluteLike(p)) {
      const rel = this.store.texts ? undefined : this.stripRoot(p);
      if (rel === undefined) return undefined;
      p = rel;
    }
    const key = normalizeRelative(p);
    if (key === undefined || !this.store.folders) return key;
    return this.locate(key) ? key : undefined;
  }

  /** A map over some of this map's files (unknown paths dropped), sharing its cache. */
  subset(paths: string[]): FileMap {
    const keep = new Set<string>();
    for (const p of paths) {
      const key = this.resolve(p);
      if (key !== undefined) keep.add(key);
    }
    return new FileMap(this.root, this.skipped, this.list.filter((e) => keep.has(e.path)), this.store);
  }

  /** An indented directory tree under `dir`, `depth` levels deep, with file counts per directory. */
  tree(dir = '', depth = 2): string {
    let prefix = dir.trim().replace(/\\/g, '/');
    if (isAbsoluteLike(prefix) && !this.store.texts) prefix = this.stripRoot(prefix) ?? prefix;
    const rel = prefix === '' || prefix === '.' || prefix === './' ? '' : normalizeRelative(prefix);
    if (rel === undefined) throw new Error(`not a directory in workspace: ${dir}`);
    return renderTree(this.list, rel, depth);
  }

  /**
   * @internal Text already in memory (virtual or cached), without touching the disk; grep uses it
   * to skip a read.
   */
  peekText(key: string): string | undefined {
    return this.inMemory(key);
  }

  /**
   * @internal False only when `key` certainly lacks the literal whose trigrams are given. The
   * signature is from load time: like sizes and line counts, it describes the loaded snapshot.
   */
  /**
   * @internal A map's whole listing by folder (grep's folder search), computed once in slices: undefined until it
   * is ready (the first call starts it), and for maps not loaded from one folder on disk (virtual, combined). A
   * complete map's folders where it left a file out have their files named instead (ripgrep would read the rest).
   */
  listingFolders(): ListingFolders | undefined {
    const whole = this.store.whole;
    if (!whole || !this.store.realRoot || (!this.store.measuring && !this.store.leftOut)) return undefined;
    if (this.store.listingFolders === undefined) {
      this.store.listingFolders = 'computing';
      const store = this.store;
      const leftOut = store.measuring ? undefined : store.leftOut;
      void listingFoldersInSlices(store.realRoot!, whole, leftOut).then((folders) => (store.listingFolders = folders));
    }
    return typeof this.store.listingFolders === 'object' ? this.store.listingFolders : undefined;
  }

  /**
   * @internal The folders under `diskRoot` (a real root of this map or of one of a combined map's folders) where a
   * file on disk is not in the map; undefined when not known (a provisional map, a virtual one).
   */
  leftOutFolders(diskRoot: string): ReadonlySet<string> | undefined {
    if (this.store.folders) {
      for (const folder of this.store.folders.values()) {
        const found = folder.map.leftOutFolders(diskRoot);
        if (found) return found;
      }
      return undefined;
    }
    return this.store.realRoot === diskRoot ? this.store.leftOut : undefined;
  }

  /** False when no file has a trigram signature (every `mayContain` is then true). */
  get hasSignatures(): boolean {
    return this.store.signatures.size > 0;
  }

  mayContain(key: string, trigrams: readonly number[]): boolean {
    // A signature tells what the file on disk holds, not what an editor with unsaved changes to it holds.
    if (this.store.unsaved.size > 0 && this.store.unsaved.has(key)) return true;
    const part = this.store.folders ? this.locate(key) : undefined;
    if (part && part.map.store.unsaved.has(part.path)) return true;
    return mayContain(this.store.signatures.get(key), trigrams);
  }

  /** @internal Keeps a text read from disk for later reads (grep keeps the files it found matches in). */
  keepText(key: string, text: string): void {
    if (this.store.unsaved.has(key) || this.store.texts) return;
    const part = this.locate(key);
    if (part && part.map.store.unsaved.has(part.path)) return; // an editor's text in a combined map's folder
    this.store.cache.set(key, text);
  }

  /** @internal Raw bytes of a file in the map (the caller releases them); grep prefilters on these. */
  readRaw(key: string, pool?: BufferPool): Promise<ReadOutcome> {
    const virtual = this.store.texts?.get(key);
    if (virtual !== undefined) {
      const buf = Buffer.from(virtual, 'utf8');
      return Promise.resolve({ kind: 'ok', buf, size: buf.length, release: () => {} });
    }
    const read = readBounded(this.absolutePath(key), this.store.maxFileBytes, pool);
    return this.store.measuring ? read.then(refuseBinary) : read;
  }

  /** @internal `readRaw` on the calling thread. */
  readRawSync(key: string): ReadOutcome {
    const virtual = this.store.texts?.get(key);
    if (virtual !== undefined) {
      const buf = Buffer.from(virtual, 'utf8');
      return { kind: 'ok', buf, size: buf.length, release: () => {} };
    }
    const read = readBoundedSync(this.absolutePath(key), this.store.maxFileBytes);
    return this.store.measuring ? refuseBinary(read) : read;
  }

  /** @internal Decodes a read of `key`, or throws the error a user should see. */
  textOf(key: string, outcome: ReadOutcome): string {
    switch (outcome.kind) {
      case 'ok': {
        const text = decodeText(outcome.buf.subarray(0, outcome.size));
        outcome.release();
        return text;
      }
      case 'too-large':
        throw new Error(`file grew past the size cap since the workspace was loaded: ${key}`);
      case 'not-file':
        throw new Error(`no longer a regular file: ${key}`);
      case 'error':
        throw new Error(`cannot read ${key}: ${outcome.error.code ?? outcome.error.message}`);
    }
  }

  private keyOf(p: string): string {
    const key = this.resolve(p);
    if (key === undefined) throw new Error(`not in workspace: ${p}`);
    return key;
  }

  private inMemory(key: string): string | undefined {
    const here = this.store.texts?.get(key) ?? this.store.unsaved.get(key) ?? this.store.cache.get(key);
    if (here !== undefined || !this.store.folders) return here;
    const part = this.locate(key);
    return part?.map.peekText(part.path);
  }

  private remember(key: string, text: string): string {
    this.store.cache.set(key, text);
    return text;
  }

  private lookup(): Map<string, FileEntry> {
    if (!this.index) this.index = new Map(this.list.map((e) => [e.path, e]));
    return this.index;
  }

  /** 'abs/root/x' → 'x' for the root as given or as resolved through symlinks. */
  private stripRoot(p: string): string | undefined {
    if (this.store.folders) {
      // The innermost folder wins when one folder lies inside another.
      let best: { label: string; rel: string } | undefined;
      for (const f of this.store.folders.values()) {
        const rel = f.map.stripRoot(p);
        if (rel !== undefined && (!best || rel.length < best.rel.length)) best = { label: f.label, rel };
      }
      return best && `${best.label}/${best.rel}`;
    }
    const roots = [this.root, this.store.realRoot].filter((r): r is string => !!r).map((r) => r.replace(/\\/g, '/').replace(/\/+$/, ''));
    const caseless = process.platform === 'win32' || process.platform === 'darwin';
    for (const r of roots) {
      const [a, b] = caseless ? [p.toLowerCase(), r.toLowerCase()] : [p, r];
      if (a.startsWith(b + '/')) return p.slice(r.length + 1);
    }
    return undefined;
  }
}

/** A provisional map's read of a file the complete map leaves out as binary: refused, as if it were not there. */
function refuseBinary(outcome: ReadOutcome): ReadOutcome {
  if (outcome.kind !== 'ok' || !isBinary(outcome.buf.subarray(0, outcome.size))) return outcome;
  outcome.release();
  return { kind: 'error', error: Object.assign(new Error('a binary file'), { code: 'binary file, not in the workspace map' }) };
}

function sliceLines(text: string, start: number | undefined, end: number | undefined): LineRange {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const total = lines.length;
  if (total === 0) return { text: '', start: 0, end: 0, total: 0 };
  const s = clamp(toInt(start, 1), 1, total);
  const e = clamp(toInt(end, s + DEFAULT_READ_LINES - 1), s, total);
  return { text: lines.slice(s - 1, e).join('\n'), start: s, end: e, total };
}

/** A glob of plain extensions in every folder ("**" then "/*.ext" or "/*.{ext,…}"): what the code helpers ask for. */
const EXTENSION_GLOB = /^\*\*\/\*\.(?:\{([\w+-]+(?:,[\w+-]+)+)\}|([\w+-]+))$/;

function compileGlob(glob: string): (p: string) => boolean {
  const g = glob.trim().replace(/\\/g, '/').replace(/^\.\//, '');
  // The same verdicts as picomatch's (dot files too, case-sensitive), by the name's last extension: a kernel's 83k
  // paths are filtered in a few milliseconds instead of a hundred.
  const byExtension = EXTENSION_GLOB.exec(g);
  if (byExtension) {
    const extensions = new Set((byExtension[1] ?? byExtension[2]!).split(','));
    return (p) => {
      const dot = p.lastIndexOf('.');
      return dot > p.lastIndexOf('/') && extensions.has(p.slice(dot + 1));
    };
  }
  try {
    return picomatch(g, { dot: true, basename: !g.includes('/') });
  } catch (error) {
    throw new Error(`invalid glob: ${glob} (${(error as Error).message})`);
  }
}

/** POSIX-normalizes a relative path; undefined if it is empty or climbs out ('../x'). */
function normalizeRelative(p: string): string | undefined {
  const parts: string[] = [];
  for (const part of p.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length ? parts.join('/') : undefined;
}

function isAbsoluteLike(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}

function toInt(n: number | undefined, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.floor(n) : fallback;
}
