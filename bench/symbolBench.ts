// The symbol-index section of the benchmark (issue 8's goals): time to first answer on a cold tree,
// complete cold index vs the parser's floor, warm reload, definition recall vs ctags, peak RSS, and
// the import graph — every figure from fresh processes, side by side with ctags on the same tree.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { defaultWorkers } from '../src/core/index/symbols/parsePool';
import { indexedLanguage } from '../src/core/index/symbols/languages';
import type { FileMap } from '../src/core/workspace/fileMap';
import type { Corpus } from './corpora';
import { timeTool } from './measure';
import { eventOf, probeFailure, runProbe } from './probe';
import type { Definition } from './symbolProbe';

export interface FirstAnswerRow {
  label: 'rare' | 'common';
  name: string;
  /** findMs of every run; the row shows the best (least disturbed by other load on the machine). */
  runs?: number[];
  /** Parent's clock, best run: spawn of the probe process until its answer line arrived (node start, session start, the cell). */
  spawnToAnswerMs?: number;
  loadMs?: number;
  /** Node start to the session ready for its first cell (map loaded, code index building, sandbox created). */
  sessionMs?: number;
  /** The first cell: from its findSymbol call to the answer (the goal's figure). */
  findMs?: number;
  spawnRatioToCtags?: number;
  definitions?: number;
  /** Identical (path, line, kind) set to the complete index's findSymbol for the same name. */
  correct?: boolean;
  mismatch?: string;
  ratioToCtags?: number;
  error?: string;
}

/** references(common name) from the first cell of a fresh session on a cold tree: informational, no goal. */
export interface ReferencesRow {
  name: string;
  /** refsMs of every run; the row shows the best. */
  runs?: number[];
  refsMs?: number;
  count?: number;
  files?: number;
  /** References placed inside a symbol. */
  withSymbol?: number;
  /** The same (path, line, enclosing symbol) list once the index completed, in the first run's process. */
  same?: boolean;
  error?: string;
}

export interface FullIndexFigures {
  loadMs: number;
  /** Best of `runs` (each a fresh process on an empty cache). */
  indexMs: number;
  runs: number[];
  files: number;
  symbols: number;
  languages: Record<string, number>;
  skipped: Record<string, number>;
  cachedFiles: number;
  /** Peak RSS of the probe when the index completed: FileMap.load + the complete index (the memory goal). */
  peakRssMB: number;
  /** Peak RSS at the end of the probe, after allSymbols(), the dump and ImportGraph.build (bench-only work on top). */
  peakRssAfterDumpMB?: number;
  ratioToFloor?: number;
  ratioToCtags?: number;
}

export interface FloorFigures {
  /** Best of `runs`. */
  ms: number;
  runs: number[];
  files: number;
  bytes: number;
  workers: number;
  failed: number;
  skippedTooLarge: number;
}

export interface WarmFigures {
  loadMs: number;
  indexMs: number;
  cachedFiles: number;
  files: number;
  ratioToCtags?: number;
}

export interface RecallRow {
  language: string;
  ctagsDefinitions: number;
  matched: number;
  recall: number;
  byKind: Record<string, [number, number]>;
  missExamples: string[];
}

export interface ImportFigures {
  ms: number;
  files: number;
  edges: number;
  resolved: number;
  external: number;
  packages: number;
}

export interface SymbolCorpusResult {
  name: string;
  workers: number;
  /** Timed runs per measurement (more on small corpora, where one run is cheap and noise is relatively large). */
  reps: number;
  /** 1-minute load average when the section started and ended: other work on the machine inflates every figure. */
  loadAverage: [number, number];
  ctagsMs?: number;
  firstAnswer: FirstAnswerRow[];
  references?: ReferencesRow;
  full?: FullIndexFigures;
  floor?: FloorFigures;
  warm?: WarmFigures;
  recall?: RecallRow[];
  imports?: ImportFigures;
  errors: string[];
}

export interface SymbolBenchOptions {
  map: FileMap;
  log: (line: string) => void;
  /** Per-probe time boxes. */
  fullTimeoutMs: number;
  floorTimeoutMs: number;
}

