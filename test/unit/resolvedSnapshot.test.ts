import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImportGraph } from '../../src/core/index/imports/importGraph';
import { FileMap } from '../../src/core/workspace/fileMap';
import { copyFixture } from '../support/scriptedModels';

/**
 * The resolved import graph restored from disk on an unchanged tree, compared with a graph resolved from scratch
 * (no snapshot at all) on the same tree: every file's imports and importers, the packages, dependency paths.
 */
describe('resolved import snapshot', () => {
  let repo: { dir: string; cleanup(): void };
  let snapshots: string;

  /** Every file's mtime a minute back, so the snapshots trust them. */
  const settle = () => {
    const then = new Date(Date.now() - 60_000);
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else utimesSync(p, then, then);
      }
    };
    walk(repo.dir);
  };
  const snapshotted = async () => ImportGraph.build(await FileMap.load(repo.dir, { snapshot: snapshots }));
  const fresh = async () => ImportGraph.build(await FileMap.load(repo.dir));
  /** What a user of the graph sees, for every file. */
  const view = async (g: ImportGraph) => {
    const map = await FileMap.load(repo.dir);
    const files = map.files().map((f) => f.path);
    return {
      imports: files.map((p) => g.imports(p)),
      importers: files.map((p) => g.importers(p)),
      packages: g.packages(),
      paths: [
        g.dependencyPath('apps/web/src/main.ts', 'apps/web/src/lib/helper.ts'),
        g.dependencyPath('go/cmd/app/main.go', 'go/internal/store/cache/cache.go'),
        g.dependencyPath('java/src/main/java/com/mono/App.java', 'java/src/main/java/com/mono/model/Role.java'),
      ],
      stats: { ...g.stats, ms: 0, extracted: 0 },
    };
  };

  before(() => {
    repo = copyFixture('monorepo');
    snapshots = mkdtempSync(join(tmpdir(), 'recurse-resolved-snaps-'));
    settle();
  });
  after(() => {
    repo.cleanup();
    rmSync(snapshots, { recursive: true, force: true });
  });

  it('an unchanged tree gets its edges back without resolving, the same as a fresh graph', async () => {
    const first = await snapshotted();
    assert.equal(first.fromSnapshot, false);
    const second = await snapshotted();
    assert.equal(second.fromSnapshot, true, 'restored');
    const expected = await view(await fresh());
    assert.ok(expected.importers.some((list) => list.length > 0) && expected.paths.every((p) => p !== null), 'a graph worth comparing');
    assert.deepEqual(await view(second), expected);
    // The restored graph still follows a change made through it.
    writeFileSync(join(repo.dir, 'apps/web/src/lazy.ts'), "import { helper } from './lib/helper';\n");
    await second.updateFile('apps/web/src/lazy.ts');
    assert.ok(second.importers('apps/web/src/lib/helper.ts').some((e) => e.from === 'apps/web/src/lazy.ts'));
    settle();
  });

  it('a changed config that no import names (tsconfig.base.json) is seen: the graph is resolved again', async () => {
    await snapshotted();
    assert.equal((await snapshotted()).fromSnapshot, true);
    writeFileSync(join(repo.dir, 'tsconfig.base.json'), '{ "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["packages/core/src/*"] } } }\n');
    settle();
    const g = await snapshotted();
    assert.equal(g.fromSnapshot, false);
    assert.deepEqual(await view(g), await view(await fresh()));
    assert.equal(g.imports('apps/web/src/main.ts').find((e) => e.specifier === '@app/lib/helper')?.to, undefined, 'the alias now points elsewhere');
  });

  it('a new file, a file being written right now, or a corrupt snapshot: resolved again, never wrong', async () => {
    await snapshotted();
    writeFileSync(join(repo.dir, 'apps/web/src/extra.ts'), "import { helper } from './lib/helper';\n");
    settle();
    let g = await snapshotted();
    assert.equal(g.fromSnapshot, false, 'a new file');
    assert.deepEqual(await view(g), await view(await fresh()));
    writeFileSync(join(repo.dir, 'apps/web/src/extra.ts'), "import { x } from './config';\n"); // mtime now: racy
    g = await snapshotted();
    assert.equal(g.fromSnapshot, false, 'a file modified within the racy window');
    assert.deepEqual(await view(g), await view(await fresh()));
    settle();
    await snapshotted();
    for (const f of readdirSync(snapshots)) if (f.endsWith('.resolved.json')) writeFileSync(join(snapshots, f), '{"fingerprint": 1, "files": {"x": 3}}');
    g = await snapshotted();
    assert.equal(g.fromSnapshot, false, 'a corrupt snapshot');
    assert.deepEqual(await view(g), await view(await fresh()));
    assert.equal((await snapshotted()).fromSnapshot, true, 'rewritten');
    // The right fingerprint over a damaged list of edges (a target out of range, a line cut short): nothing of it kept.
    for (const damage of ['0\t1\t99999\t\t./nowhere', '0\t1', 'x\t1\t-1\t\tlib']) {
      for (const f of readdirSync(snapshots)) {
        if (!f.endsWith('.resolved.json')) continue;
        const stored = JSON.parse(readFileSync(join(snapshots, f), 'utf8')) as { files: Record<string, string> };
        const keys = Object.keys(stored.files);
        stored.files[keys[keys.length - 1]!] += `\n${damage}`;
        writeFileSync(join(snapshots, f), JSON.stringify(stored));
      }
      g = await snapshotted();
      assert.equal(g.fromSnapshot, false, `damaged: ${JSON.stringify(damage)}`);
      assert.deepEqual(await view(g), await view(await fresh()));
      assert.equal((await snapshotted()).fromSnapshot, true, 'rewritten');
    }
  });
});
