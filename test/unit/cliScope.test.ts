import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, type CliRun, runCli } from '../support/cliRun';
import { commit, initRepo, write } from '../support/gitRepo';
import { js, startScriptedModels, type Step } from '../support/scriptedModels';

/** `--scope` on index, review and trace: the bundled CLI on the monorepo fixture and on a real git monorepo. */

const MONOREPO = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monorepo');

describe('--scope on every CLI command', () => {
  let home: string;
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    home = mkdtempSync(join(tmpdir(), 'recurse-scope-home-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  function run(args: string[]): Promise<CliRun> {
    // The symbol cache goes to a temp home, never the user's.
    return runCli(args, { home, env: { OPENAI_API_KEY: 'k' } });
  }

  describe('recurse index --scope', () => {
    it('reports and dumps only the scope, by directory or by package', async () => {
      const whole = JSON.parse((await run(['index', MONOREPO, '--json'])).stdout);
      const dumpDir = mkdtempSync(join(tmpdir(), 'recurse-scope-dump-'));
      try {
        const dump = join(dumpDir, 'symbols.jsonl');
        const byPackage = await run(['index', MONOREPO, '--scope', '@mono/core', '--json', '--dump', dump]);
        assert.equal(byPackage.code, 0, byPackage.stderr);
        const out = JSON.parse(byPackage.stdout);
        assert.deepEqual(out.scope, { spec: '@mono/core', dir: 'packages/core', packageName: '@mono/core' });
        assert.equal(out.files, 4, 'package.json and three sources of packages/core');
        assert.equal(out.packages, 1);
        assert.deepEqual(out.languages, { typescript: 3 });
        assert.ok(out.symbols > 0 && out.symbols < whole.symbols, `${out.symbols} of ${whole.symbols}`);
        assert.ok(out.imports > 0 && out.imports < whole.imports);
        const paths = new Set(
          readFileSync(dump, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l).path as string),
        );
        assert.deepEqual([...paths].sort(), ['packages/core/src/math.ts', 'packages/core/src/util/strings.ts']);
        assert.equal(readFileSync(dump, 'utf8').trim().split('\n').length, out.symbols);
      } finally {
        rmSync(dumpDir, { recursive: true, force: true });
      }
      const byDir = await run(['index', MONOREPO, '--scope', 'apps/web/']);
      assert.equal(byDir.code, 0, byDir.stderr);
      assert.match(byDir.stdout, /— scope apps\/web: 5 files, \d+ symbols \(typescript 4\), 1 packages/);
    });

    it('an unknown scope exits 2 listing the packages; an empty one is a usage error', async () => {
      const bad = await run(['index', MONOREPO, '--scope', 'no/such/dir']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown scope "no\/such\/dir".*@mono\/core/);
      assert.equal(bad.stdout, '');
      const empty = await run(['index', MONOREPO, '--scope', ' ']);
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /--scope needs a directory or a package name/);
    });
  });

  describe('recurse trace --scope', () => {
    it('limits the graph to the scope and says what was left out', async () => {
      const r = await run(['trace', 'apps/web/src/main.ts', '-w', MONOREPO, '--scope', 'apps/web', '--format', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.scope, { spec: 'apps/web', dir: 'apps/web' });
      const ids = out.nodes.map((n: { id: string }) => n.id);
      assert.ok(ids.includes('apps/web/src/config.ts'));
      assert.ok(ids.includes('external:lodash'), 'packages from outside the workspace stay');
      for (const n of out.nodes as { path?: string }[]) if (n.path) assert.match(n.path, /^apps\/web\//);
      for (const e of out.edges as { from: string; to: string }[]) assert.ok(ids.includes(e.from) && ids.includes(e.to));
      assert.ok(out.notes.some((n: string) => /nodes outside the scope apps\/web left out \(.*packages\/ui\/src\/index\.ts/.test(n)), out.notes.join('\n'));

      const unscoped = JSON.parse((await run(['trace', 'apps/web/src/main.ts', '-w', MONOREPO, '--format', 'json'])).stdout);
      assert.ok(unscoped.nodes.some((n: { id: string }) => n.id === 'packages/ui/src/index.ts'), 'the unscoped graph does leave apps/web');

      const md = await run(['trace', 'add', '-w', MONOREPO, '--scope', '@mono/core', '--direction', 'in']);
      assert.equal(md.code, 0, md.stderr);
      assert.match(md.stdout, /^# Trace: `add`\n\nScope: @mono\/core \(packages\/core\)\n/);
      assert.doesNotMatch(md.stdout, /apps\/web\/src\/main\.ts — /);
    });

    it('a target outside the scope exits 2 saying where it is', async () => {
      const file = await run(['trace', 'apps/web/src/main.ts', '-w', MONOREPO, '--scope', 'packages/core']);
      assert.equal(file.code, 2);
      assert.match(file.stderr, /apps\/web\/src\/main\.ts is outside the scope packages\/core/);
      const symbol = await run(['trace', 'add', '-w', MONOREPO, '--scope', 'apps/web']);
      assert.equal(symbol.code, 2);
      assert.match(symbol.stderr, /"add" is defined only outside the scope apps\/web \(at packages\/core\/src\/math\.ts:1\)/);
      const bad = await run(['trace', 'add', '-w', MONOREPO, '--scope', '@mono/nope']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown scope "@mono\/nope"/);
    });
  });

  describe('recurse review --scope', () => {
    let repo: string;
    before(() => {
      repo = initRepo('recurse-scope-review-');
      write(repo, {
        'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['packages/*'] }),
        'packages/api/package.json': JSON.stringify({ name: '@shop/api' }),
        'packages/api/src/server.ts': 'export function serve(port: number) {\n  return port;\n}\n',
        'packages/web/package.json': JSON.stringify({ name: '@shop/web' }),
        'packages/web/src/page.ts': "export const title = 'shop';\n",
        'README.md': '# shop\n',
      });
      commit(repo, 'c1');
      write(repo, {
        'packages/api/src/server.ts': 'export function serve(port: number) {\n  return port + 1;\n}\n',
        'packages/api/src/routes.ts': "export const routes = ['/'];\n",
        'packages/web/src/page.ts': "export const title = 'Shop';\n",
        'README.md': '# Shop\n',
      });
      commit(repo, 'c2');
    });
    after(() => rmSync(repo, { recursive: true, force: true }));

    it('reviews only the changed files inside the scope and lists the others as out of scope', async () => {
      const findings = {
        summary: 'serve is off by one.',
        findings: [
          { severity: 'error', path: 'packages/api/src/server.ts', line: 2, title: 'Off by one' },
          { severity: 'info', path: 'packages/web/src/page.ts', line: 1, title: 'Outside the scope' },
        ],
      };
      const steps = (): Step[] => [
        js(
          "print('DIFF ' + JSON.stringify(diff.files.map((f) => f.path)));\n" +
            "print('FILES ' + JSON.stringify(files().map((f) => f.path)));\n" +
            "print('SCOPE ' + JSON.stringify(context.scope));\nprint(hunks('packages/api/src/server.ts'));",
        ),
        (ctx) => {
          assert.match(ctx.lastUser, /DIFF \["packages\/api\/src\/routes\.ts","packages\/api\/src\/server\.ts"\]/);
          assert.match(ctx.lastUser, /FILES \["packages\/api\/package\.json","packages\/api\/src\/routes\.ts","packages\/api\/src\/server\.ts"\]/);
          assert.match(ctx.lastUser, /SCOPE \{"spec":"[^"]+","dir":"packages\/api",.*"outOfScopeFiles":2\}/);
          return js(`finish(${JSON.stringify('Done.\n```json\n' + JSON.stringify(findings) + '\n```')})`);
        },
      ];
      const models = await startScriptedModels({ rootSteps: [...steps(), ...steps()] });
      try {
        const json = await run(['review', '-w', repo, '--commit', 'HEAD', '--scope', '@shop/api', '--format', 'json', '--base-url', models.server.url, '-m', 'root-model', '-q']);
        assert.equal(json.code, 0, json.stderr);
        const out = JSON.parse(json.stdout);
        assert.deepEqual(out.scope, { spec: '@shop/api', dir: 'packages/api', packageName: '@shop/api' });
        assert.deepEqual(out.outOfScope, ['README.md', 'packages/web/src/page.ts']);
        assert.deepEqual(out.reviewed, ['packages/api/src/server.ts']);
        assert.deepEqual(out.unreviewed, ['packages/api/src/routes.ts']);
        assert.deepEqual(out.diff.files.map((f: { path: string }) => f.path), ['packages/api/src/routes.ts', 'packages/api/src/server.ts']);
        assert.deepEqual(out.findings.map((f: { path: string; valid: boolean }) => [f.path, f.valid]), [
          ['packages/api/src/server.ts', true],
          ['packages/web/src/page.ts', false],
        ]);

        const md = await run(['review', '-w', repo, '--commit', 'HEAD', '--scope', 'packages/api', '--base-url', models.server.url, '-m', 'root-model']);
        assert.equal(md.code, 0, md.stderr);
        assert.match(md.stdout, /Scope: packages\/api · 2 changed files outside it not reviewed/);
        assert.match(md.stdout, /## Out of scope \(2\)\n\nChanged files outside packages\/api, not reviewed:\n\n- README\.md\n- packages\/web\/src\/page\.ts/);
        assert.match(md.stderr, /— scope: packages\/api · 2 changed files out of scope/);
      } finally {
        await models.close();
      }
    });

    it('an unknown scope exits 2 before any model call', async () => {
      const bad = await run(['review', '-w', repo, '--commit', 'HEAD', '--scope', 'packages/nope', '--base-url', 'http://127.0.0.1:9/v1', '-m', 'm', '-q']);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /recurse review: unknown scope "packages\/nope".*@shop\/api/);
    });
  });
});
