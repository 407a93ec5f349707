// The benchmark's result record and its renderings (console table, markdown for the README).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type PackImportRow, packImportTable } from './packImport';
import { type PoolFanoutRow, poolFanoutTable } from './poolFanout';
import { type FanoutResult, fanoutTable } from './reviewFanout';
import { goalTable } from './goals';
import { RECALL_KINDS, RECALL_RULE, type SymbolCorpusResult } from './symbolBench';

export interface GrepRow {
  label: string;
  pattern: string;
  ignoreCase: boolean;
  /** Our grep with the default maxResults (200): what a model's first grep costs. */
  oursDefaultMs: number;
  oursDefaultMatches: number;
  oursDefaultTruncated: boolean;
  /** The REPL's synchronous grep (what the model calls), max 200 results. */
  oursSyncDefaultMs: number;
  ratioSyncDefault: number;
  /** Our grep with maxResults 1e9: a full scan, comparable with rg. */
  oursFullMs: number;
  oursFullMatches: number;
  rgMs: number;
  rgMatches: number;
  /** rg restricted to one thread, for context (our scan uses worker threads too). */
  rgOneThreadMs?: number;
  /** ours / rg: below 1 we are faster. */
  ratioDefault: number;
  ratioFull: number;
  /** The REPL's grep with every match wanted, the text cache empty: the first grep of a session. */
  oursSyncFullMs?: number;
  oursSyncFullMatches?: number;
  /** rg's matches in the files the map lists (rg also searches what the map leaves out, e.g. symlinks leaving the root). */
  rgMatchesInMap?: number;
}

export interface LoadFigures {
  /** Median over fresh processes (page cache warm). */
  ms: number;
  runs: number[];
  files: number;
  skipped: Record<string, number>;
  peakRssDeltaMB: number;
  heapRetainedMB: number;
  externalRetainedMB: number;
  /** The same load again in the (warmed-up) benchmark process. */
  inProcessMs: number;
}

/** How the map's file set differs from `rg --files` with the same ignore semantics. */
export interface FileSetDiff {
  onlyRg: number;
  onlyMap: number;
  /** Extensions of the files only rg lists, most frequent first (e.g. binaries, or an ignore-rule disagreement). */
  onlyRgByExtension: [string, number][];
  onlyRgExamples: string[];
  onlyMapExamples: string[];
}

export interface CorpusResult {
  name: string;
  root: string;
  load: LoadFigures;
  rgFilesMs: number;
  rgFilesCount: number;
  fileSetDiff: FileSetDiff;
  /** `rg -c ''`: walk + read + count lines of every file, i.e. the work FileMap.load does. */
  rgReadAllMs: number;
  ratioLoadVsRgFiles: number;
  ratioLoadVsRgReadAll: number;
  ctags?: { ms: number; tags: number } | { skipped: string };
  grep: GrepRow[];
}

export interface PromptSize {
  files: number;
  metadataChars: number;
  firstMessageChars: number;
  systemPromptChars?: number;
}

export interface BenchResult {
  /** Issue 21's goals, each beside its reference measured in the same run. */
  goals?: import('./goals').GoalRow[];
  date: string;
  quick: boolean;
  environment: { node: string; rg: string; ctags: string; cpus: number; cpuModel: string; platform: string };
  rgFlags: string[];
  corpora: CorpusResult[];
  unavailable: { name: string; reason: string }[];
  firstPrompt?: { small: PromptSize; large: PromptSize & { corpus: string }; ratioMetadata: number; ratioFirstMessage: number };
  /** The symbol-index section (issue 8's goals), one entry per corpus. */
  symbols?: SymbolCorpusResult[];
  /** Review fan-out against ceil(n / concurrency) × latency of a scripted sub-model (issue 9's goal). */
  reviewFanout?: FanoutResult[];
  poolFanout?: PoolFanoutRow[];
  packImport?: PackImportRow[];
  notes: string[];
}

const f0 = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
const ms = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? f0(n) : n.toFixed(1)) : '–');

