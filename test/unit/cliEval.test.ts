import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cliRun';
import { ModelServer, type ScriptContext } from '../support/modelServer';
import { copyFixture, js } from '../support/scriptedModels';

/**
 * `recurse eval` end to end: the bundled CLI over a LongBench-v2-shaped file whose contexts are real code (this
 * repository's shop fixture, concatenated with file markers as LongBench's code-repository items are), and over
 * repository questions as JSONL, with two configs answered by a scripted OpenAI-compatible server.
 */

const SHOP = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'shop');
const shopFile = (p: string) => readFileSync(join(SHOP, p), 'utf8');

interface LongBenchItem {
  _id: string; domain: string; sub_domain: string; difficulty: string; length: string;
  question: string; choice_A: string; choice_B: string; choice_C: string; choice_D: string; answer: string; context: string;
}

/** A code-repository item: files after `## File:` markers, one marker string (assembled, never literal in a cell) inside. */
function repoContext(id: string, files: string[], marker = '## File: '): string {
  return files.map((p, i) => `${marker}${p}\n${i === 0 ? `// CTX-MARKER-${id}\n` : ''}${shopFile(p)}`).join('\n');
}

const ITEMS: LongBenchItem[] = [
  { id: 'lb-1', answer: 'A', files: ['src/orders/pricing.ts', 'src/orders/order.ts'] },
  { id: 'lb-2', answer: 'C', files: ['src/api/server.ts', 'src/orders/pricing.ts', 'src/config.ts'] },
  { id: 'lb-3', answer: 'D', files: ['src/orders/order.ts', 'src/api/server.ts'] },
  { id: 'lb-4', answer: 'B', files: [] },
].map(({ id, answer, files }) => ({
  _id: id, domain: id === 'lb-3' ? 'Single-Document QA' : 'Code Repository Understanding', sub_domain: 'Code repo QA', difficulty: 'hard', length: 'short',
  question: `Question ${id}: which function computes an order's total?`,
  choice_A: 'priceOrder', choice_B: 'subtotalCents', choice_C: 'handleRequest', choice_D: 'none of them', answer,
  // The last item's context has no file markers: it is one file.
  context: files.length ? repoContext(id, files) : `Release notes, CTX-MARKER-${id}.\nThe shop prices orders in integer cents.\n`,
}));

/** How each model answers: model-a right on all but lb-4 (in varied formats), model-b always B. */
const FORMATS = [(l: string) => `Answer: ${l}`, (l: string) => `The answer is **${l}**.`, (l: string) => `(${l}) is correct.`, (l: string) => `${l})`];

function itemOf(ctx: ScriptContext): LongBenchItem {
  const first = ctx.messages.find((m) => m.role === 'user')?.content ?? '';
  const item = ITEMS.find((i) => first.includes(`Question ${i._id}:`));
  assert.ok(item, first.slice(0, 300));
  return item;
}

function evalServer(delayMs = 0): Promise<ModelServer> {
  return ModelServer.start({
    models: ['model-a', 'model-b', 'sub-model'],
    script: (ctx) => {
      if (ctx.model === 'sub-model') return { text: 'It adds the line items in cents.', delayMs };
      const item = itemOf(ctx);
      const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
      if (turn === 0) {
        const sub = ctx.model === 'model-a' ? "print(await llm_query('Summarise: ' + read(files()[0].path, 2, 6)));\n" : '';
        return {
          delayMs,
          text: `<think>Look at the workspace first.</think>\n${js(`print(files().map((f) => f.path).join('\\n'));\nprint('marker files: ' + grep(/CTX-MARK[E]R-/).length);\n${sub}`)}`,
        };
      }
      const index = ITEMS.indexOf(item);
      const letter = ctx.model === 'model-a' ? (item._id === 'lb-4' ? 'C' : item.answer) : 'B';
      return { delayMs, text: js(`finish(${JSON.stringify(`${FORMATS[index % FORMATS.length](letter)}`)})`) };
    },
  });
}

describe('recurse eval', () => {
  let dir: string;
  let dataset: string;
  let configA: string;
  let configB: string;
  let server: ModelServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recurse-eval-'));
    dataset = join(dir, 'longbench.json');
    writeFileSync(dataset, JSON.stringify(ITEMS, null, 2));
    server = await evalServer();
    configA = join(dir, 'a.json');
    configB = join(dir, 'b.json');
    writeFileSync(configA, JSON.stringify({ baseUrl: server.url, apiKey: 'k', model: 'model-a', subModel: 'sub-model', maxIterations: 4, prices: { 'model-a': { input: 1, output: 2 }, 'sub-model': { input: 0.5, output: 1 } } }));
    writeFileSync(configB, JSON.stringify({ baseUrl: server.url, apiKey: 'k', model: 'model-b', maxIterations: 4 }));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores a LongBench-v2 file under two configs: accuracy with a 95% CI, cost, usage, and every item', async () => {
    const before = server.requests.length;
    const out = join(dir, 'report.json');
    const run = await runCli(['eval', dataset, '--config', configA, '--config', configB, '--format', 'json', '-o', out, '--trajectories', join(dir, 'traj')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\[#+\] 8\/8/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.partial, false);
    const [a, b] = report.configs;
    assert.deepEqual([a.name, a.correct, a.total, b.name, b.correct, b.total], ['a', 3, 4, 'b', 1, 4]);
    assert.equal(a.accuracy, 0.75);
    // Wilson's interval for 3 of 4 at 95%.
    assert.equal(a.ci.low.toFixed(3), '0.301');
    assert.equal(a.ci.high.toFixed(3), '0.954');
    assert.ok(a.cost.mean > 0 && a.cost.median > 0, 'config a has prices');
    assert.equal(b.cost, null, 'config b has none');
    assert.equal(a.subCalls.mean, 1);
    assert.equal(b.subCalls.mean, 0);
    assert.equal(a.iterations.mean, 2);
    assert.equal(a.errors + b.errors + a.forced + b.forced, 0);
    const predicted = Object.fromEntries(report.items.map((i: { id: string; config: string; predicted: string }) => [`${i.id}/${i.config}`, i.predicted]));
    assert.deepEqual(predicted, { 'lb-1/a': 'A', 'lb-2/a': 'C', 'lb-3/a': 'D', 'lb-4/a': 'C', 'lb-1/b': 'B', 'lb-2/b': 'B', 'lb-3/b': 'B', 'lb-4/b': 'B' });
    for (const item of report.items) assert.ok(item.usage.tokens > 0 && item.ms > 0, JSON.stringify(item));

    // The contexts were the REPL's workspace: split into their files, each marker seen by grep, never in a prompt.
    const mine = server.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    assert.equal(mine.filter((r) => r.body.model !== 'sub-model').length, 16);
    for (const r of mine) assert.doesNotMatch(JSON.stringify(r.body), /CTX-MARKER-/);
    const secondTurns = mine.filter((r) => r.body.messages.some((m: { role: string }) => m.role === 'assistant'));
    const lb2 = secondTurns.find((r) => JSON.stringify(r.body).includes('Question lb-2:'));
    assert.match(JSON.stringify(lb2!.body), /src\/api\/server\.ts\\nsrc\/config\.ts\\nsrc\/orders\/pricing\.ts/);
    assert.ok(secondTurns.every((r) => JSON.stringify(r.body).includes('marker files: 1')));
    const lb4 = secondTurns.find((r) => JSON.stringify(r.body).includes('Question lb-4:'));
    assert.match(JSON.stringify(lb4!.body), /context\.txt/);

    // Every item's trajectory, replayable.
    assert.equal(readdirSync(join(dir, 'traj')).length, 8);
    const replay = await runCli(['replay', join(dir, 'traj', 'a--lb-1.json'), '--json']);
    assert.equal(replay.code, 0, replay.stderr + replay.stdout);
  });

  it('prints markdown for a terminal, and --filter / --limit select items', async () => {
    const run = await runCli(['eval', dataset, '--config', configA, '--filter', 'domain=Code Repository Understanding', '--limit', '2', '-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^## recurse eval — longbench\.json/);
    assert.match(run.stdout, /\| a \| 100\.0% \| [\d.]+%–100\.0% \| 2\/2 \|/);
    assert.match(run.stdout, /\| lb-1 \| a \| A \| A \| yes \|/);
    assert.match(run.stdout, /\| lb-2 \| a \| C \| C \| yes \|/);
    assert.doesNotMatch(run.stdout, /lb-3|lb-4/);
  });

  it('Ctrl-C keeps the finished items in a partial report, and --resume runs only the rest', async () => {
    const slow = await evalServer(150);
    try {
      const config = join(dir, 'slow.json');
      writeFileSync(config, JSON.stringify({ baseUrl: slow.url, apiKey: 'k', model: 'model-b', maxIterations: 4 }));
      const out = join(dir, 'partial.json');
      const first = await runCli(['eval', dataset, '--config', config, '--concurrency', '1', '--format', 'json', '-o', out], {
        onSpawn: (child) => {
          let seen = '';
          child.stderr?.on('data', (d: Buffer) => {
            seen += d.toString();
            if (/\] 1\/4/.test(seen) && !child.killed) child.kill('SIGINT');
          });
        },
      });
      assert.equal(first.code, 130, first.stderr);
      assert.match(first.stderr, /interrupted — \d of 4 results kept; go on with --resume/);
      const partial = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(partial.partial, true);
      const kept = partial.items.map((i: { id: string }) => i.id);
      assert.ok(kept.length >= 1 && kept.length < 4, JSON.stringify(kept));
      assert.equal(partial.configs[0].total, kept.length);

      const asked = () => slow.requests.filter((r) => r.path.endsWith('/chat/completions') && !r.body.messages.some((m: { role: string }) => m.role === 'assistant'))
        .map((r) => /Question (lb-\d):/.exec(JSON.stringify(r.body))![1]);
      const askedBefore = asked().length;
      const resumed = await runCli(['eval', dataset, '--config', config, '--format', 'json', '-o', out, '--resume', out]);
      assert.equal(resumed.code, 0, resumed.stderr);
      const full = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(full.partial, false);
      assert.deepEqual(full.items.map((i: { id: string }) => i.id).sort(), ['lb-1', 'lb-2', 'lb-3', 'lb-4']);
      assert.equal(full.configs[0].correct, 1);
      // The resumed run asked only what the first had not finished.
      const again = asked().slice(askedBefore);
      for (const id of kept) assert.ok(!again.includes(id), `${id} was asked again: ${again}`);
    } finally {
      await slow.close();
    }
  });

  it('scores repository questions (JSONL) by verified citations and patterns', async () => {
    const shop = copyFixture('shop');
    const repo = await ModelServer.start({
      models: ['root-model'],
      script: (ctx) => {
        const q = ctx.messages.find((m) => m.role === 'user')!.content;
        if (!ctx.messages.some((m) => m.role === 'assistant')) return js("print(grep(/export function priceOrder/).map((h) => h.path + ':' + h.line))");
        if (q.includes('Where are orders priced')) return js('finish("In priceOrder, src/orders/pricing.ts:15-16.")');
        if (q.includes('Which port')) return js('finish("It listens on a port from src/config.ts:1.")');
        return js('finish("Requests are handled in src/api/server.ts:400.")');
      },
    });
    try {
      const jsonl = join(dir, 'repo.jsonl');
      const rel = (p: string) => p.replace(`${dir}/`, '');
      writeFileSync(jsonl, [
        { id: 'where-priced', workspace: shop.dir, question: 'Where are orders priced?', expect: { citations: ['src/orders/pricing.ts:15'] } },
        { id: 'port', workspace: shop.dir, question: 'Which port does the server use?', expect: { contains: ['\\b\\d{4}\\b'] } },
        { id: 'handler', workspace: shop.dir, question: 'Where are requests handled?', expect: { citations: ['src/api/server.ts:4-14'] } },
      ].map((l) => JSON.stringify({ ...l, workspace: rel(l.workspace) === l.workspace ? l.workspace : rel(l.workspace) })).join('\n') + '\n');
      const run = await runCli(['eval', jsonl, '--base-url', repo.url, '--model', 'root-model', '--format', 'json'], { env: { OPENAI_API_KEY: 'k' } });
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout);
      assert.equal(report.configs[0].name, 'root-model');
      const byId = Object.fromEntries(report.items.map((i: { id: string }) => [i.id, i]));
      assert.equal(byId['where-priced'].correct, true);
      assert.equal(byId['where-priced'].predicted, 'src/orders/pricing.ts:15-16');
      assert.equal(byId.port.correct, false, 'no four-digit port in the answer');
      assert.equal(byId.handler.correct, false, 'its citation does not verify');
      assert.equal(byId.handler.predicted, null);
      assert.equal(report.configs[0].correct, 1);

      const bad = join(dir, 'bad.jsonl');
      writeFileSync(bad, '{"id": "x", "workspace": ".", "question": "q", "expect": {"citations": ["nowhere"]}}\n');
      const refused = await runCli(['eval', bad, '--base-url', repo.url, '--model', 'root-model'], { env: { OPENAI_API_KEY: 'k' } });
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /line 1: a citation must be "path:line" or "path:start-end", got "nowhere"/);
    } finally {
      await repo.close();
      shop.cleanup();
    }
  });
});
