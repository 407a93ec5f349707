import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImportGraph } from '../../src/core/index/imports/importGraph';
import { FileMap } from '../../src/core/workspace/fileMap';

/** The import graph of a snapshotted map: unchanged files are not read again, a changed import is seen. */
describe('import snapshot', () => {
  let dir: string;
  let snapshots: string;
  const files: Record<string, string> = {
    'src/a.ts': "import { b } from './b';\nexport const a = b + 1;\n",
    'src/b.ts': "import { c } from './c';\nexport const b = c;\n",
    'src/c.ts': 'export const c = 1;\n',
    'src/d.ts': 'export const d = 2;\n',
    'py/m.py': 'from .n import alpha, beta\nimport os\n',
    'py/n.py': 'alpha = beta = 1\n',
    'c/x.c': '#include <stdio.h>\n#include "y.h"\n',
    'c/y.h': 'int y;\n',
  };
  const graph = async () => ImportGraph.build(await FileMap.load(dir, { snapshot: snapshots }));
  const edges = (g: ImportGraph) => Object.keys(files).filter((p) => p.startsWith('src/')).flatMap((p) => g.imports(p).map((e) => `${e.from} -> ${e.to}`));
  const everything = (g: ImportGraph) => Object.keys(files).flatMap((p) => g.imports(p));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'recurse-imports-'));
    snapshots = mkdtempSync(join(tmpdir(), 'recurse-import-snaps-'));
    for (const d of ['src', 'py', 'c']) mkdirSync(join(dir, d));
    const then = new Date(Date.now() - 60_000);
    for (const [p, text] of Object.entries(files)) {
      writeFileSync(join(dir, p), text);
      utimesSync(join(dir, p), then, then);
    }
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(snapshots, { recursive: true, force: true });
  });

  it('a second build of an unchanged tree extracts nothing and has the same edges', async () => {
    const first = await graph();
    assert.equal(first.stats.extracted, 8);
    const second = await graph();
    assert.equal(second.stats.extracted, 0);
    assert.deepEqual(edges(second), edges(first));
    // Python names, C angle includes and every kind survive the snapshot's packing.
    assert.deepEqual(everything(second), everything(await ImportGraph.build(await FileMap.load(dir))));
    assert.ok(everything(second).some((e) => e.specifier === 'stdio.h') && everything(second).some((e) => e.from === 'py/m.py'));
    assert.deepEqual(edges(second), ['src/a.ts -> src/b.ts', 'src/b.ts -> src/c.ts']);
  });

  it('a changed import is extracted again and the graph follows it', async () => {
    files['src/c.ts'] = "import { d } from './d';\nexport const c = d;\n";
    writeFileSync(join(dir, 'src/c.ts'), files['src/c.ts']);
    const g = await graph();
    assert.equal(g.stats.extracted, 1);
    assert.deepEqual(edges(g), ['src/a.ts -> src/b.ts', 'src/b.ts -> src/c.ts', 'src/c.ts -> src/d.ts']);
    assert.deepEqual(edges(await ImportGraph.build(await FileMap.load(dir))), edges(g), 'the same as a build without snapshots');
  });
});
