import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, type CliRun, runCli as run } from '../support/cliRun';
import { copyFixture, js, startScriptedModels, type Step } from '../support/scriptedModels';

/** `recurse` end to end: the bundled CLI (dist/cli.js) against the test model server, as a user runs it. */


/** The CLI with extra environment variables (and a look at the child, to signal it). */
function runCli(args: string[], env: Record<string, string> = {}, onSpawn?: (child: ChildProcess) => void): Promise<CliRun> {
  return run(args, { env, onSpawn });
}

describe('recurse CLI', () => {
  let fixture: ReturnType<typeof copyFixture>;
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    fixture = copyFixture('shop');
    // Secrets of every kind the deny list names, with one recognisable marker inside each.
    const secrets: Record<string, string> = {
      '.env.production': 'DB_PASSWORD=FIXTURE-SECRET-env-prod',
      'deploy/server.pem': '-----BEGIN FIXTURE-SECRET-pem-----',
      'deploy/id_rsa': 'FIXTURE-SECRET-id-rsa',
      'credentials.json': '{"token": "FIXTURE-SECRET-credentials"}',
      '.npmrc': '//registry.example/:_authToken=FIXTURE-SECRET-npmrc',
      '.aws/credentials': 'aws_secret_access_key=FIXTURE-SECRET-aws',
      'build/out.js': 'const ignoredByGitignore = 1;',
    };
    for (const [path, text] of Object.entries(secrets)) {
      mkdirSync(join(fixture.dir, path, '..'), { recursive: true });
      writeFileSync(join(fixture.dir, path), text);
    }
  });
  after(() => fixture.cleanup());

  const answerSteps: Step[] = [
    js('const hits = grep(/export function priceOrder/);\nprint(hits)'),
    (ctx) => {
      const m = /"path": "([^"]+)",\s*"line": (\d+)/.exec(ctx.lastUser);
      assert.ok(m, ctx.lastUser);
      return js(`finish("Orders are priced by \`priceOrder\` at ${m[1]}:${m[2]}; totals are returned by src/api/server.ts:99.")`);
    },
  ];

  it('answers with --json: answer, verified citations, usage and skipped counts', async () => {
    const models = await startScriptedModels({ rootSteps: [...answerSteps] });
    try {
      const run = await runCli(
        ['ask', '--workspace', fixture.dir, '--base-url', models.server.url, '--model', 'root-model', '--json', 'Where are orders priced?'],
        { OPENAI_API_KEY: 'test-key' },
      );
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout);
      assert.match(out.answer, /priceOrder/);
      assert.deepEqual(out.citations, [
        { path: 'src/orders/pricing.ts', startLine: 15, endLine: 15, valid: true },
        { path: 'src/api/server.ts', startLine: 99, endLine: 99, valid: false, reason: out.citations[1].reason },
      ]);
      assert.equal(out.usage.iterations, 2);
      assert.ok(out.usage.totalTokens > 0);
      assert.equal(out.usage.subCalls, 0);
      assert.ok(out.skipped.secret >= 6, `secrets counted as skipped: ${JSON.stringify(out.skipped)}`);
      assert.ok(out.skipped.ignored >= 1);
    } finally {
      await models.close();
    }
  });

  it('prints progress on stderr and the answer on stdout, marking unverified citations', async () => {
    const models = await startScriptedModels({ rootSteps: [...answerSteps] });
    try {
      const run = await runCli(['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', 'Where are orders priced?'], {
        OPENAI_API_KEY: 'test-key',
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /turn 1\/20/);
      assert.match(run.stderr, /cell 1: const hits = grep/);
      assert.match(run.stderr, /citations: 1 verified, 1 unverified/);
      assert.match(run.stdout, /^Orders are priced by `priceOrder` at src\/orders\/pricing.ts:15;/);
      assert.match(run.stdout, /src\/api\/server.ts:99 \[✗ unverified: src\/api\/server.ts has \d+ lines/);
      assert.ok(!run.stdout.includes('turn 1'), 'stdout holds only the answer');
    } finally {
      await models.close();
    }
  });

  it('never sends a secret, even when the model asks for one', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js(
          'for (const p of [".env", ".env.production", "deploy/id_rsa", "credentials.json", ".aws/credentials", "../shop/.env"]) {\n' +
            '  try { print(read(p)) } catch (e) { print(e.message) }\n}\n' +
            'print(grep("FIXTURE-SECRET"));\nprint(files().map(f => f.path));\nprint(tree("", 5));',
        ),
        js('print(await llm_query(read("src/config.ts")))'),
        js('finish("No secrets here.")'),
      ],
      subSteps: ['config reads env vars'],
    });
    try {
      const traj = join(fixture.dir, '..', `traj-${process.pid}.json`);
      const run = await runCli(
        ['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', '--sub-model', 'sub-model', '--json', '--trajectory', traj, 'Show me the secrets'],
        { OPENAI_API_KEY: 'test-key' },
      );
      assert.equal(run.code, 0, run.stderr);
      const everything = JSON.stringify(models.server.requests);
      assert.ok(everything.includes('no such file in the workspace: .env'), 'the model was told the file is not there');
      assert.ok(!everything.includes('FIXTURE-SECRET-9f8e7d'), 'the .env value never left the machine');
      for (const marker of ['env-prod', 'pem', 'id-rsa', 'credentials', 'npmrc', 'aws']) {
        assert.ok(!everything.includes(`FIXTURE-SECRET-${marker}`), `the ${marker} secret never left the machine`);
      }
      assert.ok(everything.includes('config reads env vars'), 'the run itself went through');
      assert.ok(!everything.includes('ignoredByGitignore'));
      const saved = JSON.parse(readFileSync(traj, 'utf8'));
      assert.ok(saved.events.some((e: { type: string }) => e.type === 'cell-output'));
      assert.ok(saved.events.some((e: { type: string; kind?: string }) => e.type === 'subcall-end'));
      assert.equal(saved.result.answer, 'No secrets here.');
    } finally {
      await models.close();
    }
  });

  it('exits 2 with usage for a missing question or an unknown flag', async () => {
    const a = await runCli(['ask', '-w', fixture.dir]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /ask needs a question/);
    const b = await runCli(['ask', '--frobnicate', 'q']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /Unknown option '--frobnicate'/);
    const c = await runCli(['ask', '-w', join(fixture.dir, 'nope'), 'q'], { OPENAI_API_KEY: 'k' });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /workspace is not a directory/);
  });

  it('prints its version with --version (the package.json version)', async () => {
    const version = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version as string;
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `recurse ${version}\n`);
    }
  });

  it('exits 2 explaining how to configure when no endpoint is set and no local Ollama answers', async () => {
    const run = await runCli(['ask', '-w', fixture.dir, 'q']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /OPENAI_API_KEY/);
    assert.match(run.stderr, /--base-url/);
  });

  it('exits 1 with the server error when the model keeps failing', async () => {
    const models = await startScriptedModels({ rootSteps: [{ fault: 'auth' }] });
    try {
      const traj = join(fixture.dir, '..', `traj-failed-${process.pid}.json`);
      const run = await runCli(['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', '--trajectory', traj, 'q'], {
        OPENAI_API_KEY: 'bad',
      });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /401|auth|key/i);
      const saved = JSON.parse(readFileSync(traj, 'utf8'));
      assert.match(saved.error, /401|auth|key/i, 'a failed run still leaves its trajectory, with the error');
      assert.equal(saved.question, 'q');
    } finally {
      await models.close();
    }
  });

  it('cancels cleanly on Ctrl-C (SIGINT) during a model call', async () => {
    const models = await startScriptedModels({ rootSteps: [{ text: 'slow', delayMs: 20_000 }] });
    try {
      const started = Date.now();
      const run = await runCli(['ask', '-w', fixture.dir, '--base-url', models.server.url, '-m', 'root-model', 'q'], { OPENAI_API_KEY: 'k' }, (child) => {
        const timer = setInterval(() => {
          if (models.server.requests.length > 0) {
            clearInterval(timer);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('exit', () => clearInterval(timer));
      });
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /cancelled/);
      assert.ok(Date.now() - started < 5000);
    } finally {
      await models.close();
    }
  });

  it('limits a question to a directory or a package with --scope', async () => {
    const monorepo = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monorepo');
    const steps = (): Step[] => [
      js(
        'print(files().map((f) => f.path).join(","));\nprint(JSON.stringify(context.scope));\n' +
          'print(JSON.stringify((await findSymbol("add")).map((d) => d.path)));\n' +
          'try { read("apps/web/src/main.ts") } catch (e) { print(e.message) }',
      ),
      (ctx) => {
        const out = /Cell 1 output:\n```text\n([^\n]*)\n([^\n]*)\n([^\n]*)\n([^\n]*)/.exec(ctx.lastUser);
        assert.ok(out, ctx.lastUser);
        assert.deepEqual(out[1].split(','), ['packages/core/package.json', 'packages/core/src/index.ts', 'packages/core/src/math.ts', 'packages/core/src/util/strings.ts']);
        assert.equal(JSON.parse(out[2]).dir, 'packages/core');
        assert.deepEqual(JSON.parse(out[3]), ['packages/core/src/math.ts'], 'symbols outside the scope are not returned');
        assert.match(out[4], /no such file in the workspace: apps\/web\/src\/main.ts/);
        return js('finish("add is at packages/core/src/math.ts:1; the app uses it in apps/web/src/lib/helper.ts:2.")');
      },
    ];
    for (const scope of ['packages/core', '@mono/core']) {
      const models = await startScriptedModels({ rootSteps: steps() });
      try {
        const run = await runCli(['ask', '-w', monorepo, '--scope', scope, '--base-url', models.server.url, '-m', 'root-model', '--json', 'Where is add?'], {
          OPENAI_API_KEY: 'k',
        });
        assert.equal(run.code, 0, run.stderr);
        const out = JSON.parse(run.stdout);
        assert.equal(out.scope.dir, 'packages/core');
        assert.equal(out.scope.spec, scope);
        if (scope.startsWith('@')) assert.equal(out.scope.packageName, '@mono/core');
        assert.deepEqual(
          out.citations.map((c: { path: string; valid: boolean }) => [c.path, c.valid]),
          [
            ['packages/core/src/math.ts', true],
            ['apps/web/src/lib/helper.ts', false],
          ],
          'a citation outside the scope is not verified',
        );
      } finally {
        await models.close();
      }
    }
    const bad = await runCli(['ask', '-w', monorepo, '--scope', 'no/such/dir', '--base-url', 'http://127.0.0.1:9/v1', '-m', 'm', 'q'], { OPENAI_API_KEY: 'k' });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /unknown scope "no\/such\/dir".*packages: .*@mono\/core/);
  });

  it('reports the file map with `recurse index --json`', async () => {
    const run = await runCli(['index', '-w', fixture.dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.files, 7, 'six sources and the .gitignore');
    assert.ok(out.skipped.secret >= 7);
  });
});
