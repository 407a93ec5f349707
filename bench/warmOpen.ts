// Warm open, measured whole-process: `npm run bench:warm-open [-- --corpus python,go,linux,java]`.
// From process start to a complete index (file map, symbols, imports; no dump) — `node dist/cli.js index ROOT --json`
// with the caches a first run left — against `ctags -R` cold (spawn to exit, its output drained), in the same run.
// Goal (issue 21): warm open ≤ 0.25 × ctags. Inner steps beside it, never instead of it: the process before main,
// the map (files read vs taken from its snapshot), symbols and the import graph. Writes bench/results/warm-open.{json,md}.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Corpus, availableCorpora, corporaFromArgs, hasCtags } from './corpora';
import { median, timeTool } from './measure';
import { runBench, saveResults } from './results';
import { WARM_OPEN_CORPORA } from './goals';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const CACHE_DIR = path.join(REPO, '.bench-cache');
const RESULTS = path.join(REPO, 'bench', 'results');
const GOAL = 0.25;
const REPS = 3;

interface IndexRun {
  ms: number;
  summary: { files: number; symbols: number; ms: number; loadMs: number; symbolsMs: number; graphMs: number; mapFiles: { read: number; reused: number }; importsExtracted: number; cachedFiles: number };
}

export interface WarmOpenRow {
  corpus: string;
  /** When this row was measured (YYYY-MM-DD). */
  date: string;
  files: number;
  ctagsMs: number;
  coldMs: number;
  warmMs: number;
  ratio: number;
  met: boolean;
  /** Medians of the warm runs' inner steps. */
  beforeMainMs: number;
  mapMs: number;
  symbolsMs: number;
  graphMs: number;
  mapFilesRead: number;
  importsExtracted: number;
  /** A bare `node -e 0` in the same run (median of 5): what any Node process pays before its first line. */
  nodeStartMs?: number;
}

const logLine = (line: string) => process.stderr.write(`${line}\n`);

function runIndex(root: string, home: string): Promise<IndexRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'index', root, '--json'], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (errText += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`recurse index exited ${code}: ${errText.slice(0, 500)}`));
      else resolve({ ms, summary: JSON.parse(out) });
    });
  });
}

/** `node -e 0`, spawn to exit: median of 5. */
async function nodeStart(): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push((await timeTool(process.execPath, ['-e', '0'], REPO, [0])).ms);
  return median(runs);
}

/** Warm open of each corpus (a first index in a fresh HOME, then `reps` warm ones), against ctags -R cold. */
export async function measureWarmOpen(corpora: readonly Corpus[], reps = REPS, log: (line: string) => void = logLine): Promise<WarmOpenRow[]> {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run build');
  const rows: WarmOpenRow[] = [];
  const nodeStartMs = await nodeStart();
  for (const corpus of corpora) {
    const name = corpus.name;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-warm-open-'));
    try {
      const ctags = await timeTool('ctags', ['-R', '-f', '-', '.'], corpus.root, [0]);
      const cold = await runIndex(corpus.root, home);
      log(`${name}: ctags -R ${ctags.ms.toFixed(0)} ms; first index ${cold.ms.toFixed(0)} ms`);
      const warm: IndexRun[] = [];
      for (let i = 0; i < reps; i++) warm.push(await runIndex(corpus.root, home));
      const m = (f: (r: IndexRun) => number) => median(warm.map(f));
      const warmMs = m((r) => r.ms);
      rows.push({
        corpus: name, date: new Date().toISOString().slice(0, 10), files: cold.summary.files, ctagsMs: ctags.ms, coldMs: cold.ms, warmMs, ratio: warmMs / ctags.ms, met: warmMs <= GOAL * ctags.ms,
        beforeMainMs: m((r) => r.ms - r.summary.ms), mapMs: m((r) => r.summary.loadMs), symbolsMs: m((r) => r.summary.symbolsMs),
        graphMs: m((r) => r.summary.graphMs), mapFilesRead: m((r) => r.summary.mapFiles.read), importsExtracted: m((r) => r.summary.importsExtracted), nodeStartMs,
      });
      log(`${name}: warm ${warmMs.toFixed(0)} ms = ${(warmMs / ctags.ms).toFixed(2)}× ctags`);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  if (!hasCtags()) throw new Error('universal-ctags is the reference: apt-get install universal-ctags');
  const rows = await measureWarmOpen(availableCorpora(corporaFromArgs(process.argv.slice(2), ['python', 'go']), CACHE_DIR, logLine));
  // Corpora not measured in this run keep their last figures (each row says its own date).
  const previous = fs.existsSync(path.join(RESULTS, 'warm-open.json')) ? (JSON.parse(fs.readFileSync(path.join(RESULTS, 'warm-open.json'), 'utf8')) as WarmOpenRow[]) : [];
  for (const old of previous) if (!rows.some((r) => r.corpus === old.corpus)) rows.push(old);
  rows.sort((a, b) => a.files - b.files);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const md = [
    `# Warm open, whole process (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, node ${process.version})`,
    '',
    `Process start to complete index (map, symbols, imports) with the caches of a first run, median of ${REPS}, vs`,
    '`ctags -R` cold in the same run. Goal: ≤ 0.25 × ctags on the Python install, the kernel, Go and Java (the Python',
    `stdlib sample is reported beside them). Inner steps (medians) beside the total; a bare \`node -e 0\` took ${rows[0]?.nodeStartMs !== undefined ? s(rows[0].nodeStartMs) : '—'} in this run.`,
    '',
    '| corpus | measured | files | ctags -R | first index | warm index | ratio | goal ≤ 0.25× | before main | map | files read | symbols | imports | imports re-extracted |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      `| ${r.corpus} | ${r.date ?? '—'} | ${r.files.toLocaleString('en-US')} | ${s(r.ctagsMs)} | ${s(r.coldMs)} | ${s(r.warmMs)} | ${r.ratio.toFixed(2)}× | ${!WARM_OPEN_CORPORA.has(r.corpus) ? 'reported (not a goal corpus)' : r.met ? 'MET' : 'NOT MET'} | ` +
      `${s(r.beforeMainMs)} | ${s(r.mapMs)} | ${r.mapFilesRead} | ${s(r.symbolsMs)} | ${s(r.graphMs)} | ${r.importsExtracted} |`),
    '',
  ].join('\n');
  saveResults('warm-open', rows, md);
}

if (require.main === module) runBench(main);
