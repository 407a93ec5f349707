import * as fs from 'node:fs';
import type { FileMap } from '../../workspace/fileMap';
import { isSecretPath } from '../../workspace/secrets';
import { ExtractTarget, extractAll, extractText, extractorKit } from './extractWorkers';
import type { ImportLanguage, RawImport } from './importExtractor';
import { ImportResolver } from './importResolver';
import { type ImportSnapshotEntry, importSnapshotFile, readImportSnapshot, writeImportSnapshot } from './importSnapshot';
import { type StoredEdge, graphFingerprint, readResolvedSnapshot, resolvedSnapshotFile, unpackEdges, writeResolvedSnapshot } from './resolvedSnapshot';
import { dirOf } from './paths';
import { PackageInfo, WorkspaceConfig, isManifest, readWorkspaceConfig } from './workspaceConfig';
import { EventLoopSlices } from '../../eventLoopSlices';

export type { PackageInfo } from './workspaceConfig';

export type ImportKind = 'import' | 'export' | 'require' | 'dynamic' | 'include' | 'use' | 'mod';

export interface ImportEdge {
  /** The importing file. */
  from: string;
  /** The import as written (Python `from X import a` where `a` is a submodule: `X.a`; a Rust use-tree: one path per leaf). */
  specifier: string;
  /** The resolved workspace file; undefined for an external (unresolved) import. */
  to?: string;
  kind: ImportKind;
  line: number;
}

export interface ImportGraphOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** A shared index pack's imports by content key, and each file's content key (from the symbol index). */
  seed?: { imports: Map<string, RawImport[]>; contentKey(path: string): string | undefined };
}

export interface ImportGraphStats {
  /** Source files scanned for imports. */
  files: number;
  edges: number;
  resolved: number;
  external: number;
  ms: number;
  /** Files whose imports were extracted (read) by this build; the others came from the import snapshot. */
  extracted: number;
  /** Files whose imports came from a shared index pack (by content). */
  seeded: number;
}

interface FileImports {
  language: ImportLanguage;
  /** Undefined until needed in a graph restored from its resolved snapshot. */
  raws: RawImport[] | undefined;
}

/**
 * Who imports what, across languages: every import of every source file in the map, resolved to a
 * workspace file where possible (else kept as an external specifier), plus the workspace's package
 * boundaries. Extraction is lexical (see importExtractor.ts) and runs on worker threads for large
 * trees; resolution uses lookup tables built from the file map, never the filesystem.
 *
 * An import naming a whole directory — a Go package, a Java wildcard import — is one edge whose `to`
 * is a representative file of the package (the file named after the directory, else the first by
 * name); `importers` of any file of that package lists it, and `dependencyPath` may continue from
 * any file of the package.
 */
export class ImportGraph {
  private readonly sources = new Map<string, FileImports>();
  private readonly out = new Map<string, ImportEdge[]>();
  private readonly inbound = new Map<string, ImportEdge[]>();
  private readonly inboundPackage = new Map<string, ImportEdge[]>();
  private readonly packageDirs = new WeakMap<ImportEdge, string>();
  /** Built on first need after a graph was restored from its resolved snapshot (see `setup`). */
  private configured: { config: WorkspaceConfig; resolver: ImportResolver } | undefined;
  /** The manifests read for `packages` before the resolver was built (the same config it is then built with). */
  private manifests: WorkspaceConfig | undefined;
  private ms = 0;
  private extracted = 0;
  private seeded = 0;
  private restored = false;
  /** Loads every file's imports for a restored graph, the first time they are needed. */
  private pendingRaws: (() => Promise<{ raws: Array<RawImport[] | null> }>) | undefined;

  private constructor(
    private readonly map: FileMap,
    private readonly paths: Set<string>,
  ) {}

