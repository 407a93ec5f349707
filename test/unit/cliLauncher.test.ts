import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cliRun';

/** `recurse` starts through its launcher, which keeps V8's code cache for the CLI bundle in the user cache folder. */
describe('recurse launcher', () => {
  it('writes a code cache on the first start, uses it after, and survives a corrupt one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recurse-launcher-'));
    try {
      const first = await runCli(['--help'], { home });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^Usage:/);
      const dir = join(home, 'cache', 'recurse', 'compile');
      const files = readdirSync(dir, { recursive: true }) as string[];
      assert.ok(files.length > 0, 'a compile cache was written');
      const second = await runCli(['--help'], { home });
      assert.equal(second.stdout, first.stdout);
      for (const f of files.filter((name) => name.endsWith('.v8'))) writeFileSync(join(dir, f), 'garbage');
      const third = await runCli(['index', join(__dirname, '..', '..', '..', 'test', 'fixtures', 'shop'), '--json'], { home });
      assert.equal(third.code, 0, third.stderr);
      assert.ok(JSON.parse(third.stdout).files > 5);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
