import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cliRun';
import type { ScriptContext } from '../support/modelServer';
import { copyFixture, js, startScriptedModels } from '../support/scriptedModels';

/**
 * `recurse replay` end to end: a run recorded by `recurse ask --trajectory` against the test model server (a
 * reasoning model whose cells grep, look a symbol up and fan out sub-calls), then replayed by the bundled CLI with
 * no model at all, against the workspace as it is and as it was changed since.
 */

const QUESTION = 'How are orders priced?';
const EXPLORE = [
  "const hits = grep(/export function priceOrder/);",
  "const defs = await findSymbol('priceOrder');",
  "const notes = await llm_query_batched(['Summarise: ' + read(hits[0].path, hits[0].line, hits[0].line + 3), 'Name one risk of integer cents.']);",
  "const child = await rlm_query('Which files import pricing?', { glob: 'src/**' });",
  "print(JSON.stringify({ hits, defs: defs.map((d) => d.path + ':' + d.line), notes, child }, null, 2));",
].join('\n');

/** The sub-model: llm_query answers, and a child run of rlm_query that greps in its own cell, then finishes. */
function subModel(ctx: ScriptContext): string {
  if (!ctx.messages.some((m) => m.role === 'system')) return /risk/.test(ctx.lastUser) ? 'Rounding when converting to dollars.' : 'It sums line items in cents.';
  if (!ctx.messages.some((m) => m.role === 'assistant')) return js("print(grep(/from '\\.\\.\\/orders\\/pricing'/).map((h) => h.path + ':' + h.line))");
  return js('finish("src/api/server.ts imports it.")');
}