  static async build(map: FileMap, options: ImportGraphOptions = {}): Promise<ImportGraph> {
    const started = performance.now();
    const slices = new EventLoopSlices();
    const kit = extractorKit();
    const targets: ExtractTarget[] = [];
    const paths: string[] = [];
    for (const entry of map.files()) {
      paths.push(entry.path);
      const language = kit.languageOf(entry.path);
      if (language) targets.push({ path: entry.path, language, size: entry.size });
      await slices.yield();
    }
    const graph = new ImportGraph(map, new Set(paths));
    const takenAt = Date.now();
    // No file changed since the resolved snapshot was written: its edges are what resolving would give, and the
    // files' imports are loaded only if the graph must be resolved again later (see `updateFile`).
    const where = map.snapshot;
    const fingerprint = where && await graphFingerprint(map.files(), takenAt);
    const file = where && resolvedSnapshotFile(where.dir, where.realRoot);
    const stored = file && fingerprint ? await readResolvedSnapshot(file, fingerprint) : undefined;
    if (stored) for (const t of targets) graph.sources.set(t.path, { language: t.language, raws: undefined });
    if (stored && (await graph.restore(stored, paths))) {
      graph.pendingRaws = () => extractWithSnapshot(map, targets, {});
    } else {
      const { raws, extracted, seeded } = await extractWithSnapshot(map, targets, options);
      graph.extracted = extracted;
      graph.seeded = seeded;
      for (let i = 0; i < targets.length; i++) graph.sources.set(targets[i].path, { language: targets[i].language, raws: raws[i] ?? [] });
      await graph.reconfigureInSlices();
      if (file && fingerprint) await writeResolvedSnapshot(file, fingerprint, paths, graph.storedEdges());
    }
    graph.ms = Math.round(performance.now() - started);
    return graph;
  }

  /** True when this graph's edges came from the resolved snapshot rather than from resolving every import. */
  get fromSnapshot(): boolean {
    return this.restored;
  }

  /** The manifests alone (what `packages` reports): the resolver's lookup tables are built when resolving needs them. */
  private get config(): WorkspaceConfig {
    return this.configured?.config ?? (this.manifests ??= this.readManifests());
  }

  private readManifests(): WorkspaceConfig {
    return readWorkspaceConfig(this.paths, (p) => this.readConfig(p));
  }

  private get resolver(): ImportResolver {
    return this.setup().resolver;
  }

  private setup(): { config: WorkspaceConfig; resolver: ImportResolver } {
    if (!this.configured) {
      const config = this.manifests ?? this.readManifests();
      this.configured = { config, resolver: new ImportResolver(this.paths, config) };
    }
    return this.configured;
  }

  /** `setup` with the lookup tables built a slice of milliseconds at a time (a kernel's: 83k paths, ~300 ms). */
  private async setupInSlices(): Promise<void> {
    if (this.configured) return;
    const config = this.manifests ?? this.readManifests();
    this.configured = { config, resolver: await ImportResolver.inSlices(this.paths, config) };
  }

  /** The imports of every file of a restored graph, from the import snapshot or the files. */
  private async loadRaws(): Promise<void> {
    const pending = this.pendingRaws;
    if (!pending) return;
    this.pendingRaws = undefined;
    const { raws } = await pending();
    let i = 0;
    for (const source of this.sources.values()) {
      const loaded = raws[i++];
      if (!source.raws) source.raws = loaded ?? [];
    }
  }

  /** Every file's edges as the resolved snapshot keeps them, one file at a time. */
  private *storedEdges(): Generator<[string, StoredEdge[]]> {
    for (const [from, edges] of [...this.out]) {
      yield [from, edges.map((e) => {
        const stored: StoredEdge = { kind: e.kind, line: e.line, specifier: e.specifier };
        if (e.to !== undefined) stored.to = e.to;
        const dir = this.packageDirs.get(e);
        if (dir !== undefined) stored.packageDir = dir;
        return stored;
      })];
    }
  }