/** ctags kinds that name definitions we claim (functions, methods, types, macros, constants), per our language. */
export const RECALL_KINDS: Record<string, string[]> = {
  c: ['function', 'macro', 'struct', 'union', 'enum', 'typedef', 'enumerator'],
  go: ['func', 'type', 'struct', 'interface', 'talias', 'const', 'methodSpec'],
  python: ['class', 'function', 'member'],
  java: ['class', 'interface', 'enum', 'annotation', 'method', 'enumConstant'],
};

export const RECALL_RULE =
  'A ctags tag (restricted to the kinds listed per language, in files of our file map) counts as found when our allSymbols() has a symbol with the same path and name whose lines [line − 1, max(endLine, line + 1)] contain the ctags line (ctags reports the line of the name; our symbols start where the definition node starts — a decorator, a return type on the line before, a doc comment). Kinds are not compared (the vocabularies differ); ctags maps .h to C (`--map-C++=-.h --map-C=+.h`) to match our grammar choice.';

const PROBE = path.join(__dirname, 'symbolProbe.js');
const FLOOR = path.join(__dirname, 'parseFloor.js');
const FIRST_TIMEOUT_MS = 180_000;
const WARM_TIMEOUT_MS = 180_000;

const key = (d: Definition): string => `${d.path}:${d.line}:${d.kind}`;

function compareDefinitions(got: Definition[], want: Definition[]): string | undefined {
  const g = new Set(got.map(key));
  const w = new Set(want.map(key));
  const missing = [...w].filter((k) => !g.has(k));
  const extra = [...g].filter((k) => !w.has(k));
  if (missing.length === 0 && extra.length === 0) return undefined;
  return `missing ${missing.length} (${missing.slice(0, 3).join(', ')}), extra ${extra.length} (${extra.slice(0, 3).join(', ')})`;
}

function tempCache(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `recurse-bench-symbols-${tag}-`));
}

/** Our dump, as path → name → [line, endLine][]. */
async function readDump(file: string): Promise<Map<string, Map<string, [number, number][]>>> {
  const byPath = new Map<string, Map<string, [number, number][]>>();
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const [p, name, , start, end] = JSON.parse(line) as [string, string, string, number, number];
    let names = byPath.get(p);
    if (!names) byPath.set(p, (names = new Map()));
    const spans = names.get(name);
    if (spans) spans.push([start, end]);
    else names.set(name, [[start, end]]);
  }
  return byPath;
}

/** Streams ctags' JSON tags for the recall languages and matches each definition against our dump. */
async function recall(root: string, map: FileMap, dumpFile: string): Promise<RecallRow[]> {
  const ours = await readDump(dumpFile);
  const inMap = new Set(map.files().map((e) => e.path));
  const rows = new Map<string, RecallRow>();
  const child = spawn('ctags', ['-R', '--output-format=json', '--fields=+nKl-P', '--languages=C,Go,Python,Java', '--map-C++=-.h', '--map-C=+.h', '-f', '-', '.'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.startsWith('{')) continue;
    const tag = JSON.parse(line) as { _type: string; name: string; path: string; line?: number; kind?: string };
    // ctags names anonymous structs/enums `__anonXXXX`; they are not names anyone can ask for.
    if (tag._type !== 'tag' || !tag.kind || !tag.line || tag.name.startsWith('__anon')) continue;
    const p = tag.path.replace(/^\.\//, '');
    if (!inMap.has(p)) continue;
    const language = indexedLanguage(p);
    if (!language || !RECALL_KINDS[language]?.includes(tag.kind)) continue;
    let row = rows.get(language);
    if (!row) rows.set(language, (row = { language, ctagsDefinitions: 0, matched: 0, recall: 0, byKind: {}, missExamples: [] }));
    row.ctagsDefinitions++;
    const k = (row.byKind[tag.kind] ??= [0, 0]);
    k[0]++;
    const spans = ours.get(p)?.get(tag.name);
    const hit = spans?.some(([start, end]) => tag.line! >= start - 1 && tag.line! <= Math.max(end, start + 1));
    if (hit) {
      row.matched++;
      k[1]++;
    } else if (row.missExamples.length < 400) {
      row.missExamples.push(`${tag.kind} ${tag.name} ${p}:${tag.line}`);
    }
  }
  await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on('close', () => resolve())));
  return [...rows.values()]
    .map((r) => {
      // Spread the examples over the misses (not only the first files ctags walked), a few per kind.
      const perKind = new Map<string, string[]>();
      for (const m of r.missExamples) {
        const kind = m.slice(0, m.indexOf(' '));
        const list = perKind.get(kind) ?? [];
        if (list.length < 3) perKind.set(kind, [...list, m]);
      }
      return { ...r, recall: r.ctagsDefinitions ? r.matched / r.ctagsDefinitions : Number.NaN, missExamples: [...perKind.values()].flat().slice(0, 10) };
    })
    .sort((a, b) => b.ctagsDefinitions - a.ctagsDefinitions);
}

