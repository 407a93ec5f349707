// The benchmark's result record and its renderings (console table, markdown for the README).

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
  date: string;
  quick: boolean;
  environment: { node: string; rg: string; ctags: string; cpus: number; cpuModel: string; platform: string };
  rgFlags: string[];
  corpora: CorpusResult[];
  unavailable: { name: string; reason: string }[];
  firstPrompt?: { small: PromptSize; large: PromptSize & { corpus: string }; ratioMetadata: number; ratioFirstMessage: number };
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

export function toMarkdown(r: BenchResult): string {
  const env = r.environment;
  return [
    '# Recurse benchmark',
    '',
    `${r.date}${r.quick ? ' (quick mode)' : ''} — node ${env.node}, ${env.rg}, ${env.ctags}, ${env.cpus} × ${env.cpuModel}, ${env.platform}.`,
    '',
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
    ...(r.unavailable.length ? ['## Skipped corpora', '', ...r.unavailable.map((u) => `- ${u.name}: ${u.reason}`), ''] : []),
    '## Notes',
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
