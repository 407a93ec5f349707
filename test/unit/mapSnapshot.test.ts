import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileMap } from '../../src/core/workspace/fileMap';
import { grepSync } from '../../src/core/workspace/grep';

/** Ages every file of `dir` by a minute, as files are when a workspace is opened again later. */
function age(dir: string, files: string[]): void {
  const then = new Date(Date.now() - 60_000);
  for (const f of files) utimesSync(join(dir, f), then, then);
}

/**
 * The file map's snapshot: a later load of an unchanged tree stats files instead of reading them, and still sees
 * exactly what a full load sees — changed, new, deleted and newly binary files, below and above the worker threshold.
 */
for (const [label, count] of [['a small tree (read in-process)', 40], ['a large tree (measured by worker threads)', 700]] as const) {
  describe(`map snapshot: ${label}`, () => {
    let dir: string;
    let snapshots: string;
    const names = Array.from({ length: count }, (_, i) => `src/m${i}.ts`);
    const load = () => FileMap.load(dir, { snapshot: snapshots });
    const full = () => FileMap.load(dir);
    const view = (m: FileMap) => ({ files: m.files().map((f) => [f.path, f.size, f.lines]), skipped: m.skipped.counts });

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'recurse-snap-'));
      snapshots = mkdtempSync(join(tmpdir(), 'recurse-snaps-'));
      mkdirSync(join(dir, 'src'));
      names.forEach((n, i) => writeFileSync(join(dir, n), `export const value${i} = ${i};\n// line two of ${i}\n`));
      writeFileSync(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
      age(dir, [...names, 'logo.png']);
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(snapshots, { recursive: true, force: true });
    });

    it('the first load reads everything and writes a snapshot; the next one reads nothing and sees the same map', async () => {
      const first = await load();
      assert.equal(first.loadStats.reused, 0);
      assert.equal(readdirSync(snapshots).filter((f) => f.endsWith('.map')).length, 1);
      const second = await load();
      assert.deepEqual({ ...second.loadStats, listed: undefined }, { read: 0, reused: count + 1, listed: undefined });
      assert.deepEqual(view(second), view(await full()));
      assert.equal(second.skipped.counts.binary, 1, 'a binary file stays skipped without being read');
    });

    it('a changed file is read again: new size and lines, and grep finds its new text', async () => {
      writeFileSync(join(dir, names[3]!), 'export const changed = "SNAPSHOT-NEW-TEXT";\n\n\n');
      const map = await load();
      assert.equal(map.loadStats.read, 1);
      assert.deepEqual(view(map), view(await full()));
      assert.equal(map.get(names[3]!)!.lines, 3);
      assert.deepEqual(grepSync(map, 'SNAPSHOT-NEW-TEXT').matches.map((m) => m.path), [names[3]]);
    });

    it('a same-size rewrite within the clock window of the snapshot is never trusted', async () => {
      const target = join(dir, names[5]!);
      const before = statSync(target).size;
      writeFileSync(target, 'x'.repeat(before));
      await load(); // snapshot taken now: the file's time is within the racy window, so it is left out
      writeFileSync(target, 'y'.repeat(before));
      const st = statSync(target);
      utimesSync(target, st.atime, st.mtime); // same size, same time as recorded (if it had been)
      const map = await load();
      assert.ok(map.loadStats.read >= 1, 'the racy file was read');
      assert.deepEqual(grepSync(map, 'y{5}').matches.map((m) => m.path), [names[5]]);
    });

    it('new, deleted and newly binary files are seen', async () => {
      writeFileSync(join(dir, 'src', 'added.ts'), 'export const added = 1;\n');
      rmSync(join(dir, names[0]!));
      writeFileSync(join(dir, names[1]!), Buffer.from([1, 2, 0, 3]));
      const map = await load();
      assert.deepEqual(view(map), view(await full()));
      assert.ok(map.get('src/added.ts'));
      assert.equal(map.get(names[0]!), undefined);
      assert.equal(map.get(names[1]!), undefined);
      assert.equal(map.skipped.counts.binary, 2);
    });

    it('a corrupt or foreign snapshot is ignored (a full load) and replaced', async () => {
      const [file] = readdirSync(snapshots).filter((f) => f.endsWith('.map'));
      writeFileSync(join(snapshots, file!), 'not a snapshot at all');
      const map = await load();
      assert.equal(map.loadStats.reused, 0);
      assert.deepEqual(view(map), view(await full()));
      age(dir, readdirSync(join(dir, 'src')).map((f) => `src/${f}`));
      await load();
      assert.equal((await load()).loadStats.read, 0, 'the rewritten snapshot is used again');
    });
  });
}
