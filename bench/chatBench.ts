// The cost of a conversation, with and without the sub-call cache: `npm run bench:chat`.
// A 5-question chat about this repository's own src/core, one REPL across the questions, against the test model
// server (real HTTP; the model's moves are scripted the way an RLM explores: list files, fan out llm_query_batched
// over their heads, finish). Follow-ups revisit folders an earlier question read, as people do. Tokens are the
// server's counts (chars/4); cost at gpt-4.1-mini's list price ($0.40 / $1.60 per 1M). Writes bench/results/chat.{json,md}.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenAICompatibleModel } from '../src/core/llm/openAICompatibleModel';
import { SubCallCache } from '../src/core/llm/subCallCache';
import { ask } from '../src/core/workflows/ask';
import { Conversation } from '../src/core/workflows/conversation';
import { FileMap } from '../src/core/workspace/fileMap';
import { ModelServer, type ScriptContext } from '../test/support/modelServer';

const REPO = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(REPO, 'bench', 'results');
const PRICES = { 'root-model': { input: 0.4, output: 1.6 }, 'sub-model': { input: 0.4, output: 1.6 } };
const QUESTIONS: [string, string][] = [
  ['How does the RLM loop decide to stop?', 'src/core/rlm/*.ts'],
  ['How are model errors retried?', 'src/core/llm/*.ts'],
  ['And how does the loop report those errors to the user?', 'src/core/rlm/*.ts'],
  ['What limits protect the sandbox?', 'src/core/sandbox/*.ts'],
  ['Back to retries: which errors are never retried?', 'src/core/llm/*.ts'],
];

interface Row { cache: boolean; question: number; totalTokens: number; cost: number; subCallsSent: number; cachedSubCalls: number; ms: number }

/** The scripted root model: fan out over the question's folder, then finish. */
function rootReply(ctx: ScriptContext): string {
  const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
  const glob = QUESTIONS.find(([q]) => ctx.messages[1]!.content.startsWith(`Question: ${q}`))?.[1] ?? 'src/core/rlm/*.ts';
  if (turn > 0) return '```js\nfinish("Summarised " + notes.length + " files of ' + glob + '.")\n```';
  return '```js\nconst paths = files(' + JSON.stringify(glob) + ').map((f) => f.path);\n' +
    'const notes = await llm_query_batched(paths.map((p) => "Summarise what " + p + " does, in two lines:\\n" + read(p, 1, 60)));\n' +
    'print(notes.length)\n```';
}

async function runChat(cache: boolean, map: FileMap, server: ModelServer): Promise<Row[]> {
  const make = (model: string) => new OpenAICompatibleModel({ baseURL: server.url, apiKey: 'bench', model });
  const [root, sub] = [make('root-model'), make('sub-model')];
  const conversation = new Conversation();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-chat-bench-'));
  const subCallCache = cache ? new SubCallCache({ dir }) : undefined;
  const rows: Row[] = [];
  try {
    for (const [i, [question]] of QUESTIONS.entries()) {
      const before = server.chatRequests.filter((r) => r.body?.model === 'sub-model').length;
      const started = performance.now();
      const result = await ask({ workspace: REPO, map, code: false, question, rootModel: root, subModel: sub, conversation, subCallCache, prices: PRICES });
      rows.push({
        cache, question: i + 1, totalTokens: result.usage.totalTokens, cost: result.usage.cost ?? 0,
        subCallsSent: server.chatRequests.filter((r) => r.body?.model === 'sub-model').length - before,
        cachedSubCalls: result.usage.cachedSubCalls, ms: Math.round(performance.now() - started),
      });
    }
  } finally {
    conversation.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function table(rows: Row[]): string {
  const sum = (r: Row[], k: 'totalTokens' | 'cost' | 'subCallsSent' | 'cachedSubCalls' | 'ms') => r.reduce((n, x) => n + x[k], 0);
  const lines = ['| cache | question | tokens | cost (USD) | sub-calls sent | from cache | ms |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.cache ? 'on' : 'off'} | ${r.question} | ${r.totalTokens} | ${r.cost.toFixed(5)} | ${r.subCallsSent} | ${r.cachedSubCalls} | ${r.ms} |`);
  for (const cache of [false, true]) {
    const r = rows.filter((x) => x.cache === cache);
    lines.push(`| **${cache ? 'on' : 'off'}** | **all 5** | **${sum(r, 'totalTokens')}** | **${sum(r, 'cost').toFixed(5)}** | **${sum(r, 'subCallsSent')}** | **${sum(r, 'cachedSubCalls')}** | **${sum(r, 'ms')}** |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const map = await FileMap.load(REPO, { exclude: ['node_modules', 'out', 'dist', '.bench-cache', 'test/fixtures'] });
  const server = await ModelServer.start({ script: (ctx) => (ctx.model === 'sub-model' ? `Summary of a file: ${ctx.lastUser.slice(0, 120).replace(/\s+/g, ' ')}…` : rootReply(ctx)) });
  try {
    const rows = [...await runChat(false, map, server), ...await runChat(true, map, server)];
    const off = rows.filter((r) => !r.cache);
    const on = rows.filter((r) => r.cache);
    const total = (r: Row[]) => r.reduce((n, x) => n + x.totalTokens, 0);
    const saved = 1 - total(on) / total(off);
    const md = `# A 5-question chat, with and without the sub-call cache\n\nMeasured ${new Date().toISOString()} on ${os.cpus().length} cores` +
      ` (Node ${process.version}). Scripted model over real HTTP; one REPL for the whole chat.\n\n${table(rows)}\n\n` +
      `The cache saved ${(saved * 100).toFixed(0)}% of the chat's tokens and cost.\n`;
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, 'chat.json'), `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 1)}\n`);
    fs.writeFileSync(path.join(RESULTS, 'chat.md'), md);
    process.stdout.write(md);
  } finally {
    await server.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
