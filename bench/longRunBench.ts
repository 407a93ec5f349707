// The root's tokens over a long run, before and after compaction: `npm run bench:long-run`.
// One question, answered by a scripted root model over real HTTP that reads a whole file of this repository's
// src/ each turn (as models do when they explore), keeps a fact from its first turn in a variable and answers from it
// at the end. The server counts tokens with a real BPE tokenizer (cl100k), enforces the window like vLLM and reports
// cached prompt tokens by OpenAI's prefix-caching rule (1,024 tokens or more, in steps of 128). "Uncompacted" is
// the run without any window (what Recurse sent before): every turn re-sends every earlier output. Cost at gpt-4.1's
// list prices ($2.00 input, $0.50 cached input, $8.00 output per 1M). Writes bench/results/long-run.{json,md}.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpenAICompatibleModel } from '../src/core/llm/openAICompatibleModel';
import { UsageLedger } from '../src/core/llm/usage';
import type { RlmEvent } from '../src/core/rlm/events';
import { runRlm } from '../src/core/rlm/rlm';
import { FileMap } from '../src/core/workspace/fileMap';
import { ModelServer } from '../test/support/modelServer';
import { runBench, saveResults } from './results';

const REPO = path.resolve(__dirname, '..', '..');
const PRICE = { input: 2, cachedInput: 0.5, output: 8 };
const TURNS = 13;

interface Row {
  config: string;
  window: number | null;
  turns: number;
  promptTokens: number;
  cachedPromptTokens: number;
  largestPrompt: number;
  overWindow: number;
  compactions: number;
  cost: number;
  answered: boolean;
  ms: number;
}

/** The largest source files: what a model reading "the whole thing" prints. */
function bigFiles(map: FileMap): string[] {
  return map.files('src/**/*.ts').sort((a, b) => b.size - a.size).slice(0, TURNS - 2).map((f) => f.path);
}

function rootReply(files: string[]): () => string {
  let turn = -1;
  return () => {
    turn++;
    if (turn === 0) {
      return 'First the version, kept for later; then the biggest files in full.\n```js\n' +
        "const version = grep(/\"version\"/, { glob: 'package.json' })[0].text.match(/\\d+\\.\\d+\\.\\d+/)[0];\nprint(read(" + JSON.stringify(files[0]) + ', 1, 2000));\n```';
    }
    if (turn < TURNS - 1) return `Next, ${files[turn]} in full.\n\`\`\`js\nprint(read(${JSON.stringify(files[turn])}, 1, 2000));\n\`\`\``;
    return '```js\nfinish(`Recurse is at version ${version} (package.json:5).`)\n```';
  };
}

async function runOnce(config: string, window: number | undefined, map: FileMap, expected: string): Promise<Row> {
  const server = await ModelServer.start({
    models: ['root-model'],
    windows: { '*': { tokens: window ?? 10_000_000, flavor: window ? 'vllm' : 'none' } },
    prefixCache: true,
    script: rootReply(bigFiles(map)),
  });
  const ledger = new UsageLedger({ 'root-model': PRICE });
  let compactions = 0;
  const started = performance.now();
  try {
    const result = await runRlm({
      question: 'Which version of Recurse is this, and where is it set?',
      map,
      rootModel: new OpenAICompatibleModel({ baseURL: server.url, apiKey: 'bench', model: 'root-model' }),
      ledger,
      contextWindow: window ? undefined : 10_000_000,
      onEvent: (e: RlmEvent) => {
        if (e.type === 'notice' && e.message.startsWith('Compacted')) compactions++;
      },
    });
    const usage = ledger.toJSON().total;
    const sizes = server.chatRequests.map((r) => r.promptTokens ?? 0);
    return {
      config, window: window ?? null, turns: result.iterations, promptTokens: usage.promptTokens, cachedPromptTokens: usage.cachedPromptTokens,
      largestPrompt: Math.max(...sizes), overWindow: server.chatRequests.filter((r) => r.overflowed).length, compactions,
      cost: usage.costUSD ?? 0, answered: result.answer.includes(expected), ms: Math.round(performance.now() - started),
    };
  } finally {
    await server.close();
  }
}

function table(rows: Row[]): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const base = rows[0]!;
  return [
    '| run | window | turns | root prompt tokens | vs uncompacted | cached | largest prompt | over window | compactions | cost | answered from turn 1 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) =>
      `| ${r.config} | ${r.window ? n(r.window) : '—'} | ${r.turns} | ${n(r.promptTokens)} | ${(r.promptTokens / base.promptTokens).toFixed(2)}× | ` +
      `${n(r.cachedPromptTokens)} (${Math.round((100 * r.cachedPromptTokens) / r.promptTokens)}%) | ${n(r.largestPrompt)} | ${r.overWindow} | ${r.compactions} | ` +
      `$${r.cost.toFixed(4)} | ${r.answered ? 'yes' : 'NO'} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const map = await FileMap.load(REPO);
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
  const rows: Row[] = [];
  for (const [config, window] of [['uncompacted', undefined], ['128k window', 131_072], ['32k window', 32_768], ['8k window', 8_192]] as const) {
    rows.push(await runOnce(config, window, map, version));
    process.stderr.write(`${config}: ${rows.at(-1)!.promptTokens} root prompt tokens\n`);
  }
  const md = [
    `# Long run: root tokens before and after compaction (${new Date().toISOString().slice(0, 10)})`,
    '',
    `One question, ${TURNS} turns, each printing one of this repository's largest src/ files in full (the REPL shows up to 20,000`,
    'characters of it); the first turn keeps a value the last turn answers from. Tokens counted by the test server with the',
    "cl100k tokenizer; cached = OpenAI's prefix-caching rule applied by the server; cost at gpt-4.1's list prices ($2.00 input,",
    '$0.50 cached input, $8.00 output per 1M).',
    '',
    table(rows),
    '',
  ].join('\n');
  saveResults('long-run', rows, md);
}

runBench(main);
