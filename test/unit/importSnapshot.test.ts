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

describe('import snapshot file', () => {
  it('is written in slices as the same JSON one stringify would give, and reads back whole', async () => {
    const { readImportSnapshot, writeImportSnapshot } = await import('../../src/core/index/imports/importSnapshot');
    const dir = mkdtempSync(join(tmpdir(), 'recurse-import-file-'));
    try {
      const takenAt = Date.now();
      const entries = new Map<string, { size: number; mtimeMs: number; raws: { k: 'import' | 'include'; l: number; s: string; n?: string[] }[] }>();
      for (let i = 0; i < 20_000; i++) {
        entries.set(`pkg${i % 50}/f${i}.ts`, { size: i, mtimeMs: takenAt - 60_000, raws: [{ k: 'import', l: 1, s: `./m${i}`, n: ['a', 'b'] }, { k: 'include', l: 2, s: 'x\ty' }] });
      }
      entries.set('"quoted" \\ path.ts', { size: 1, mtimeMs: takenAt - 60_000, raws: [] });
      entries.set('fresh.ts', { size: 1, mtimeMs: takenAt, raws: [] }); // too recent to trust: left out
      const file = join(dir, 'x.imports.json');
      await writeImportSnapshot(file, '/root', takenAt, entries);
      const { readFileSync } = await import('node:fs');
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { extractor: string; root: string; takenAt: number; files: Record<string, unknown> };
      assert.deepEqual(Object.keys(parsed), ['extractor', 'root', 'takenAt', 'files']);
      assert.equal(parsed.root, '/root');
      assert.equal(Object.keys(parsed.files).length, 20_001);
      const back = await readImportSnapshot(file, '/root');
      assert.ok(back);
      assert.equal(back.size, 20_001);
      assert.deepEqual(back.get('pkg7/f7.ts'), entries.get('pkg7/f7.ts'));
      assert.deepEqual(back.get('"quoted" \\ path.ts'), entries.get('"quoted" \\ path.ts'));
      assert.equal(back.get('fresh.ts'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