function table(head: string[], rows: string[][]): string {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function loadTable(r: BenchResult): string {
  return table(
    ['corpus', 'files (map / rg --files)', 'FileMap.load ms (warm process)', 'peak RSS Δ MB', 'retained MB (heap + external)', 'rg --files ms', 'load / rg --files', "rg -c '' ms", "load / rg -c ''", 'ctags -R ms (tags)'],
    r.corpora.map((c) => [
      c.name,
      `${f0(c.load.files)} / ${f0(c.rgFilesCount)}`,
      `${ms(c.load.ms)} (${ms(c.load.inProcessMs)})`,
      f0(c.load.peakRssDeltaMB),
      `${f1(c.load.heapRetainedMB + c.load.externalRetainedMB)} (${f1(c.load.heapRetainedMB)} + ${f1(c.load.externalRetainedMB)})`,
      ms(c.rgFilesMs),
      f1(c.ratioLoadVsRgFiles) + '×',
      ms(c.rgReadAllMs),
      f2(c.ratioLoadVsRgReadAll) + '×',
      !c.ctags ? '–' : 'skipped' in c.ctags ? `skipped (${c.ctags.skipped})` : `${ms(c.ctags.ms)} (${f0(c.ctags.tags)})`,
    ]),
  );
}

export function fileSetTable(r: BenchResult): string {
  return table(
    ['corpus', 'only in rg --files', 'by extension', 'only in map'],
    r.corpora.map((c) => [
      c.name,
      f0(c.fileSetDiff.onlyRg),
      c.fileSetDiff.onlyRgByExtension.map(([e, n]) => `${e}: ${f0(n)}`).join(', ') || '–',
      f0(c.fileSetDiff.onlyMap),
    ]),
  );
}

export function grepTable(r: BenchResult): string {
  const rows: string[][] = [];
  for (const c of r.corpora) {
    for (const g of c.grep) {
      rows.push([
        c.name,
        g.label,
        '`' + g.pattern.replace(/\|/g, '\\|') + '`' + (g.ignoreCase ? ' (-i)' : ''),
        `${ms(g.oursDefaultMs)} (${f0(g.oursDefaultMatches)}${g.oursDefaultTruncated ? '+' : ''})`,
        `${ms(g.oursFullMs)} (${f0(g.oursFullMatches)})`,
        ms(g.oursSyncDefaultMs),
        `${ms(g.rgMs)} (${f0(g.rgMatches)})`,
        g.rgOneThreadMs === undefined ? '–' : ms(g.rgOneThreadMs),
        f2(g.ratioDefault),
        f2(g.ratioFull),
        f2(g.ratioSyncDefault),
      ]);
    }
  }
  return table(
    ['corpus', 'case', 'pattern', 'ours, max 200: ms (matches)', 'ours, full: ms (matches)', 'REPL grep (sync, max 200) ms', 'rg: ms (matches)', 'rg -j1 ms', 'ratio max 200', 'ratio full', 'ratio REPL grep'],
    rows,
  );
}

export function promptTable(r: BenchResult): string {
  const p = r.firstPrompt;
  if (!p) return '(first-prompt size not measured)';
  const row = (name: string, s: PromptSize): string[] => [name, f0(s.files), f0(s.metadataChars), f0(s.firstMessageChars), s.systemPromptChars === undefined ? '–' : f0(s.systemPromptChars)];
  return [
    table(['workspace', 'files', 'metadata JSON chars', 'first user message chars', 'system prompt chars'], [
      row('10-file repo', p.small),
      row(p.large.corpus, p.large),
    ]),
    '',
    `Ratio ${p.large.corpus} / 10-file: metadata ${f2(p.ratioMetadata)}×, first user message ${f2(p.ratioFirstMessage)}× (files: ${f0(p.large.files / p.small.files)}×).`,
  ].join('\n');
}

const pct = (n: number): string => (Number.isFinite(n) ? (n * 100).toFixed(2) + '%' : '–');
const ratio = (n: number | undefined, digits = 2): string => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) + '×' : '–');
const mark = (ok: boolean | undefined): string => (ok === undefined ? '–' : ok ? 'yes' : 'NO');