  /**
   * The edges of the resolved snapshot (packed per importing file), indexed as `link` indexes resolved ones; false,
   * with nothing kept, when a file's list is not one the snapshot writes (the graph is then resolved afresh).
   */
  private async restore(files: Record<string, string>, paths: readonly string[]): Promise<boolean> {
    this.restored = true;
    const slices = new EventLoopSlices();
    for (const from in files) {
      if (this.sources.has(from)) {
        const edges: ImportEdge[] = [];
        const add = (kind: ImportKind, line: number, specifier: string, to: string | undefined, packageDir: string | undefined): void => {
          edges.push(this.edge(from, kind, line, specifier, to, packageDir));
        };
        if (!unpackEdges(files[from]!, paths, add)) {
          this.reset();
          return false;
        }
        this.out.set(from, edges);
      }
      await slices.yield();
    }
    return true;
  }

  private attach(key: string, resolved: StoredEdge[]): void {
    this.out.set(key, resolved.map((r) => this.edge(key, r.kind, r.line, r.specifier, r.to, r.packageDir)));
  }

  /** An edge out of `from`, indexed by what it leads to (a file, or a Go/Java package's directory). */
  private edge(from: string, kind: ImportKind, line: number, specifier: string, to: string | undefined, packageDir: string | undefined): ImportEdge {
    const edge: ImportEdge = { from, specifier, kind, line };
    if (to !== undefined) edge.to = to;
    if (packageDir !== undefined) {
      this.packageDirs.set(edge, packageDir);
      push(this.inboundPackage, packageDir, edge);
    } else if (to !== undefined) push(this.inbound, to, edge);
    return edge;
  }

  get stats(): ImportGraphStats {
    let edges = 0;
    let resolved = 0;
    for (const list of this.out.values()) {
      edges += list.length;
      for (const e of list) if (e.to !== undefined) resolved++;
    }
    return { files: this.sources.size, edges, resolved, external: edges - resolved, ms: this.ms, extracted: this.extracted, seeded: this.seeded };
  }

  /** Every source file's imports as extracted (for an index pack). */
  async rawImports(): Promise<Map<string, RawImport[]>> {
    await this.loadRaws();
    return new Map([...this.sources].map(([p, s]) => [p, s.raws ?? []]));
  }

  /** Imports of one file, in source order (empty for an unknown file). */
  imports(path: string): ImportEdge[] {
    const key = this.keyOf(path);
    return key === undefined ? [] : [...(this.out.get(key) ?? [])];
  }

