import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, type CliRun, runCli } from '../support/cliRun';

/** `recurse trace` end to end: the bundled CLI (dist/cli.js) on the monorepo fixture, as a user runs it. */

const ROOT = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monorepo');

describe('recurse trace CLI', () => {
  let home: string;
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    home = mkdtempSync(join(tmpdir(), 'recurse-trace-home-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  function run(args: string[]): Promise<CliRun> {
    // The symbol cache goes to a temp home, never the user's.
    return runCli(['trace', ...args], { home });
  }

  it('prints the JSON graph of a file', async () => {
    const r = await run(['apps/web/src/main.ts', '--workspace', ROOT, '--format', 'json', '--depth', '1']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.target, 'apps/web/src/main.ts');
    assert.equal(out.direction, 'out');
    assert.equal(out.depth, 1);
    assert.equal(out.collapsed, 0);
    assert.deepEqual(
      out.nodes.map((n: { id: string; kind: string }) => `${n.kind} ${n.id}`),
      [
        'file apps/web/src/main.ts',
        'file apps/web/src/config.ts',
        'file apps/web/src/lazy.ts',
        'file apps/web/src/lib/helper.ts',
        'external external:lodash',
        'file packages/ui/src/index.ts',
      ],
    );
    assert.deepEqual(out.edges[0], {
      from: 'apps/web/src/main.ts',
      to: 'apps/web/src/config.ts',
      kind: 'import',
      path: 'apps/web/src/main.ts',
      line: 3,
      specifier: './config.js',
    });
  });

  it('prints a markdown chain for --to and DOT for a symbol graph', async () => {
    const chain = await run(['start', '-w', ROOT, '--to', 'add']);
    assert.equal(chain.code, 0, chain.stderr);
    assert.match(chain.stdout, /## Chain \(references, 2 hops\)/);
    assert.match(chain.stdout, /referenced at apps\/web\/src\/main\.ts:8/);
    assert.match(chain.stdout, /referenced at apps\/web\/src\/lib\/helper\.ts:2: `export const helper = add;`/);
    const dot = await run(['add', '-w', ROOT, '--direction', 'in', '--format', 'dot']);
    assert.equal(dot.code, 0, dot.stderr);
    assert.match(dot.stdout, /^digraph "trace add" \{/);
    assert.match(dot.stdout, /"packages\/ui\/src\/index.ts#total" -> "packages\/core\/src\/math.ts#add"/);
  });

  it('exits 2 for an unknown target (with near matches) and for bad options', async () => {
    const unknown = await run(['helpr', '-w', ROOT]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /"helpr" is neither a workspace file nor a symbol.*did you mean: apps\/web\/src\/lib\/helper\.ts/);
    const badTo = await run(['add', '-w', ROOT, '--to', 'missing.ts']);
    assert.equal(badTo.code, 2);
    assert.match(badTo.stderr, /--to: "missing.ts"/);
    const badDirection = await run(['add', '-w', ROOT, '--direction', 'sideways']);
    assert.equal(badDirection.code, 2);
    assert.match(badDirection.stderr, /--direction must be one of in, out, both/);
    const noTarget = await run(['-w', ROOT]);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /trace needs a target/);
  });
});
