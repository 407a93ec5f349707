// Benchmark entry: `node out/bench/run.js [--corpus linux|go|python|java|all] [--quick] [--no-symbols|--symbols-only]`.
// Outside CI's pass/fail; writes bench/results/latest.{json,md} (quick.{json,md} with --quick).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LIMITS } from '../src/core/rlm/budget';
import { buildFirstUserMessage, buildSystemPrompt } from '../src/core/rlm/systemPrompt';
import { FileMap } from '../src/core/workspace/fileMap';
import { grepSync, grep } from '../src/core/workspace/grep';
import { buildMetadata } from '../src/core/workspace/metadata';
import { CORPUS_NAMES, Corpus, CorpusName, GrepCase, ensureCorpus, ensureRipgrep, hasCtags, isUnavailable } from './corpora';
import { runLoadProbe, LoadProbeResult } from './loadProbe';
import { cliRipgrep } from '../src/cli/ripgrepBinary';
import { type GoalRow, coldIndexGoals, firstGrepGoals, goalTable, unmeasuredKernelGoals, warmOpenGoals } from './goals';
import { kernelInVscodeGoals } from './kernelInVscode';
import { measureWarmOpen } from './warmOpen';
import { RG_FLAGS, median, timeCall, timeTool, warmMedian } from './measure';
import { measureSymbols } from './symbolBench';
import { measurePackImport, packImportTable } from './packImport';
import { poolFanoutTable, runPoolFanoutBench } from './poolFanout';
import { fanoutTable, runFanoutBench } from './reviewFanout';
import { BenchResult, CorpusResult, FileSetDiff, GrepRow, PromptSize, fileSetTable, grepTable, loadTable, promptTable, symbolConsole, toMarkdown } from './results';

const REPO = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(REPO, '.bench-cache');
const RESULTS_DIR = path.join(REPO, 'bench', 'results');

/**
 * rg configured to see the files FileMap sees: .gitignore honoured without a .git directory (our
 * walker does), no parent ignore files (the cache dir sits inside this repo, whose .gitignore lists
 * it), hidden files searched (we list them; .git itself is never in the map), symlinks followed (we
 * follow those that stay inside the root), the same 1 MiB per-file cap.
 */
/** Time boxes for the kernel-sized probes: a complete index (plus its dump and import graph), and the parse floor. */
const SYMBOL_FULL_TIMEOUT_MS = 480_000;
const SYMBOL_FLOOR_TIMEOUT_MS = 360_000;
const QUESTION = 'Where is the configuration loaded, and which options does it accept?';

interface Args {
  corpora: CorpusName[];
  quick: boolean;
  /** The symbol-index section (on by default). */
  symbols: boolean;
  /** Only the symbol-index section: skips the file-map, grep and prompt measurements. */
  symbolsOnly: boolean;
}

const USAGE = 'usage: node out/bench/run.js [--corpus linux|go|python|java|all] [--quick] [--no-symbols|--symbols-only]';

