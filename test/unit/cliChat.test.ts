import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli } from '../support/cliRun';
import type { ScriptContext } from '../support/modelServer';
import { copyFixture, js, startScriptedModels } from '../support/scriptedModels';

/** Runs the CLI with `input` on stdin (not a terminal), in a new HOME. */
function runWithStdin(args: string[], input: string, home: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI_|RECURSE_)/.test(k))) as Record<string, string>;
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...clean, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), RECURSE_OLLAMA_URL: 'http://127.0.0.1:9/v1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('recurse chat and ask --session', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let home: string;
  before(() => {
    fixture = copyFixture('shop');
    home = mkdtempSync(join(tmpdir(), 'recurse-chat-home-'));
  });
  after(() => {
    fixture.cleanup();
    rmSync(home, { recursive: true, force: true });
  });
  const env = { OPENAI_API_KEY: 'test-key' };

  it('answers each line of stdin in one conversation, one JSON object per answer, and exits 0 at end of input', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('const found = grep(/export function priceOrder/);\nprint(found.length)'),
        js('finish("priceOrder, in src/orders/pricing.ts:15.")'),
        (ctx: ScriptContext) => {
          assert.match(ctx.messages[1]!.content, /Earlier questions of this conversation: 1/);
          return js('print(found[0].path, history[0].question)');
        },
        (ctx: ScriptContext) => js(`finish(${JSON.stringify(/src\/orders\/pricing\.ts Where are orders priced\?/.test(ctx.lastUser) ? 'Still src/orders/pricing.ts:15.' : 'lost it')})`),
      ],
    });
    try {
      const run = await runWithStdin(['chat', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', '--json'],
        'Where are orders priced?\n\nAnd where was that again?\n', home, env);
      assert.equal(run.code, 0, run.stderr);
      const answers = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(answers.length, 2, 'one JSON object per question (the empty line is skipped)');
      assert.equal(answers[0].answer, 'priceOrder, in src/orders/pricing.ts:15.');
      assert.equal(answers[1].answer, 'Still src/orders/pricing.ts:15.', 'the second question read the first one\'s variable and history');
      assert.deepEqual(answers[1].citations, [{ path: 'src/orders/pricing.ts', startLine: 15, endLine: 15, valid: true }]);
      assert.equal(answers[1].usage.iterations, 2);
    } finally {
      await models.close();
    }
  });

  it('ask --session NAME continues a named conversation\'s history in a later process (not its variables)', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('finish("Taxes are computed by computeTax in src/orders/pricing.ts:3.")'),
        (ctx: ScriptContext) => {
          assert.match(ctx.messages[1]!.content, /The REPL was restarted since/);
          return js('print(history.length, history[0].answer)');
        },
        (ctx: ScriptContext) => js(`finish(${JSON.stringify(ctx.lastUser.includes('1 Taxes are computed') ? 'You asked about taxes before.' : 'no memory')})`),
      ],
    });
    try {
      const args = (q: string) => ['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', '--json', '--session', 'work', q];
      const first = await runCli(args('Where are taxes computed?'), { env, home });
      assert.equal(first.code, 0, first.stderr);
      const second = await runCli(args('What did I ask before?'), { env, home });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(JSON.parse(second.stdout).answer, 'You asked about taxes before.');
      const bad = await runCli(['ask', '-w', fixture.dir, '--session', '../x', 'q'], { env, home });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--session takes a name/);
    } finally {
      await models.close();
    }
  });
});
