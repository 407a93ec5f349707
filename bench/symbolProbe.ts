// Child-process probe for the symbol benchmark, so each measurement starts from a fresh process
// (no warmed-up JIT, no grammar already loaded, its own peak RSS). Prints JSON lines; see runProbe.
//   node out/bench/symbolProbe.js first <root> <cacheDir> <workers> <name>
//     cold start to the first findSymbol answer, with the background build started as a session does
//   node out/bench/symbolProbe.js full <root> <cacheDir> <workers> <dumpFile> <name,name...>
//     complete index (cold or warm, depending on cacheDir), the definitions of the names, a dump of
//     every symbol (one JSON array per line: path, name, kind, line, endLine), then ImportGraph.build
//   node out/bench/symbolProbe.js index <root> <cacheDir> <workers>
//     the complete index only: cold on an empty cacheDir, a warm reload on the cacheDir a full run filled
import * as fs from 'node:fs';
import { ImportGraph } from '../src/core/index/imports/importGraph';
import { SymbolIndex, type CodeSymbol, type SymbolIndexOptions } from '../src/core/index/symbols/symbolIndex';
import { FileMap } from '../src/core/workspace/fileMap';
import { peakRssMB } from './probe';

export interface Definition {
  path: string;
  line: number;
  kind: string;
}

const emit = (data: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify(data) + '\n');
};

const definitions = (symbols: CodeSymbol[]): Definition[] =>
  symbols.map((s) => ({ path: s.path, line: s.line, kind: s.kind })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));

function options(cacheDir: string, workers: number, progress = false): SymbolIndexOptions {
  let last = 0;
  // Progress lines let the parent say how far a build got when it exceeds its time box.
  const onProgress = (done: number, total: number): void => {
    const now = performance.now();
    if (now - last < 5000 && done < total) return;
    last = now;
    emit({ event: 'progress', done, total, ms: now, peakRssMB: peakRssMB() });
  };
  return { cacheDir, ...(workers > 0 ? { workers } : {}), ...(progress ? { onProgress } : {}) };
}

async function first(root: string, cacheDir: string, workers: number, name: string): Promise<void> {
  const t0 = performance.now();
  // As a session does (ask, the extension's code index): parser threads boot while the map loads.
  SymbolIndex.prewarm();
  const map = await FileMap.load(root);
  const loadMs = performance.now() - t0;
  const index = new SymbolIndex(map, options(cacheDir, workers));
  index.start();
  const t1 = performance.now();
  const found = await index.findSymbol(name);
  const findMs = performance.now() - t1;
  // performance.now() counts from the process's time origin, i.e. roughly node's start.
  emit({ event: 'answer', sinceStartMs: performance.now(), loadMs, findMs, complete: index.complete, defs: definitions(found), peakRssMB: peakRssMB() });
  // The background build keeps worker threads alive; the answer is all this probe is for.
  process.exit(0);
}

async function full(root: string, cacheDir: string, workers: number, dumpFile: string, names: string[]): Promise<void> {
  const t0 = performance.now();
  const map = await FileMap.load(root);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const index = new SymbolIndex(map, options(cacheDir, workers, true));
  index.start();
  const stats = await index.whenComplete();
  const indexMs = performance.now() - t1;
  emit({ event: 'complete', loadMs, indexMs, stats, files: map.size, peakRssMB: peakRssMB(), heapUsedMB: process.memoryUsage().heapUsed / 1048576 });
  if (names.length === 0 && dumpFile === '-') return; // 'index' mode: the load and the index are the measurement

  const defs: Record<string, Definition[]> = {};
  for (const name of names) defs[name] = definitions(await index.findSymbol(name));
  emit({ event: 'names', defs });

  if (dumpFile !== '-') {
    const all = await index.allSymbols();
    const out = fs.createWriteStream(dumpFile);
    for (const s of all) {
      if (!out.write(JSON.stringify([s.path, s.name, s.kind, s.line, s.endLine]) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    emit({ event: 'dump', symbols: all.length });
  }
  index.dispose();

  const t2 = performance.now();
  const graph = await ImportGraph.build(map);
  emit({ event: 'imports', ms: performance.now() - t2, stats: graph.stats, packages: graph.packages().length });
  emit({ event: 'done', peakRssMB: peakRssMB() });
}

async function main(argv: string[]): Promise<void> {
  const [mode, root, cacheDir, workers, ...rest] = argv;
  if (mode === 'first' && rest.length === 1) return first(root, cacheDir, Number(workers), rest[0]);
  if (mode === 'index' && rest.length === 0) return full(root, cacheDir, Number(workers), '-', []);
  if (mode === 'full' && rest.length === 2) return full(root, cacheDir, Number(workers), rest[0], rest[1].split(',').filter(Boolean));
  throw new Error('usage: symbolProbe.js first <root> <cacheDir> <workers> <name> | full <root> <cacheDir> <workers> <dumpFile|-> <names> | index <root> <cacheDir> <workers>');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: Error) => {
      emit({ event: 'error', message: e.stack ?? e.message });
      process.exit(1);
    },
  );
}