function parseArgs(argv: string[]): Args {
  let corpora: CorpusName[] = [...CORPUS_NAMES];
  let quick = false;
  let symbols = true;
  let symbolsOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--symbols') symbols = true;
    else if (a === '--no-symbols') symbols = false;
    else if (a === '--symbols-only') symbols = symbolsOnly = true;
    else if (a === '--corpus' || a.startsWith('--corpus=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      // A comma list also sets the order (e.g. the kernel last, so a time-boxed run still measures the rest).
      if (v === 'all') corpora = [...CORPUS_NAMES];
      else {
        corpora = v.split(',').map((n) => {
          if (!(CORPUS_NAMES as readonly string[]).includes(n)) throw new Error(`unknown corpus: ${n} (expected ${CORPUS_NAMES.join('|')}|all, or a comma list)`);
          return n as CorpusName;
        });
      }
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return { corpora, quick, symbols, symbolsOnly };
}

const log = (line: string): void => console.log(`[bench] ${line}`);

function versionOf(cmd: string): string {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8' }).split('\n')[0].split(',')[0].trim();
  } catch {
    return `${cmd} unavailable`;
  }
}

async function measureGrep(map: FileMap, corpus: Corpus, c: GrepCase, reps: number, withOneThread: boolean): Promise<GrepRow> {
  // Each timed run starts with an empty text cache (grep fills it with matching files), so every run
  // pays what the first grep of a session pays; the OS page cache is warm for both engines.
  const ours = (maxResults: number) => () =>
    timeCall(() => {
      map.cache.clear();
      return grep(map, c.pattern, { ignoreCase: c.ignoreCase, maxResults });
    });
  const def = await warmMedian(reps, ours(200));
  // What the model's REPL helper runs: the synchronous grep on the host thread (default maxResults).
  const sync = await warmMedian(reps, () =>
    timeCall(async () => {
      map.cache.clear();
      return grepSync(map, c.pattern, { ignoreCase: c.ignoreCase, maxResults: 200 });
    }),
  );
  const full = await warmMedian(reps, ours(1e9));
  // The first grep of a session as the model runs it: the REPL's grep, every match, nothing cached.
  const syncFull = await warmMedian(reps, () =>
    timeCall(async () => {
      map.cache.clear();
      return grepSync(map, c.pattern, { ignoreCase: c.ignoreCase, maxResults: 1e9 });
    }),
  );
  const rgArgs = [...RG_FLAGS, '-n', ...(c.ignoreCase ? ['-i'] : []), '-e', c.pattern, '.'];
  const rg = await warmMedian(reps, () => timeTool('rg', rgArgs, corpus.root));
  const rgOne = withOneThread ? await warmMedian(reps, () => timeTool('rg', ['-j1', ...rgArgs], corpus.root)) : undefined;
  return {
    label: c.label,
    pattern: c.pattern,
    ignoreCase: !!c.ignoreCase,
    oursDefaultMs: def.ms,
    oursDefaultMatches: def.value.matches.length,
    oursDefaultTruncated: def.value.truncated,
    oursSyncDefaultMs: sync.ms,
    oursFullMs: full.ms,
    oursFullMatches: full.value.matches.length,
    rgMs: rg.ms,
    rgMatches: rg.value.lines,
    rgOneThreadMs: rgOne?.ms,
    ratioDefault: def.ms / rg.ms,
    ratioSyncDefault: sync.ms / rg.ms,
    ratioFull: full.ms / rg.ms,
    oursSyncFullMs: syncFull.ms,
    oursSyncFullMatches: syncFull.value.matches.length,
    rgMatchesInMap: rgMatchesIn(map, corpus.root, [...RG_FLAGS, '--count', ...(c.ignoreCase ? ['-i'] : []), '-e', c.pattern, '.']),
  };
}

/** The kernel opened in VS Code (code-server), when the kernel is among this run's corpora and the toolchain is there. */
async function kernelGoals(args: Args, corpora: Corpus[]): Promise<GoalRow[]> {
  const kernel = corpora.find((c) => c.name === 'linux');
  if (!kernel) return unmeasuredKernelGoals('the kernel is not among this run\'s corpora');
  if (args.quick) return unmeasuredKernelGoals('not in --quick runs');
  if (!fs.existsSync(path.join(os.homedir(), '.cache', 'recurse-vscode-test'))) return unmeasuredKernelGoals('no VS Code test toolchain (npm run install:vscode-test)');
  return kernelInVscodeGoals(kernel.root, RG_FLAGS, log);
}

/** rg's match count over the files the map lists (an untimed run with --count). */
function rgMatchesIn(map: FileMap, root: string, args: string[]): number {
  const out = spawnSync('rg', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 }).stdout ?? '';
  let total = 0;
  for (const line of out.split('\n')) {
    const colon = line.lastIndexOf(':');
    if (colon > 0 && map.get(line.slice(0, colon).replace(/^\.\//, ''))) total += Number(line.slice(colon + 1));
  }
  return total;
}

function diffFileSets(map: FileMap, root: string): FileSetDiff {
  const out = execFileSync('rg', [...RG_FLAGS, '--files', '.'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  const rgFiles = new Set(out.split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, '')));
  const mapFiles = new Set(map.files().map((e) => e.path));
  const onlyRg = [...rgFiles].filter((p) => !mapFiles.has(p)).sort();
  const onlyMap = [...mapFiles].filter((p) => !rgFiles.has(p)).sort();
  const byExt = new Map<string, string[]>();
  for (const p of onlyRg) {
    const base = p.slice(p.lastIndexOf('/') + 1);
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.')) : '(none)';
    byExt.set(ext, [...(byExt.get(ext) ?? []), p]);
  }
  const groups = [...byExt].sort((a, b) => b[1].length - a[1].length);
  return {
    onlyRg: onlyRg.length,
    onlyMap: onlyMap.length,
    onlyRgByExtension: groups.slice(0, 6).map(([ext, paths]) => [ext, paths.length]),
    // Two per extension, so a rare kind of difference is not hidden behind a common one.
    onlyRgExamples: groups.flatMap(([, paths]) => paths.slice(0, 2)).slice(0, 16),
    onlyMapExamples: onlyMap.slice(0, 10),
  };
}

async function measureCorpus(corpus: Corpus, args: Args): Promise<{ result: CorpusResult; map: FileMap }> {
  const reps = args.quick ? 1 : 5;
  const loadRuns = args.quick ? 1 : 3;
  log(`${corpus.name}: ${corpus.root}`);

  // Warms the page cache (and shows the walk reference) before anything of ours is timed.
  const rgFiles = await warmMedian(reps, () => timeTool('rg', [...RG_FLAGS, '--files', '.'], corpus.root));
  const rgReadAll = await warmMedian(reps, () => timeTool('rg', [...RG_FLAGS, '-c', '', '.'], corpus.root));
  log(`${corpus.name}: rg --files ${rgFiles.ms.toFixed(0)} ms (${rgFiles.value.lines} files), rg -c '' ${rgReadAll.ms.toFixed(0)} ms`);

  const probes: LoadProbeResult[] = [];
  for (let i = 0; i < loadRuns; i++) {
    const p = await runLoadProbe(corpus.root);
    log(`${corpus.name}: FileMap.load (fresh process) ${p.ms.toFixed(0)} ms, ${p.files} files, peak RSS Δ ${p.peakRssDeltaMB.toFixed(0)} MB, heap retained ${p.heapRetainedMB.toFixed(1)} MB`);
    probes.push(p);
  }
  const loadMs = median(probes.map((p) => p.ms));
  const byMedianTime = [...probes].sort((a, b) => a.ms - b.ms)[probes.length >> 1];

  const loaded = await timeCall(() => FileMap.load(corpus.root, { ripgrep: cliRipgrep() }));
  const map = loaded.value;
  log(`${corpus.name}: FileMap.load (in-process, for grep) ${loaded.ms.toFixed(0)} ms`);
  const fileSetDiff = diffFileSets(map, corpus.root);
  log(`${corpus.name}: files only rg lists: ${fileSetDiff.onlyRg} (${fileSetDiff.onlyRgByExtension.map(([e, n]) => `${e} ${n}`).join(', ')}); only in map: ${fileSetDiff.onlyMap}`);

  let ctags: CorpusResult['ctags'];
  if (args.quick) ctags = { skipped: '--quick' };
  else if (!hasCtags()) ctags = { skipped: 'ctags not installed' };
  else {
    // `-f /dev/null` fails in universal-ctags (it truncates the tag file at the end); stdout is drained instead.
    const r = await timeTool('ctags', ['-R', '-f', '-', '.'], corpus.root, [0]);
    ctags = { ms: r.ms, tags: r.value.lines };
    log(`${corpus.name}: ctags -R ${r.ms.toFixed(0)} ms, ${r.value.lines} tags`);
  }

  const rows: GrepRow[] = [];
  for (const c of corpus.cases) {
    const row = await measureGrep(map, corpus, c, reps, !args.quick);
    log(
      `${corpus.name}: grep ${c.label}: ours ${row.oursDefaultMs.toFixed(1)} ms (max 200) / ${row.oursFullMs.toFixed(0)} ms (full, ${row.oursFullMatches}) vs rg ${row.rgMs.toFixed(0)} ms (${row.rgMatches}) → ${row.ratioDefault.toFixed(2)} / ${row.ratioFull.toFixed(2)}`,
    );
    rows.push(row);
  }

  return {
    map,
    result: {
      name: corpus.name,
      root: path.relative(REPO, corpus.root).startsWith('..') ? corpus.root : path.relative(REPO, corpus.root),
      load: {
        ms: loadMs,
        runs: probes.map((p) => p.ms),
        files: byMedianTime.files,
        skipped: byMedianTime.skipped,
        peakRssDeltaMB: byMedianTime.peakRssDeltaMB,
        heapRetainedMB: byMedianTime.heapRetainedMB,
        externalRetainedMB: byMedianTime.externalRetainedMB,
        inProcessMs: loaded.ms,
      },
      rgFilesMs: rgFiles.ms,
      rgFilesCount: rgFiles.value.lines,
      fileSetDiff,
      rgReadAllMs: rgReadAll.ms,
      ratioLoadVsRgFiles: loadMs / rgFiles.ms,
      ratioLoadVsRgReadAll: loadMs / rgReadAll.ms,
      ctags,
      grep: rows,
    },
  };
}

/** Ten small files in a temp dir: the "tiny repository" end of the first-prompt comparison. */
async function smallRepo(): Promise<{ map: FileMap; cleanup: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-bench-small-'));
  const files: Record<string, string> = {
    'README.md': '# shop\n\nA tiny shop.\n',
    'package.json': '{ "name": "shop", "version": "1.0.0" }\n',
    'src/index.ts': "export * from './cart';\nexport * from './config';\n",
    'src/cart.ts': 'export class Cart {\n  items: string[] = [];\n  add(item: string): void {\n    this.items.push(item);\n  }\n}\n',
    'src/config.ts': "export const config = { currency: 'EUR', taxRate: 0.2 };\n",
    'src/price.ts': 'export function withTax(n: number, rate: number): number {\n  return n * (1 + rate);\n}\n',
    'src/db.py': 'def connect(url):\n    return url\n',
    'test/cart.test.ts': "import { Cart } from '../src/cart';\nnew Cart().add('x');\n",
    'test/price.test.ts': "import { withTax } from '../src/price';\nwithTax(1, 0.2);\n",
    'docs/usage.md': '## Usage\n\nRun it.\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const map = await FileMap.load(dir);
  return { map, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function promptSize(map: FileMap): PromptSize {
  const metadata = buildMetadata(map);
  return {
    files: map.size,
    metadataChars: JSON.stringify(metadata, null, 2).length,
    firstMessageChars: buildFirstUserMessage({ question: QUESTION, metadata }).length,
    systemPromptChars: buildSystemPrompt(DEFAULT_LIMITS, 0).length,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const rg = ensureRipgrep(log);
  if (rg instanceof Error) throw new Error(`ripgrep is required for the comparison: ${rg.message}`);

  const result: BenchResult = {
    date: new Date().toISOString(),
    quick: args.quick,
    environment: {
      node: process.version,
      rg: versionOf('rg'),
      ctags: versionOf('ctags'),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown cpu',
      platform: `${os.platform()} ${os.release()}`,
    },
    rgFlags: RG_FLAGS,
    corpora: [],
    unavailable: [],
    notes: [
      'Corpora come from Debian 12 packages: linux-source-6.1 (tarball extracted once into .bench-cache/), golang-1.19-src (/usr/share/go-1.19/src), libpython3.11-stdlib (/usr/lib/python3.11), openjdk-17-source (lib/src.zip extracted once into .bench-cache/openjdk-17-src).',
      "The Debian kernel tarball's top-level .gitignore ends with a packaging stanza (`/*`, `!/debian/`) that hides the whole tree from any .gitignore-honouring tool; the benchmark strips it, restoring the upstream kernel's rules.",
      'rg flags are chosen to give rg the same file set as FileMap (see the rg flags line); remaining differences in file or match counts come from binary detection (we drop files with a NUL byte in their head; rg searches text before the first NUL), secret-path filtering (ours only) and symlinks leaving the root (followed by rg only).',
      'FileMap.load reads every file (binary check, line count), so `rg --files` (walk only) is a lower bound; `rg -c \'\'` (walk + read + count lines) is the like-for-like reference.',
      'Load time and memory come from fresh node processes (--expose-gc): peak RSS Δ = lifetime peak RSS − RSS before the load; retained = (heapUsed + external) after GC with the map alive − before; external holds typed-array backing stores (e.g. the load-time trigram signatures).',
      'Our grep runs on a loaded map whose load already built per-file trigram signatures (an index, paid for in the load column); rg has no index and reads the tree on every search. Load + one full grep vs rg is the cost of a single one-off search; later greps cost only the grep column.',
      'Our grep is timed in-process on a loaded map with its text cache cleared before each run; rg is timed as a process, spawn to exit, stdout drained. One warm-up run, then the median of 5 (1 in --quick). FileMap.load: median of 3 fresh processes (1 in --quick).',
      'Our grep stops after maxResults in sorted path order: "max 200" is the default a model gets, "full" (maxResults 1e9) is the like-for-like comparison with rg, which always searches everything.',
      'ctags -R indexes every file regardless of .gitignore; it is recorded as the cost of a symbol index, for context only.',
    ],
  };

  let largest: { name: string; map: FileMap } | undefined;
  for (const name of args.corpora) {
    const corpus = ensureCorpus(name, CACHE_DIR, log);
    if (isUnavailable(corpus)) {
      log(`${name}: SKIPPED — ${corpus.reason}`);
      result.unavailable.push(corpus);
      continue;
    }
    let map: FileMap;
    if (!args.symbolsOnly) {
      const measured = await measureCorpus(corpus, args);
      result.corpora.push(measured.result);
      map = measured.map;
      if (!largest || map.size > largest.map.size) largest = { name, map };
    } else map = await FileMap.load(corpus.root, { ripgrep: cliRipgrep() });
    if (args.symbols) {
      if (!hasCtags()) log(`${name}: symbols: SKIPPED — ctags not installed (it is the reference)`);
      else {
        const s = await measureSymbols(corpus, { map, log, fullTimeoutMs: SYMBOL_FULL_TIMEOUT_MS, floorTimeoutMs: SYMBOL_FLOOR_TIMEOUT_MS });
        (result.symbols ??= []).push(s);
      }
    }
  }

  // Warm open, whole process, on the same corpora (dist/cli.js, fresh HOME each), then every goal in one table.
  const measured = [...result.corpora.map((c) => c.name), ...(result.symbols ?? []).map((x) => x.name)];
  const warmCorpora = args.corpora
    .filter((n) => measured.includes(n))
    .map((n) => ensureCorpus(n, CACHE_DIR, log))
    .filter((c): c is Corpus => !isUnavailable(c));
  const warmOpen = hasCtags() ? await measureWarmOpen(warmCorpora, args.quick ? 1 : 3, log) : [];
  result.goals = [
    ...warmOpenGoals(warmOpen),
    ...result.corpora.flatMap((c) => firstGrepGoals(c.name, c.grep)),
    ...coldIndexGoals(result.symbols ?? []),
    ...(await kernelGoals(args, warmCorpora)),
  ];

  if (!args.symbolsOnly) {
    log('review fan-out: a scripted sub-model with a fixed delay');
    result.reviewFanout = await runFanoutBench(args.quick);
    log('sub-calls over a pool of 1, 2 and 4 endpoints');
    result.poolFanout = await runPoolFanoutBench(args.quick);
    const kernel = warmCorpora.find((c) => c.name === 'linux');
    if (kernel && !args.quick) {
      log('the kernel\'s index: cold build, export, import of the pack');
      result.packImport = [await measurePackImport(kernel.root, 'linux')];
    }
  }

  if (largest) {
    const small = await smallRepo();
    try {
      const s = promptSize(small.map);
      const l = promptSize(largest.map);
      result.firstPrompt = {
        small: s,
        large: { ...l, corpus: largest.name },
        ratioMetadata: l.metadataChars / s.metadataChars,
        ratioFirstMessage: l.firstMessageChars / s.firstMessageChars,
      };
    } finally {
      small.cleanup();
    }
  }

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // Written then renamed, so an interrupted run never leaves a half file in place of the last good one.
  const write = (file: string, text: string): void => {
    const tmp = path.join(RESULTS_DIR, `${file}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(RESULTS_DIR, file));
  };
  // A --quick run must not replace the figures of the last full run, which the README quotes.
  // A symbols-only run must not replace the full record with one lacking the file-map and grep tables.
  const base = args.quick ? 'quick' : args.symbolsOnly ? 'symbols' : 'latest';
  write(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
  write(`${base}.md`, toMarkdown(result));

  if (!args.symbolsOnly) console.log('\n' + loadTable(result) + '\n\n' + fileSetTable(result) + '\n\n' + grepTable(result) + '\n\n' + promptTable(result) + '\n');
  if (result.symbols?.length) console.log('\n' + symbolConsole(result) + '\n');
  if (result.reviewFanout?.length) console.log('\n' + fanoutTable(result.reviewFanout) + '\n');
  if (result.poolFanout?.length) console.log('\n' + poolFanoutTable(result.poolFanout) + '\n');
  if (result.packImport?.length) console.log('\n' + packImportTable(result.packImport) + '\n');
  if (result.goals.length) console.log('\nGoals (issue 21), each beside its reference measured in this run:\n\n' + goalTable(result.goals) + '\n');
  for (const u of result.unavailable) console.log(`skipped ${u.name}: ${u.reason}`);
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; wrote bench/results/${base}.json and ${base}.md`);
}

main().then(
  // The scan worker pool is unref'd, but exit explicitly so a stray handle can't hold the benchmark open.
  () => process.exit(0),
  (e: Error) => {
    console.error(`[bench] failed: ${e.message}`);
    process.exit(1);
  },
);
