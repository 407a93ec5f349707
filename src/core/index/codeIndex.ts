import * as fs from 'node:fs';
import * as path from 'node:path';
import { type FileMap, mapSnapshotFile } from '../workspace/fileMap';
import { grep } from '../workspace/grep';
import { defaultSnapshotDir } from '../workspace/mapSnapshot';
import { prefetchFiles } from '../wholeFileRead';
import { ImportGraph } from './imports/importGraph';
import { resolvedSnapshotFile } from './imports/resolvedSnapshot';
import type { RawImport } from './imports/importExtractor';
import { type IndexPack, writeIndexPack } from './pack/indexPack';
import { cacheFile, defaultCacheDir } from './symbols/symbolCache';
import { type CodeSymbol, SymbolIndex, type SymbolIndexOptions } from './symbols/symbolIndex';

/**
 * Starts reading, on libuv's threads, the caches a warm open of `root` with the default cache folders starts from —
 * the map snapshot, the symbol cache and the resolved import graph — so they are in memory by the time the map is
 * loaded and the index asks for them (each read is taken once, and checked as a fresh read would be).
 */
export function prefetchIndexCaches(root: string, map: { maxFileBytes?: number; exclude?: readonly string[] }): void {
  const absRoot = path.resolve(root);
  let realRoot = absRoot;
  try {
    realRoot = fs.realpathSync(absRoot);
  } catch {
    // The load reports a missing root.
  }
  const mapSnapshot = mapSnapshotFile(realRoot, map);
  // The map's first, alone: the load waits for it before anything else, and the symbol cache's pieces (a kernel's:
  // hundreds of MB) would hold every thread of the pool meanwhile.
  void prefetchFiles([mapSnapshot]).then(() => prefetchFiles([cacheFile(defaultCacheDir(), absRoot), resolvedSnapshotFile(defaultSnapshotDir(), realRoot)]));
}

/**
 * Code intelligence over one file map: the tree-sitter symbol index (built in the background, answering
 * single-symbol questions before it completes) and the import graph. The REPL's code helpers and the
 * `recurse index` command go through this one object.
 */

export interface Reference {
  path: string;
  line: number;
  text: string;
  /** The innermost symbol enclosing the occurrence, as `Container.name`, if any. */
  in?: string;
}

export interface CodeIndexSummary {
  symbols: number | 'indexing';
  indexedFiles?: number;
  packages?: number;
}