describe('recurse replay', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let dir: string;
  let trajectory: string;
  let recordedAnswer: string;

  before(async () => {
    fixture = copyFixture('shop');
    dir = mkdtempSync(join(tmpdir(), 'recurse-replay-'));
    trajectory = join(dir, 'run.json');
    const models = await startScriptedModels({
      rootSteps: [
        // A reasoning model: its thinking is never run and never part of what the replay compares.
        `<think>Find where orders get priced first.</think>\n\`\`\`js\n${EXPLORE}\n\`\`\``,
        (ctx) => {
          const m = /"(src\/orders\/pricing\.ts):(\d+)"/.exec(ctx.lastUser);
          assert.ok(m, ctx.lastUser);
          return js(`print(read('${m[1]}', ${m[2]}, ${Number(m[2]) + 1}))`);
        },
        js('finish("Orders are priced by `priceOrder` in src/orders/pricing.ts:15.")'),
      ],
      subSteps: [subModel, subModel, subModel, subModel],
    });
    try {
      const run = await runCli(['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', '--sub-model', 'sub-model', '--trajectory', trajectory, '--json', QUESTION], {
        env: { OPENAI_API_KEY: 'test-key' },
      });
      assert.equal(run.code, 0, run.stderr);
      recordedAnswer = JSON.parse(run.stdout).answer;
    } finally {
      await models.close();
    }
  });
  after(() => {
    fixture.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays every cell identically with no model, and says so with exit 0', async () => {
    const run = await runCli(['replay', trajectory, '--json']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = JSON.parse(run.stdout);
    assert.equal(out.diverged, false);
    // The child run's cells ran again too (they run inside the root's first cell, so they are compared first).
    assert.deepEqual(out.cells.map((c: { depth: number; turn: number; cell: number; identical: boolean }) => [c.depth, c.turn, c.cell, c.identical]),
      [[1, 1, 1, true], [1, 2, 1, true], [0, 1, 1, true], [0, 2, 1, true], [0, 3, 1, true]]);
    assert.match(out.cells[0].replayed.output, /src\/api\/server\.ts:4/);
    // The sub-calls' answers came from the record: they are in the replayed output.
    assert.match(out.cells[2].replayed.output, /It sums line items in cents\./);
    assert.match(out.cells[2].replayed.output, /Rounding when converting to dollars\./);
    assert.match(out.cells[2].replayed.output, /src\/orders\/pricing\.ts:15/);
    assert.match(out.cells[2].replayed.output, /src\/api\/server\.ts imports it\./);
    assert.equal(out.answer, recordedAnswer);

    const plain = await runCli(['replay', trajectory]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /turn 1 cell 1: identical/);
    assert.match(plain.stderr, /child run \(depth 1: "Which files import pricing\?"\) turn 1 cell 1: identical/);
    assert.match(plain.stdout, /5 of 5 cells identical/);
    assert.match(plain.stdout, /answer: identical/);
  });

  it('runs the cells against the workspace as it is now: an edited file makes them diverge (exit 3, with a diff)', async () => {
    const copy = copyFixture('shop');
    try {
      const file = join(copy.dir, 'src/orders/pricing.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace('export function priceOrder(order: Order): number {', '// priced here\nexport function priceOrder(order: Order): number {'));
      const run = await runCli(['replay', trajectory, '--workspace', copy.dir]);
      assert.equal(run.code, 3, run.stderr + run.stdout);
      assert.match(run.stderr, /^turn 1 cell 1: diverged/m);
      assert.match(run.stderr, /child run \(depth 1: "Which files import pricing\?"\) turn 1 cell 1: identical/, 'the import line did not move');
      assert.match(run.stderr, /- +"line": 15/);
      assert.match(run.stderr, /\+ +"line": 16/);
      assert.match(run.stdout, /diverged/);
      const json = await runCli(['replay', trajectory, '--workspace', copy.dir, '--json']);
      assert.equal(json.code, 3);
      const out = JSON.parse(json.stdout);
      assert.equal(out.diverged, true);
      assert.equal(out.cells[2].identical, false);
      assert.ok(out.cells[2].diff.length > 1);
    } finally {
      copy.cleanup();
    }
  });

  it('an unchanged copy of the workspace elsewhere replays identically', async () => {
    const copy = copyFixture('shop');
    try {
      const run = await runCli(['replay', trajectory, '-w', copy.dir, '--json']);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.equal(JSON.parse(run.stdout).diverged, false);
    } finally {
      copy.cleanup();
    }
  });

  it('refuses what it cannot replay with exit 1 and the reason: not JSON, a newer format, version 1 sub-call previews', async () => {
    const saved = JSON.parse(readFileSync(trajectory, 'utf8'));
    assert.equal(saved.version, 2);
    const cases: [string, string, RegExp][] = [
      ['truncated.json', readFileSync(trajectory, 'utf8').slice(0, 500), /cannot replay: not a trajectory: the file is not JSON/],
      ['newer.json', JSON.stringify({ ...saved, version: 99 }), /format version 99, written by a newer Recurse/],
      ['v1.json', JSON.stringify({ ...saved, version: 1, subCalls: undefined }), /keeps only previews of its sub-calls' answers/],
      ['missing.json', '', /cannot read .*missing-dir/],
    ];
    for (const [name, text, reason] of cases) {
      const file = name === 'missing.json' ? join(dir, 'missing-dir', name) : join(dir, name);
      if (name !== 'missing.json') writeFileSync(file, text);
      const run = await runCli(['replay', file]);
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.match(run.stderr, reason, name);
    }
  });

  it('still reads version 1 trajectories (no sub-calls, helpers told by the system prompt)', async () => {
    const models = await startScriptedModels({
      rootSteps: [js("print(grep(/export function priceOrder/).map((h) => h.path + ':' + h.line))"), js('finish("See src/orders/pricing.ts:15.")')],
    });
    const v2 = join(dir, 'plain.json');
    try {
      const run = await runCli(['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', '--trajectory', v2, QUESTION], { env: { OPENAI_API_KEY: 'test-key' } });
      assert.equal(run.code, 0, run.stderr);
    } finally {
      await models.close();
    }
    const { subCalls: _s, code: _c, ...rest } = JSON.parse(readFileSync(v2, 'utf8'));
    const v1 = join(dir, 'v1-plain.json');
    writeFileSync(v1, JSON.stringify({ ...rest, version: 1 }));
    const run = await runCli(['replay', v1, '--json']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(JSON.parse(run.stdout).cells.map((c: { identical: boolean }) => c.identical), [true, true]);
  });
});