  /** Resolved imports into one file (or into its Go/Java package), by importing path then line. */
  importers(path: string): ImportEdge[] {
    const key = this.keyOf(path);
    if (key === undefined) return [];
    const found = [...(this.inbound.get(key) ?? [])];
    for (const e of this.inboundPackage.get(dirOf(key)) ?? []) {
      if (this.resolver.packageFiles(dirOf(key), e.from).includes(key)) found.push(e);
    }
    return found.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.line - b.line));
  }

  /** The shortest chain of imports leading from one file to another, both included; null if there is none. */
  dependencyPath(fromPath: string, toPath: string): string[] | null {
    const from = this.keyOf(fromPath);
    const to = this.keyOf(toPath);
    if (from === undefined || to === undefined) return null;
    if (from === to) return [from];
    const parent = new Map<string, string>([[from, '']]);
    let frontier = [from];
    while (frontier.length) {
      const next: string[] = [];
      for (const u of frontier) {
        for (const v of this.neighbors(u)) {
          if (parent.has(v)) continue;
          parent.set(v, u);
          if (v === to) {
            const chain = [v];
            for (let p = u; p !== ''; p = parent.get(p)!) chain.push(p);
            return chain.reverse();
          }
          next.push(v);
        }
      }
      frontier = next;
    }
    return null;
  }

  packages(): PackageInfo[] {
    return this.config.packages.map((p) => ({ ...p }));
  }

  /** Unresolved imports grouped by specifier, most used first. */
  externals(): { specifier: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const list of this.out.values()) for (const e of list) if (e.to === undefined) counts.set(e.specifier, (counts.get(e.specifier) ?? 0) + 1);
    return [...counts.entries()]
      .map(([specifier, count]) => ({ specifier, count }))
      .sort((a, b) => b.count - a.count || (a.specifier < b.specifier ? -1 : a.specifier > b.specifier ? 1 : 0));
  }

  /**
   * Brings one file up to date with the disk after it changed, appeared or disappeared (the file map
   * itself is a snapshot, so the file is read directly). A new or deleted file, or a changed
   * manifest/tsconfig, re-resolves every import (without re-reading any other file).
   */
  async updateFile(path: string): Promise<void> {
    const key = this.normalize(path);
    if (key === undefined) return;
    await this.loadRaws();
    const text = await this.readCurrent(key);
    const existed = this.paths.has(key);
    if (text === undefined) this.paths.delete(key);
    else this.paths.add(key);
    const language = extractorKit().languageOf(key);
    if (language) {
      if (text === undefined) this.sources.delete(key);
      else this.sources.set(key, { language, raws: extractText(text, language) });
    }
    if (existed !== (text !== undefined) || isManifest(key)) {
      this.reconfigure();
      return;
    }
    if (!language) return;
    this.unlink(key);
    this.link(key);
  }

  private neighbors(u: string): string[] {
    const found: string[] = [];
    for (const e of this.out.get(u) ?? []) {
      if (e.to === undefined) continue;
      const dir = this.packageDirs.get(e);
      if (dir === undefined) found.push(e.to);
      else found.push(...this.resolver.packageFiles(dir, u));
    }
    return found;
  }

  /** Re-reads the manifests, rebuilds the lookup tables and resolves every file's imports again. */
  /**
   * `reconfigure` for a graph nobody sees yet, giving the event loop a turn every few milliseconds: resolving a
   * kernel's imports takes seconds, which must not freeze the extension host (or an MCP server's other requests).
   */
  private async reconfigureInSlices(): Promise<void> {
    this.reset();
    await this.setupInSlices();
    const slices = new EventLoopSlices();
    for (const key of this.sources.keys()) {
      this.link(key);
      await slices.yield();
    }
  }

  private reconfigure(): void {
    this.reset();
    for (const key of this.sources.keys()) this.link(key);
  }

  /** Forgets the manifests, lookup tables and every edge, before resolving again. */
  private reset(): void {
    this.configured = undefined;
    this.manifests = undefined;
    this.restored = false;
    this.out.clear();
    this.inbound.clear();
    this.inboundPackage.clear();
  }

  private link(key: string): void {
    const source = this.sources.get(key);
    if (!source) return;
    const resolved: StoredEdge[] = [];
    if (!source.raws) throw new Error(`imports of ${key} not loaded`);
    for (const raw of source.raws) {
      for (const r of this.resolver.resolve(key, raw, source.language)) {
        // In a multi-folder map, a relative import climbing out of its folder does not land in a sibling folder.
        if (r.to !== undefined && r.specifier.startsWith('.') && this.map.folderOf(r.to) !== this.map.folderOf(key)) {
          r.to = undefined;
          r.packageDir = undefined;
        }
        const edge: StoredEdge = { kind: raw.k, line: raw.l, specifier: r.specifier };
        if (r.to !== undefined) edge.to = r.to;
        if (r.packageDir !== undefined) edge.packageDir = r.packageDir;
        resolved.push(edge);
      }
    }
    this.attach(key, resolved);
  }

  private unlink(key: string): void {
    for (const e of this.out.get(key) ?? []) {
      const dir = this.packageDirs.get(e);
      const [index, target] = dir !== undefined ? [this.inboundPackage, dir] : [this.inbound, e.to];
      if (target === undefined) continue;
      const list = index.get(target)?.filter((x) => x.from !== key);
      if (list?.length) index.set(target, list);
      else index.delete(target);
    }
    this.out.delete(key);
  }

  private keyOf(path: string): string | undefined {
    const key = this.normalize(path);
    return key !== undefined && this.paths.has(key) ? key : undefined;
  }

  /** A workspace key for user input: relative or absolute under the root; undefined for anything outside. */
  private normalize(input: string): string | undefined {
    if (typeof input !== 'string') return undefined;
    const p = input.trim().replace(/\\/g, '/');
    // relativeKey knows every root of a combined multi-folder map.
    return this.map.resolve(p) ?? this.map.relativeKey(p);
  }

  private readConfig(key: string): string | undefined {
    if (this.map.isVirtual) return this.map.peekText(key);
    try {
      return fs.readFileSync(this.map.absolutePath(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The file's text now, or undefined when it is gone, not a regular file, too large or secret. */
  private async readCurrent(key: string): Promise<string | undefined> {
    if (isSecretPath(key)) return undefined;
    if (this.map.isVirtual) return this.map.peekText(key);
    const abs = this.map.absolutePath(key);
    try {
      const stat = await fs.promises.stat(abs);
      if (!stat.isFile() || stat.size > this.map.maxFileBytes) return undefined;
      return await fs.promises.readFile(abs, 'utf8');
    } catch {
      return undefined;
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The raw imports of every target: from the map's import snapshot for files unchanged since it was written, by
 * extraction (reading the files) for the others; the snapshot is rewritten when anything was extracted or is gone.
 */
async function extractWithSnapshot(
  map: FileMap, targets: ExtractTarget[], options: ImportGraphOptions,
): Promise<{ raws: Array<RawImport[] | null>; extracted: number; seeded: number }> {
  const where = map.snapshot;
  if (!where) {
    const raws: Array<RawImport[] | null> = new Array(targets.length).fill(null);
    const { extracted, seeded } = await extractMissing(map, targets, targets.map((_, i) => i), raws, options);
    return { raws, extracted, seeded };
  }
  const file = importSnapshotFile(where.dir, where.realRoot);
  const takenAt = Date.now();
  const known = (await readImportSnapshot(file, where.realRoot)) ?? new Map<string, ImportSnapshotEntry>();
  const raws: Array<RawImport[] | null> = new Array(targets.length).fill(null);
  const missing: number[] = [];
  const slices = new EventLoopSlices();
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const k = known.get(t.path);
    const entry = map.get(t.path);
    if (k && entry && k.size === entry.size && k.mtimeMs === entry.mtimeMs) raws[i] = k.raws;
    else missing.push(i);
    await slices.yield();
  }
  if (missing.length === 0 && known.size === targets.length) return { raws, extracted: 0, seeded: 0 };
  const { extracted, seeded } = await extractMissing(map, targets, missing, raws, options);
  const next = new Map<string, ImportSnapshotEntry>();
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const entry = map.get(t.path);
    if (entry?.mtimeMs !== undefined && raws[i]) next.set(t.path, { size: entry.size, mtimeMs: entry.mtimeMs, raws: raws[i]! });
    await slices.yield();
  }
  await writeImportSnapshot(file, where.realRoot, takenAt, next);
  return { raws, extracted, seeded };
}

/** Fills `raws` at `missing`: from the shared pack where it holds the file's content, else by reading the file. */
async function extractMissing(
  map: FileMap, targets: ExtractTarget[], missing: number[], raws: Array<RawImport[] | null>, options: ImportGraphOptions,
): Promise<{ extracted: number; seeded: number }> {
  const seed = options.seed;
  const rest: number[] = [];
  for (const i of missing) {
    const key = seed?.contentKey(targets[i]!.path);
    const found = key === undefined ? undefined : seed!.imports.get(key);
    if (found) raws[i] = found;
    else rest.push(i);
  }
  const extracted = await extractAll(map, rest.map((i) => targets[i]!), options);
  rest.forEach((i, k) => (raws[i] = extracted[k] ?? null));
  return { extracted: rest.length, seeded: missing.length - rest.length };
}