/** Primary language of each corpus: the one its recall goal is judged on. */
const PRIMARY_LANGUAGE: Record<string, string> = { linux: 'c', go: 'go', python: 'python', java: 'java' };

export const SYMBOL_GOALS = { firstAnswer: 1.0, fullVsFloor: 1.25, warmVsCtags: 0.1, recall: 0.95, kernelRssMB: 2048 };

export function firstAnswerTable(r: BenchResult): string {
  const rows: string[][] = [];
  for (const c of r.symbols ?? []) {
    for (const a of c.firstAnswer) {
      rows.push([
        c.name,
        `${a.label}: \`${a.name}\``,
        a.error ? `error: ${a.error}` : f0(a.definitions ?? Number.NaN),
        ms(a.findMs ?? Number.NaN),
        ms(c.ctagsMs ?? Number.NaN),
        ratio(a.ratioToCtags),
        a.correct === undefined ? '–' : a.correct ? 'yes' : `NO (${a.mismatch})`,
        mark(a.ratioToCtags === undefined ? undefined : a.ratioToCtags <= SYMBOL_GOALS.firstAnswer && a.correct !== false),
        ms(a.spawnToAnswerMs ?? Number.NaN),
        ms(a.sessionMs ?? Number.NaN),
        ms(a.loadMs ?? Number.NaN),
        ratio(a.spawnRatioToCtags),
      ]);
    }
  }
  return table(['corpus', 'name', 'definitions', 'first cell: findSymbol call → answer ms', 'ctags -R ms', 'ratio to ctags', 'same as complete index', 'goal ≤ 1.0×', 'spawn → answer ms', 'of which session start ms', 'of which FileMap.load ms', 'spawn → answer / ctags'], rows);
}

export function referencesTable(r: BenchResult): string {
  const rows: string[][] = [];
  for (const c of r.symbols ?? []) {
    const x = c.references;
    if (!x) continue;
    rows.push([
      c.name,
      `\`${x.name}\``,
      x.error ? `error: ${x.error}` : `${f0(x.count ?? Number.NaN)} (${f0(x.files ?? Number.NaN)} files, ${f0(x.withSymbol ?? Number.NaN)} inside a symbol)`,
      ms(x.refsMs ?? Number.NaN),
      (x.runs ?? []).map((v) => ms(v)).join(', '),
      mark(x.same),
    ]);
  }
  return table(['corpus', 'name', 'references (first 500)', 'first cell: references call → answer ms', 'runs ms', 'same once the index completes'], rows);
}

