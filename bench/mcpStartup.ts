// `recurse mcp` from process start to the first tool answer, as an agent waits for it: `npm run bench:mcp
// [-- --corpus python,go,linux]`. The SDK's own client spawns `node dist/cli.js mcp --workspace ROOT`, initializes,
// and calls one tool; the clock runs from spawn to the answer. References, timed the same way in the same run:
// `rg` as a process for grep (spawn to exit, same pattern), `ctags -R` cold for find_symbol (the index an agent would
// otherwise build to find a definition). Each is measured with an empty HOME (no symbol cache: a first start) and
// again with the cache the first start left (a later start). Writes bench/results/mcp.{json,md}.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { availableCorpora, corporaFromArgs, ensureRipgrep, hasCtags } from './corpora';
import { RG_FLAGS, timeTool } from './measure';
import { runBench, saveResults } from './results';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const CACHE_DIR = path.join(REPO, '.bench-cache');

interface Row {
  corpus: string;
  tool: 'grep' | 'find_symbol';
  start: 'first' | 'later';
  ms: number;
  /** Of ms: spawn to the initialize handshake done (node start, the bundle loaded, the server up). */
  initializeMs: number;
  answer: string;
  reference: string;
  referenceMs: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Spawn to first answer of one tool call; the client closes the server afterwards. */
async function firstAnswer(root: string, home: string, tool: string, args: Record<string, unknown>): Promise<{ ms: number; initializeMs: number; text: string }> {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--workspace', root],
    env: { ...(process.env as Record<string, string>), HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), RECURSE_OLLAMA_URL: 'http://127.0.0.1:9/v1' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'recurse-bench', version: '1' });
  await client.connect(transport);
  const initializeMs = performance.now() - started;
  const result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 900_000 });
  const ms = performance.now() - started;
  await client.close();
  const text = (result.content as { text: string }[])[0]?.text ?? '';
  if (result.isError) throw new Error(`${tool} failed: ${text}`);
  return { ms, initializeMs, text };
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run build');
  const rg = ensureRipgrep(log);
  if (rg instanceof Error) throw rg;
  const rows: Row[] = [];
  for (const corpus of availableCorpora(corporaFromArgs(process.argv.slice(2), ['python']), CACHE_DIR, log)) {
    const name = corpus.name;
    const pattern = corpus.cases[0]!.pattern;
    const rgRun = await timeTool('rg', [...RG_FLAGS, '-n', '-e', pattern, '.'], corpus.root);
    const ctags = hasCtags() ? await timeTool('ctags', ['-R', '-f', '-', '.'], corpus.root, [0]) : undefined;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-mcp-bench-'));
    try {
      for (const start of ['first', 'later'] as const) {
        // A first start finds no symbol cache; a later one the cache the first left.
        const grep = await firstAnswer(corpus.root, home, 'grep', { pattern, maxResults: 200 });
        rows.push({ corpus: name, tool: 'grep', start, ms: grep.ms, initializeMs: grep.initializeMs, answer: `${grep.text.split('\n').length} lines`, reference: 'rg (process)', referenceMs: rgRun.ms });
        log(`${name} ${start}: grep ${grep.ms.toFixed(0)} ms vs rg ${rgRun.ms.toFixed(0)} ms`);
        if (start === 'first') fs.rmSync(path.join(home, 'cache'), { recursive: true, force: true });
        const symbol = await firstAnswer(corpus.root, home, 'find_symbol', { name: corpus.symbols.rare });
        rows.push({ corpus: name, tool: 'find_symbol', start, ms: symbol.ms, initializeMs: symbol.initializeMs, answer: symbol.text.split('\n')[0]!.slice(0, 80), reference: 'ctags -R (cold)', referenceMs: ctags?.ms ?? NaN });
        log(`${name} ${start}: find_symbol ${symbol.ms.toFixed(0)} ms vs ctags -R ${ctags?.ms.toFixed(0) ?? '—'} ms`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  const n = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');
  const md = [
    `# recurse mcp: process start to the first tool answer (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores)`,
    '',
    'The MCP SDK client spawns `node dist/cli.js mcp --workspace ROOT`, initializes and calls one tool; the clock runs from',
    'spawn to the answer (the file map loads, then the tool answers; find_symbol waits for the symbol index). "first": an',
    'empty HOME, no symbol cache; "later": the cache a first start left. References timed the same way in the same run.',
    '',
    '| corpus | tool | start | spawn → answer | of which spawn → initialized | reference | reference | ratio | answer |',
    '|---|---|---|---:|---:|---|---:|---:|---|',
    ...rows.map((r) => `| ${r.corpus} | ${r.tool} | ${r.start} | ${n(r.ms)} | ${n(r.initializeMs)} | ${r.reference} | ${n(r.referenceMs)} | ${(r.ms / r.referenceMs).toFixed(2)}× | ${r.answer.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
  saveResults('mcp', rows, md);
}

runBench(main);
