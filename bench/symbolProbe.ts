// Child-process probe for the symbol benchmark, so each measurement starts from a fresh process
// (no warmed-up JIT, no grammar already loaded, its own peak RSS). Prints JSON lines; see runProbe.
//   node out/bench/symbolProbe.js first <root> <cacheDir> <workers> <name>
//     a session's start on a cold tree (map, code index building in the background, sandbox), then the
//     first cell calling findSymbol: its time from the call to the answer, and from node's start
//   node out/bench/symbolProbe.js references <root> <cacheDir> <workers> <name> <check>
//     the same session start, then a first cell calling references(name); with check = 1, the process then
//     waits for the complete index and compares references(name) with the cold answer
//   node out/bench/symbolProbe.js full <root> <cacheDir> <workers> <dumpFile> <name,name...>
//     complete index (cold or warm, depending on cacheDir), the definitions of the names, a dump of
//     every symbol (one JSON array per line: path, name, kind, line, endLine), then ImportGraph.build
//   node out/bench/symbolProbe.js index <root> <cacheDir> <workers>
//     the complete index only: cold on an empty cacheDir, a warm reload on the cacheDir a full run filled
import * as fs from 'node:fs';
import { CodeIndex, type Reference } from '../src/core/index/codeIndex';
import { ImportGraph } from '../src/core/index/imports/importGraph';
import { SymbolIndex, type SymbolIndexOptions } from '../src/core/index/symbols/symbolIndex';
import { createHelpers } from '../src/core/rlm/helpers';
import { prewarmQuickJS } from '../src/core/sandbox/quickjsModule';
import { Sandbox } from '../src/core/sandbox/sandbox';
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

const definitions = (symbols: Definition[]): Definition[] =>
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

/** A session started as `recurse ask` starts one, ready for its first cell. */
async function session(root: string, cacheDir: string, workers: number): Promise<{ code: CodeIndex; sandbox: Sandbox; loadMs: number; sessionMs: number }> {
  const t0 = performance.now();
  // As a session does (ask, the extension): parser threads boot and QuickJS compiles while the map
  // loads, then the code index starts building and the sandbox with its helpers is created.
  CodeIndex.prewarm();
  prewarmQuickJS();
  const map = await FileMap.load(root);
  const loadMs = performance.now() - t0;
  const code = new CodeIndex(map, { symbols: options(cacheDir, workers) });
  code.start();
  const unused = (): never => {
    throw new Error('not used by this probe');
  };
  const helpers = createHelpers({ map, concurrency: 8, grepTimeoutMs: 60_000, llmQuery: unused, rlmQuery: unused, onFinish: () => undefined, code });
  const sandbox = await Sandbox.create({ helpers, timeoutMs: 170_000, maxOutputChars: 1 << 26 });
  return { code, sandbox, loadMs, sessionMs: performance.now() - t0 };
}

async function first(root: string, cacheDir: string, workers: number, name: string): Promise<void> {
  const { code, sandbox, loadMs, sessionMs } = await session(root, cacheDir, workers);
  // The first cell a model writes to find a definition.
  const t1 = performance.now();
  const cell = await sandbox.runCell(`const defs = await findSymbol(${JSON.stringify(name)});\nprint(JSON.stringify(defs.map((d) => ({ path: d.path, line: d.line, kind: d.kind }))));`);
  const findMs = performance.now() - t1;
  if (cell.error) throw new Error(`cell failed: ${cell.error.message}`);
  const found = JSON.parse(cell.output) as Definition[];
  // performance.now() counts from the process's time origin, i.e. roughly node's start.
  emit({ event: 'answer', sinceStartMs: performance.now(), loadMs, sessionMs, findMs, complete: code.symbolIndex.complete, defs: definitions(found), peakRssMB: peakRssMB() });
  // The background build keeps worker threads alive; the answer is all this probe is for.
  process.exit(0);
}

/** A reference as the bench compares them: where, and the symbol it is in. */
type ReferenceRow = [path: string, line: number, inSymbol: string];

async function references(root: string, cacheDir: string, workers: number, name: string, check: boolean): Promise<void> {
  const { code, sandbox, loadMs, sessionMs } = await session(root, cacheDir, workers);
  const t1 = performance.now();
  const cell = await sandbox.runCell(`const refs = await references(${JSON.stringify(name)});\nprint(JSON.stringify(refs.map((r) => [r.path, r.line, r.in ?? ''])));`);
  const refsMs = performance.now() - t1;
  if (cell.error) throw new Error(`cell failed: ${cell.error.message}`);
  const found = JSON.parse(cell.output) as ReferenceRow[];
  emit({
    event: 'references', sinceStartMs: performance.now(), loadMs, sessionMs, refsMs, count: found.length,
    files: new Set(found.map((r) => r[0])).size, withSymbol: found.filter((r) => r[2] !== '').length, complete: code.symbolIndex.complete,
  });
  if (check) {
    await code.symbolIndex.whenComplete();
    const after: ReferenceRow[] = (await code.references(name)).map((r: Reference) => [r.path, r.line, r.in ?? '']);
    emit({ event: 'check', same: JSON.stringify(after) === JSON.stringify(found), after: after.length });
  }
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
  if (mode === 'references' && rest.length === 2) return references(root, cacheDir, Number(workers), rest[0], rest[1] === '1');
  if (mode === 'index' && rest.length === 0) return full(root, cacheDir, Number(workers), '-', []);
  if (mode === 'full' && rest.length === 2) return full(root, cacheDir, Number(workers), rest[0], rest[1].split(',').filter(Boolean));
  throw new Error('usage: symbolProbe.js first <root> <cacheDir> <workers> <name> | references <root> <cacheDir> <workers> <name> <check 0|1> | full <root> <cacheDir> <workers> <dumpFile|-> <names> | index <root> <cacheDir> <workers>');
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