export async function measureSymbols(corpus: Corpus, opts: SymbolBenchOptions): Promise<SymbolCorpusResult> {
  const { log } = opts;
  const workers = defaultWorkers();
  // Three runs of everything timed: single runs of the same index swing ±20% on this shared machine.
  const reps = 3;
  const result: SymbolCorpusResult = { name: corpus.name, workers, reps, loadAverage: [os.loadavg()[0], Number.NaN], firstAnswer: [], errors: [] };
  const cleanup: string[] = [];
  const fail = (msg: string): void => {
    result.errors.push(msg);
    log(`${corpus.name}: symbols: ${msg}`);
  };
  try {
    // Best of the same number of runs as ours: a single run would flatter every ratio.
    for (let i = 0; i < reps; i++) {
      const r = await timeTool('ctags', ['-R', '-f', '-', '.'], corpus.root, [0]);
      result.ctagsMs = Math.min(result.ctagsMs ?? Infinity, r.ms);
    }
    const ctagsMs = result.ctagsMs!;
    log(`${corpus.name}: symbols: ctags -R ${ctagsMs.toFixed(0)} ms (reference, best of ${reps}), ${workers} parser workers`);

    // 1. First answers, each from a fresh process on an empty cache.
    const names = [
      { label: 'rare' as const, name: corpus.symbols.rare },
      { label: 'common' as const, name: corpus.symbols.common },
    ];
    const firstDefs = new Map<string, Definition[]>();
    for (const { label, name } of names) {
      type Answer = { atMs: number; data: { loadMs: number; sessionMs: number; findMs: number; defs: Definition[] } };
      let best: Answer | undefined;
      let fastestSpawn: number | undefined;
      const runs: number[] = [];
      let error: string | undefined;
      for (let i = 0; i < reps; i++) {
        const dir = tempCache('first');
        cleanup.push(dir);
        const run = await runProbe(PROBE, ['first', corpus.root, dir, String(workers), name], FIRST_TIMEOUT_MS);
        fs.rmSync(dir, { recursive: true, force: true });
        const answer = eventOf(run, 'answer') as Answer | undefined;
        if (!answer) {
          error = probeFailure(run, `first answer for ${name}`, FIRST_TIMEOUT_MS);
          break;
        }
        runs.push(answer.data.findMs);
        if (!best || answer.data.findMs < best.data.findMs) best = answer;
        if (fastestSpawn === undefined || answer.atMs < fastestSpawn) fastestSpawn = answer.atMs;
      }
      if (!best || error) {
        result.firstAnswer.push({ label, name, error });
        fail(error ?? 'no answer');
        continue;
      }
      const d = best.data;
      firstDefs.set(name, d.defs);
      const row: FirstAnswerRow = {
        label, name, runs, spawnToAnswerMs: fastestSpawn, loadMs: d.loadMs, sessionMs: d.sessionMs, findMs: d.findMs, definitions: d.defs.length,
        ratioToCtags: d.findMs / ctagsMs, spawnRatioToCtags: fastestSpawn! / ctagsMs,
      };
      result.firstAnswer.push(row);
      log(`${corpus.name}: symbols: first findSymbol(${name}) from a cell ${d.findMs.toFixed(0)} ms (runs ${runs.map((r) => r.toFixed(0)).join(', ')}) → ${row.ratioToCtags!.toFixed(2)}× ctags; from spawn ${fastestSpawn!.toFixed(0)} ms (session ready ${d.sessionMs.toFixed(0)}, of which load ${d.loadMs.toFixed(0)}) → ${row.spawnRatioToCtags!.toFixed(2)}×; ${d.defs.length} definitions`);
    }

    // 1b. references(common name) from a cold session's first cell; the first run also waits for the
    // complete index in the same process and compares.
    {
      const name = corpus.symbols.common;
      const row: ReferencesRow = { name, runs: [] };
      for (let i = 0; i < reps; i++) {
        const dir = tempCache('refs');
        cleanup.push(dir);
        const run = await runProbe(PROBE, ['references', corpus.root, dir, String(workers), name, i === 0 ? '1' : '0'], opts.fullTimeoutMs);
        fs.rmSync(dir, { recursive: true, force: true });
        const answer = eventOf(run, 'references');
        if (!answer) {
          row.error = probeFailure(run, `references(${name})`, opts.fullTimeoutMs);
          fail(row.error);
          break;
        }
        const d = answer.data as { refsMs: number; count: number; files: number; withSymbol: number };
        row.runs!.push(d.refsMs);
        if (row.refsMs === undefined || d.refsMs < row.refsMs) Object.assign(row, { refsMs: d.refsMs, count: d.count, files: d.files, withSymbol: d.withSymbol });
        const check = eventOf(run, 'check');
        if (i === 0) row.same = check ? (check.data.same as boolean) : undefined;
      }
      result.references = row;
      if (row.refsMs !== undefined) log(`${corpus.name}: symbols: first references(${name}) from a cell ${row.refsMs.toFixed(0)} ms (runs ${row.runs!.map((r) => r.toFixed(0)).join(', ')}); ${row.count} references in ${row.files} files, ${row.withSymbol} inside a symbol; same after the index completes: ${row.same}`);
    }

    // 2. Complete cold index on an empty cache, with the names' definitions and a dump of every symbol.
    const coldCache = tempCache('cold');
    cleanup.push(coldCache);
    const dumpFile = path.join(coldCache, 'dump.jsonl');
    const fullRun = await runProbe(PROBE, ['full', corpus.root, coldCache, String(workers), dumpFile, names.map((n) => n.name).join(',')], opts.fullTimeoutMs, ['--expose-gc', '--max-old-space-size=4096']);
    const complete = eventOf(fullRun, 'complete');
    if (!complete) fail(probeFailure(fullRun, 'complete cold index', opts.fullTimeoutMs));
    else {
      const c = complete.data as { loadMs: number; indexMs: number; stats: { files: number; symbols: number; languages: Record<string, number>; skipped: Record<string, number>; cachedFiles: number }; peakRssMB: number };
      result.full = {
        loadMs: c.loadMs,
        indexMs: c.indexMs,
        runs: [c.indexMs],
        files: c.stats.files,
        symbols: c.stats.symbols,
        languages: c.stats.languages,
        skipped: c.stats.skipped,
        cachedFiles: c.stats.cachedFiles,
        peakRssMB: c.peakRssMB,
        ratioToCtags: c.indexMs / ctagsMs,
      };
      log(`${corpus.name}: symbols: complete cold index ${c.indexMs.toFixed(0)} ms (+ load ${c.loadMs.toFixed(0)}), ${c.stats.files} files, ${c.stats.symbols} symbols, skipped ${JSON.stringify(c.stats.skipped)}, peak RSS ${c.peakRssMB.toFixed(0)} MB`);
      const named = eventOf(fullRun, 'names')?.data.defs as Record<string, Definition[]> | undefined;
      for (const row of result.firstAnswer) {
        const got = firstDefs.get(row.name);
        const want = named?.[row.name];
        if (!got || !want) continue;
        row.mismatch = compareDefinitions(got, want);
        row.correct = row.mismatch === undefined;
        if (!row.correct) log(`${corpus.name}: symbols: first answer for ${row.name} differs from the complete index: ${row.mismatch}`);
      }
      const imports = eventOf(fullRun, 'imports')?.data as { ms: number; stats: { files: number; edges: number; resolved: number; external: number }; packages: number } | undefined;
      if (imports) {
        result.imports = { ms: imports.ms, ...imports.stats, packages: imports.packages };
        log(`${corpus.name}: symbols: ImportGraph.build ${imports.ms.toFixed(0)} ms, ${imports.stats.edges} edges (${imports.stats.resolved} resolved, ${imports.stats.external} external), ${imports.packages} packages`);
      } else if (fullRun.code !== 0) fail(probeFailure(fullRun, 'dump / import graph', opts.fullTimeoutMs));
      const done = eventOf(fullRun, 'done');
      if (done) result.full.peakRssAfterDumpMB = done.data.peakRssMB as number;
    }

    // On small corpora, more cold runs (index only, fresh empty caches); the best is compared with the
    // best floor run, the two figures least disturbed by other load on the machine.
    for (let i = 1; i < reps && result.full; i++) {
      const dir = tempCache('cold');
      const again = await runProbe(PROBE, ['index', corpus.root, dir, String(workers)], opts.fullTimeoutMs);
      fs.rmSync(dir, { recursive: true, force: true });
      const c = eventOf(again, 'complete');
      if (!c) break;
      result.full.runs.push(c.data.indexMs as number);
    }
    if (result.full) {
      result.full.indexMs = Math.min(...result.full.runs);
      result.full.ratioToCtags = result.full.indexMs / ctagsMs;
      if (reps > 1) log(`${corpus.name}: symbols: cold index runs ${result.full.runs.map((r) => r.toFixed(0)).join(', ')} ms`);
    }

    // 3. Warm reload: a second process on the cache the cold run filled.
    if (result.full) {
      const warmRuns: number[] = [];
      for (let i = 0; i < reps; i++) {
        const warm = await runProbe(PROBE, ['index', corpus.root, coldCache, String(workers)], WARM_TIMEOUT_MS);
        const w = eventOf(warm, 'complete');
        if (!w) {
          fail(probeFailure(warm, 'warm reload', WARM_TIMEOUT_MS));
          break;
        }
        const d = w.data as { loadMs: number; indexMs: number; stats: { cachedFiles: number; files: number } };
        warmRuns.push(d.indexMs);
        if (!result.warm || d.indexMs < result.warm.indexMs) {
          result.warm = { loadMs: d.loadMs, indexMs: d.indexMs, cachedFiles: d.stats.cachedFiles, files: d.stats.files, ratioToCtags: d.indexMs / ctagsMs };
        }
      }
      const best = result.warm;
      if (best) log(`${corpus.name}: symbols: warm reload ${best.indexMs.toFixed(0)} ms (runs ${warmRuns.map((r) => r.toFixed(0)).join(', ')}) (+ load ${best.loadMs.toFixed(0)}), ${best.cachedFiles}/${best.files} from cache → ${best.ratioToCtags!.toFixed(3)}× ctags`);
    }

    // 4. The parser's floor on the same number of workers.
    const floorRuns: FloorFigures[] = [];
    for (let i = 0; i < reps; i++) {
      const floorRun = await runProbe(FLOOR, [corpus.root, String(workers), String(1024 * 1024)], opts.floorTimeoutMs);
      const floor = eventOf(floorRun, 'floor');
      if (!floor) {
        fail(probeFailure(floorRun, 'parse floor', opts.floorTimeoutMs));
        break;
      }
      floorRuns.push(floor.data as unknown as FloorFigures);
    }
    if (floorRuns.length) {
      const runs = floorRuns.map((f) => f.ms);
      result.floor = { ...floorRuns.reduce((a, b) => (b.ms < a.ms ? b : a)), runs };
      if (result.full) result.full.ratioToFloor = result.full.indexMs / result.floor.ms;
      log(`${corpus.name}: symbols: parse floor ${result.floor.ms.toFixed(0)} ms (runs ${runs.map((r) => r.toFixed(0)).join(', ')}; ${result.floor.files} files, ${(result.floor.bytes / 1048576).toFixed(0)} MB)${result.full ? ` → index / floor ${result.full.ratioToFloor!.toFixed(2)}×` : ''}`);
    }

    // 5. Recall vs ctags, from both dumps.
    if (fs.existsSync(dumpFile)) {
      const t = performance.now();
      result.recall = await recall(corpus.root, opts.map, dumpFile);
      for (const r of result.recall) {
        log(`${corpus.name}: symbols: recall ${r.language} ${(r.recall * 100).toFixed(2)}% (${r.matched}/${r.ctagsDefinitions}); misses e.g. ${r.missExamples.slice(0, 3).join('; ')}`);
      }
      log(`${corpus.name}: symbols: recall computed in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
  } catch (e) {
    fail((e as Error).message);
  } finally {
    result.loadAverage[1] = os.loadavg()[0];
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
