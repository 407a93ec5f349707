import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cliRun';
import { copyFixture } from '../support/scriptedModels';

/** Every file under `dir` modified `secondsAgo` ago (old enough for the caches to trust their stamps). */
function ageTree(dir: string, secondsAgo: number): void {
  const when = Date.now() / 1000 - secondsAgo;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), when, when);
  }
}

/**
 * `recurse index` runs from a bundle of its own (dist/cliIndex.js), every other command from dist/cliMain.js, the
 * extension from dist/core.js. The import caches one bundle writes are read by the others: the bundler renames
 * identifiers differently in each, and caches keyed on a function's text were thrown away each time another bundle
 * opened the same tree.
 */
describe('import caches across the CLI bundles', () => {
  let fixture: ReturnType<typeof copyFixture>;
  let home: string;
  before(() => {
    fixture = copyFixture('shop');
    ageTree(fixture.dir, 3600);
    home = mkdtempSync(join(tmpdir(), 'recurse-bundles-home-'));
  });
  after(() => {
    fixture.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const index = async (bundle?: string) => {
    const run = await runCli(['index', '-w', fixture.dir, '--json'], { home, ...(bundle ? { bundle } : {}) });
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as { imports: number; importsRestored: boolean; importsExtracted: number };
  };

  it('restores in cliMain.js the graph that `recurse index` resolved, and reuses its extracted imports', async () => {
    const first = await index();
    assert.equal(first.importsRestored, false);
    assert.ok(first.importsExtracted >= 4, `every source extracted once: ${first.importsExtracted}`);
    assert.ok(first.imports > 0);

    const other = await index('cliMain.js');
    assert.equal(other.importsRestored, true, 'the resolved graph written by cliIndex.js is restored by cliMain.js');
    assert.equal(other.importsExtracted, 0);
    assert.equal(other.imports, first.imports);

    // One file touched: the graph is resolved again, from the imports extracted before for every other file.
    const touched = join(fixture.dir, 'src', 'orders', 'pricing.ts');
    const when = Date.now() / 1000 - 1800;
    utimesSync(touched, when, when);
    const after = await index('cliMain.js');
    assert.equal(after.importsRestored, false);
    assert.equal(after.importsExtracted, 1, 'only the touched file is extracted again');
    assert.equal(after.imports, first.imports);
  });
});