export function indexTable(r: BenchResult): string {
  return table(
    ['corpus', 'files indexed', 'symbols', 'cold index ms (+ load)', 'parse floor ms (files, MB)', 'index / floor (≤ 1.25×)', 'index / ctags', 'warm reload ms (from cache)', 'warm / ctags (≤ 0.1×)', 'peak RSS MB, load + index (after dump)', 'skipped', 'runs', 'load avg (start → end)'],
    (r.symbols ?? []).map((c) => [
      c.name,
      c.full ? f0(c.full.files) : '–',
      c.full ? f0(c.full.symbols) : '–',
      c.full ? `${ms(c.full.indexMs)} (+ ${ms(c.full.loadMs)})` : 'not measured',
      c.floor ? `${ms(c.floor.ms)} (${f0(c.floor.files)}, ${f0(c.floor.bytes / 1048576)})` : 'not measured',
      c.full?.ratioToFloor !== undefined ? `${ratio(c.full.ratioToFloor)} ${mark(c.full.ratioToFloor <= SYMBOL_GOALS.fullVsFloor)}` : '–',
      ratio(c.full?.ratioToCtags),
      c.warm ? `${ms(c.warm.indexMs)} (${f0(c.warm.cachedFiles)}/${f0(c.warm.files)})` : '–',
      c.warm?.ratioToCtags !== undefined ? `${ratio(c.warm.ratioToCtags, 3)} ${mark(c.warm.ratioToCtags <= SYMBOL_GOALS.warmVsCtags)}` : '–',
      c.full ? `${f0(c.full.peakRssMB)} (${c.full.peakRssAfterDumpMB === undefined ? '–' : f0(c.full.peakRssAfterDumpMB)})` : '–',
      c.full ? Object.entries(c.full.skipped).filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n}`).join(', ') || '0' : '–',
      `best of ${c.reps}`,
      `${f1(c.loadAverage[0])} → ${f1(c.loadAverage[1])}`,
    ]),
  );
}

export function recallTable(r: BenchResult): string {
  const rows: string[][] = [];
  for (const c of r.symbols ?? []) {
    for (const x of c.recall ?? []) {
      const primary = PRIMARY_LANGUAGE[c.name] === x.language;
      rows.push([
        c.name,
        x.language + (primary ? '' : ' (secondary)'),
        f0(x.ctagsDefinitions),
        f0(x.matched),
        pct(x.recall) + (primary ? ` ${mark(x.recall >= SYMBOL_GOALS.recall)}` : ''),
        Object.entries(x.byKind).map(([k, [n, m]]) => `${k} ${pct(m / n)} of ${f0(n)}`).join(', '),
        x.missExamples.slice(0, 4).map((m) => '`' + m.replace(/\|/g, '\\|') + '`').join('<br>'),
      ]);
    }
  }
  return table(['corpus', 'language', 'ctags definitions', 'found by us', 'recall (≥ 95%)', 'by ctags kind', 'examples of misses'], rows);
}

export function importTable(r: BenchResult): string {
  return table(
    ['corpus', 'ImportGraph.build ms', 'files', 'edges', 'resolved', 'external', 'packages'],
    (r.symbols ?? []).map((c) =>
      c.imports ? [c.name, ms(c.imports.ms), f0(c.imports.files), f0(c.imports.edges), f0(c.imports.resolved), f0(c.imports.external), f0(c.imports.packages)] : [c.name, 'not measured', '–', '–', '–', '–', '–'],
    ),
  );
}

/** One line per goal: met, not met, or not measured (with why). */
export function symbolGoals(r: BenchResult): string[] {
  const out: string[] = [];
  const s = r.symbols ?? [];
  const firsts = s.flatMap((c) => c.firstAnswer.map((a) => ({ c, a })));
  const bad = firsts.filter(({ a }) => a.ratioToCtags === undefined || a.ratioToCtags > SYMBOL_GOALS.firstAnswer || a.correct !== true);
  out.push(`time to first answer (the first cell's findSymbol) ≤ 1.0 × ctags, correct: ${bad.length === 0 ? 'MET' : 'NOT MET'} — ${firsts.map(({ c, a }) => `${c.name}/${a.name} ${ratio(a.ratioToCtags)}${a.correct === false ? ' (wrong)' : a.correct === undefined ? ' (unchecked)' : ''}`).join(', ')}`);
  const full = s.map((c) => `${c.name} ${c.full?.ratioToFloor !== undefined ? ratio(c.full.ratioToFloor) : 'not measured' + (c.errors.length ? ` (${c.errors[0]})` : '')}`);
  const fullOk = s.every((c) => c.full?.ratioToFloor !== undefined && c.full.ratioToFloor <= SYMBOL_GOALS.fullVsFloor);
  out.push(`complete cold index ≤ 1.25 × parse floor: ${fullOk ? 'MET' : 'NOT MET'} — ${full.join(', ')}`);
  const warmOk = s.every((c) => c.warm?.ratioToCtags !== undefined && c.warm.ratioToCtags <= SYMBOL_GOALS.warmVsCtags);
  out.push(`warm reload ≤ 0.1 × ctags: ${warmOk ? 'MET' : 'NOT MET'} — ${s.map((c) => `${c.name} ${ratio(c.warm?.ratioToCtags, 3)}`).join(', ')}`);
  const rec = s.map((c) => ({ c, x: c.recall?.find((x) => x.language === PRIMARY_LANGUAGE[c.name]) }));
  const recOk = rec.every(({ x }) => x && x.recall >= SYMBOL_GOALS.recall);
  out.push(`definition recall vs ctags ≥ 95%: ${recOk ? 'MET' : 'NOT MET'} — ${rec.map(({ c, x }) => `${x?.language ?? c.name} ${x ? pct(x.recall) : 'not measured'}`).join(', ')}`);
  const kernel = s.find((c) => c.name === 'linux');
  if (kernel) out.push(`kernel loaded and indexed in ≤ 2 GiB: ${kernel.full ? (kernel.full.peakRssMB <= SYMBOL_GOALS.kernelRssMB ? 'MET' : 'NOT MET') + ` — peak RSS ${f0(kernel.full.peakRssMB)} MB` : 'not measured'}`);
  return out;
}

export const SYMBOL_NOTES = [
  'Timed figures are the best of N fresh-process runs (N = 3; every run is in the JSON): this machine is shared with other work, whose load (the load-average column, 2 cores) inflates single runs, ours and ctags alike.',
  'Every symbol figure comes from a fresh node process (bench/symbolProbe.js, bench/parseFloor.js), on the same number of parser workers as the index uses by default (min(2, cores)); the OS page cache is warm for ctags and for us.',
  'Time to first answer: a new process starts a session on the cold tree as `recurse ask` does (parser threads and QuickJS warming up while FileMap.load walks the tree, then a CodeIndex with an empty, fresh cache directory starts its background build, and the sandbox is created with the REPL helpers), then runs the cell a model would write, `const defs = await findSymbol(name)`. The goal\'s figure is that cell, from its call to the answer — the model is answered at once here, so the build has had no head start; ctags -R is one cold run of the whole tree. Beside it: the parent\'s clock from spawning the process until the answer line arrives (node start-up, session start, the cell), which is what a command-line user waits for, not the goal. Best of the runs each. "Same as complete index" compares the (path, line, kind) set with findSymbol(name) on the completed index of the cold run.',
  'references: the same session start, then a first cell `await references(name)` for the corpus\'s common name (the helper returns the first 500 whole-word occurrences in path order, each with the smallest symbol around it, parsing the files not indexed yet); best of the runs. The first run\'s process then waits for the complete index and compares references(name) with its cold answer.',
  'Complete cold index: SymbolIndex.whenComplete() in a fresh process with an empty cache (the FileMap.load before it is shown separately). Parse floor: every file the index parses (indexed extension, ≤ 1 MiB), read and parsed by web-tree-sitter on the same number of worker threads, trees deleted, no queries, no symbol extraction, no cache; timed from spawning the workers (they load the wasm runtime and grammars, as the index\'s do) to the last parse.',
  'Warm reload: a second fresh process with the cache directory the cold run filled: whenComplete() time (load shown separately), compared with a cold ctags -R.',
  'ctags -R is timed as `ctags -R -f - .` (stdout drained), once per corpus (the same figure as the file-map table when both sections run).',
  'Recall: ' + RECALL_RULE + ' Kinds per language: ' + Object.entries(RECALL_KINDS).map(([l, k]) => `${l}: ${k.join(', ')}`).join('; ') + '. ctags variables, struct members and fields are left out: we do not claim them (we index top-level variables only).',
  'Peak RSS: the lifetime peak resident set (maxRSS, all worker threads included) of the probe process that loaded the map and built the complete index, read when whenComplete() resolves; in brackets the same process\'s peak after the benchmark-only work that follows (allSymbols() into one array, the JSONL dump, ImportGraph.build).',
];

export function symbolSection(r: BenchResult): string[] {
  if (!r.symbols?.length) {
    return r.quick ? [] : ['## Symbol index vs ctags', '', 'Not measured in this run (`--no-symbols`); the last symbol run is in [symbols.md](symbols.md).', ''];
  }
  const errors = r.symbols.flatMap((c) => c.errors.map((e) => `- ${c.name}: ${e}`));
  return [
    '## Symbol index vs ctags',
    '',
    '### Goals',
    '',
    ...symbolGoals(r).map((g) => `- ${g}`),
    '',
    '### Time to first answer (cold tree, empty cache, fresh process, from a cell)',
    '',
    firstAnswerTable(r),
    '',
    '### references(common name) from the first cell (cold tree, empty cache, fresh process; no goal)',
    '',
    referencesTable(r),
    '',
    '### Complete index, parse floor, warm reload, memory',
    '',
    indexTable(r),
    '',
    '### Definition recall vs ctags',
    '',
    recallTable(r),
    '',
    '### Import graph',
    '',
    importTable(r),
    '',
    ...(errors.length ? ['### Not measured', '', ...errors, ''] : []),
    '### How these are measured',
    '',
    ...SYMBOL_NOTES.map((n) => `- ${n}`),
    '',
  ];
}

export function symbolConsole(r: BenchResult): string {
  if (!r.symbols?.length) return '';
  return [firstAnswerTable(r), referencesTable(r), indexTable(r), recallTable(r), importTable(r), symbolGoals(r).join('\n')].join('\n\n');
}

export function toMarkdown(r: BenchResult): string {
  const env = r.environment;
  return [
    '# Recurse benchmark',
    '',
    `${r.date}${r.quick ? ' (quick mode)' : ''} — node ${env.node}, ${env.rg}, ${env.ctags}, ${env.cpus} × ${env.cpuModel}, ${env.platform}.`,
    '',
    ...(r.goals?.length ? ['## Goals', '', goalTable(r.goals), ''] : []),
    '## File map load',
    '',
    loadTable(r),
    '',
    'File-set check — files `rg --files` lists (same flags as below) that the map lacks, and vice versa. Binary files (e.g. `.pyc`), files over 1 MiB and secret-looking paths are expected here; source extensions are not.',
    '',
    fileSetTable(r),
    '',
    '## grep vs ripgrep',
    '',
    'Ratio = ours / rg (below 1: we are faster). Times are medians of warm runs; rg is timed as a process (spawn to exit), ours in-process on an already-loaded map.',
    '',
    `rg flags: \`rg ${r.rgFlags.join(' ')} -n PATTERN\``,
    '',
    grepTable(r),
    '',
    '## First prompt size',
    '',
    promptTable(r),
    '',
    ...symbolSection(r),
    ...(r.reviewFanout?.length
      ? [
          '## Review fan-out',
          '',
          'A scripted root model reviews a real git diff by sending one `llm_query_batched` prompt per changed file; the sub-model (a real local HTTP server) answers each after a fixed delay. Floor = ceil(files / concurrency) × delay; goal: the fan-out cell within 1.1× of it. "Whole review" adds git, the file map, both root turns and checking the findings.',
          '',
          fanoutTable(r.reviewFanout),
          '',
        ]
      : []),
    ...(r.poolFanout?.length
      ? [
          '## Sub-calls over a pool of endpoints',
          '',
          'A root cell fans its prompts out through `llm_query_batched` to a pool of 1, 2 and 4 endpoints (model servers on their own threads, each answering after a fixed delay), 4 calls in flight per endpoint. Ideal = ceil(calls / (4 × endpoints)) × delay.',
          '',
          poolFanoutTable(r.poolFanout),
          '',
        ]
      : []),
    ...(r.packImport?.length
      ? [
          '## The index built once: import of a pack vs a cold build',
          '',
          'Whole `recurse index` processes, each with an empty cache: the cold build, the export of its index, and the import of that pack (what a teammate waits for when CI\'s pack seeds their index).',
          '',
          packImportTable(r.packImport),
          '',
        ]
      : []),
    ...(r.unavailable.length ? ['## Skipped corpora', '', ...r.unavailable.map((u) => `- ${u.name}: ${u.reason}`), ''] : []),
    '## Notes',
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/** Writes bench/results/<name>.json and <name>.md, and prints the markdown: what every bench script ends with. */
export function saveResults(name: string, json: unknown, md: string): void {
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${name}.md`), md);
  process.stdout.write(md);
}

/** Runs a bench script's main; a failure prints its stack and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((e) => {
    process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
}