const MAX_REFERENCES = 500;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class CodeIndex {
  readonly symbolIndex: SymbolIndex;
  private graphPromise: Promise<ImportGraph> | undefined;
  private builtGraph: ImportGraph | undefined;
  private symbolCount: number | undefined;

  /** The shared pack, once the symbol index asked for it (its cache lacked files). */
  private pack: Promise<IndexPack | undefined> | undefined;
  private readonly hasPack: boolean;

  /**
   * `pack`: a shared index pack, read only if the cache lacks files; their symbols and imports are taken from it
   * where it holds their content.
   */
  constructor(
    readonly map: FileMap,
    options: { symbols?: SymbolIndexOptions; pack?: () => Promise<IndexPack | undefined> } = {},
  ) {
    const load = options.pack;
    this.hasPack = Boolean(load);
    const seed = load && (() => (this.pack ??= load()));
    this.symbolIndex = new SymbolIndex(map, { ...options.symbols, ...(seed ? { seed } : {}) });
  }

  /** Boots the symbol parser threads while the workspace's map loads (see SymbolIndex.prewarm). */
  static prewarm(): void {
    SymbolIndex.prewarm();
  }

  /** Readies the symbol lookups of an index that is not built (see SymbolIndex.warm). */
  warm(): void {
    this.symbolIndex.warm();
  }

  /**
   * Starts both builds in the background: the symbols first, the import graph once they are done
   * (or as soon as a helper asks for it). The graph reads every file on this thread; built beside
   * the symbols it held up the first lookups of a session by hundreds of milliseconds.
   */
  start(): void {
    this.symbolIndex.start();
    void this.symbolIndex.whenComplete().then(
      (stats) => {
        this.symbolCount = stats.symbols;
      },
      () => undefined,
    ).finally(() => this.graph().catch(() => undefined));
  }

  graph(): Promise<ImportGraph> {
    this.graphPromise ??= (async () => {
      // The pack's imports are found by content key, which the symbol index learns as it reads each file.
      if (this.hasPack) await this.symbolIndex.whenComplete().catch(() => undefined);
      const pack = await this.pack?.catch(() => undefined);
      const seed = pack && pack.imports.size > 0 ? { imports: pack.imports, contentKey: (p: string) => this.symbolIndex.contentKey(p) } : undefined;
      const g = await ImportGraph.build(this.map, seed ? { seed } : {});
      this.builtGraph = g;
      return g;
    })();
    return this.graphPromise;
  }

  /** What the root prompt's metadata says about the index (never waits). */
  summary(): CodeIndexSummary {
    return {
      symbols: this.symbolCount ?? 'indexing',
      ...(this.builtGraph ? { packages: this.builtGraph.packages().length } : {}),
    };
  }

  symbols(path: string): Promise<CodeSymbol[]> {
    return this.symbolIndex.symbols(path);
  }

  /** One line per symbol, indented by nesting: `kind name (start-end)`. */
  async outline(path: string): Promise<string> {
    const symbols = await this.symbolIndex.symbols(path);
    if (symbols.length === 0) return `${path}: no symbols (unsupported language or nothing defined)`;
    const sorted = [...symbols].sort((a, b) => a.line - b.line || b.endLine - a.endLine);
    const open: CodeSymbol[] = [];
    const lines = [`${path} (${symbols.length} symbols)`];
    for (const s of sorted) {
      while (open.length && open[open.length - 1].endLine < s.line) open.pop();
      lines.push(`${'  '.repeat(open.length + 1)}${s.kind} ${s.name} (${s.line}-${s.endLine})`);
      open.push(s);
    }
    return lines.join('\n');
  }

  findSymbol(name: string, options?: { kind?: CodeSymbol['kind']; exact?: boolean }): Promise<CodeSymbol[]> {
    return this.symbolIndex.findSymbol(name, options);
  }

  /** Whole-word occurrences of a name, each with the symbol that encloses it. */
  async references(name: string, options: { glob?: string } = {}): Promise<Reference[]> {
    const { matches } = await grep(this.map, { source: `\\b${escapeRegExp(name)}\\b`, flags: '' }, {
      glob: options.glob,
      maxResults: MAX_REFERENCES,
    });
    // Every file's symbols at once: one at a time, 500 references across 242 kernel files took 9 s.
    const byPath = await this.symbolIndex.symbolsOf([...new Set(matches.map((m) => m.path))]).catch(() => new Map<string, CodeSymbol[]>());
    return matches.map((m) => {
      let best: CodeSymbol | undefined;
      for (const s of byPath.get(m.path) ?? []) {
        if (s.line <= m.line && m.line <= s.endLine && (!best || s.endLine - s.line < best.endLine - best.line)) best = s;
      }
      const ref: Reference = { path: m.path, line: m.line, text: m.text };
      if (best) ref.in = best.container ? `${best.container}.${best.name}` : best.name;
      return ref;
    });
  }

  /**
   * Writes the complete index as a portable pack (see pack/indexPack.ts): every indexed file's symbols and its
   * imports, keyed by content. Files the symbol index does not cover are left out (an import extracts them).
   */
  async exportPack(file: string): Promise<{ symbols: number; imports: number; bytes: number }> {
    await this.symbolIndex.whenComplete();
    const raws = await (await this.graph()).rawImports();
    const symbols = this.symbolIndex;
    const imports = (function* (): Generator<[string, RawImport[]]> {
      const seen = new Set<string>();
      for (const [p, list] of raws) {
        const key = symbols.contentKey(p);
        if (key === undefined || seen.has(key)) continue;
        seen.add(key);
        yield [key, list];
      }
    })();
    return writeIndexPack(file, { symbols: symbols.packSymbols(), imports });
  }

  dispose(): void {
    this.symbolIndex.dispose();
  }
}
