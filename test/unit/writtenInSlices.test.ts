import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ImportResolver } from '../../src/core/index/imports/importResolver';
import { graphFingerprint } from '../../src/core/index/imports/resolvedSnapshot';
import { readWorkspaceConfig } from '../../src/core/index/imports/workspaceConfig';
import { type FileRecord, saveCache, saveCacheAsync } from '../../src/core/index/symbols/symbolCache';
import { byCodeUnits, sortInSlices } from '../../src/core/sortInSlices';
import { readSnapshot, writeSnapshot, type SnapshotFile } from '../../src/core/workspace/mapSnapshot';
import { writeFileAtomic } from '../../src/core/writeFileAtomic';

/** Counts event-loop turns (timer callbacks) while `work` runs: a piece of work that never yields gets none. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  try {
    const value = await work();
    return { value, turns };
  } finally {
    clearInterval(timer);
  }
}

/** A deterministic pseudo-random sequence (the tests must fail the same way every time). */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/**
 * Caches of a kernel-sized tree are written a part at a time and sorted in slices so the extension host keeps
 * answering meanwhile; what lands on disk (and what a sort returns) must be exactly what the one-piece code gave.
 */
describe('caches written in slices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recurse-slices-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writeFileAtomic writes a list of parts as their concatenation (strings as UTF-8, thousands of parts, > 4 MB)', async () => {
    const parts: (string | Uint8Array)[] = [];
    for (let i = 0; i < 3000; i++) parts.push(i % 3 === 0 ? `part ${i} é 漢 😀\n` : Buffer.alloc(2048 + i, i % 251));
    const file = join(dir, 'parts.bin');
    await writeFileAtomic(file, parts);
    const expected = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    assert.ok(expected.length > 4 * 1024 * 1024);
    assert.ok(readFileSync(file).equals(expected));
  });

  it('the symbol cache written in slices has the same bytes as the one written in one go', async () => {
    const records = new Map<string, FileRecord>();
    const body = Buffer.from('[{"name":"fromBody"}]xyz', 'utf8');
    for (let i = 0; i < 5000; i++) {
      records.set(`src/dir${i % 37}/file${i}.c`, {
        language: 'c', version: 'v1', size: 100 + i, mtimeMs: 1_700_000_000_000 + i * 1.5, hash: `h${i}`, count: i % 4,
        data: i % 5 === 0 ? { body, off: 0, len: 21 } : `[{"name":"s${i}","kind":"function","note":"ü"}]`,
        ...(i % 97 === 0 ? { skipped: 'too-large' } : {}),
      });
    }
    const whole = join(dir, 'whole.cache');
    const sliced = join(dir, 'sliced.cache');
    saveCache(whole, records);
    const { turns } = await turnsDuring(() => saveCacheAsync(sliced, records));
    assert.ok(readFileSync(sliced).equals(readFileSync(whole)), 'same bytes');
    assert.ok(turns > 0, 'the event loop had turns while the cache was written');
  });

  it('the map snapshot header spans several parts and reads back as written, in path order', async () => {
    const files = new Map<string, SnapshotFile>();
    const next = random(7);
    for (let i = 0; i < 12_000; i++) {
      const signature = i % 3 === 0 ? Uint8Array.from({ length: 1 + (i % 50) }, (_, k) => (i + k) % 256) : undefined;
      files.set(`drivers/d${i % 211}/f${i}-é.c`, { size: Math.floor(next() * 1e6), mtimeMs: 1_600_000_000_000 + i + 0.25, status: i % 11 === 0 ? 3 : 0, lines: i % 900, ...(signature ? { signature } : {}) });
    }
    const takenAt = 1_700_000_000_000;
    const file = join(dir, 'snap.map');
    await writeSnapshot(file, '/root/of/tree', takenAt, files);
    const back = await readSnapshot(file, '/root/of/tree');
    assert.ok(back, 'readable');
    assert.equal(back.takenAt, takenAt);
    assert.deepEqual([...back.files.keys()], [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const [p, f] of files) {
      const b: SnapshotFile = back.files.get(p)!;
      assert.deepEqual({ ...b, signature: b.signature && [...b.signature] }, { ...f, signature: f.signature && [...f.signature] }, p);
    }
  });

  it('sortInSlices sorts as Array.prototype.sort does (stable, duplicates) and lets the event loop in', async () => {
    const next = random(42);
    const words = Array.from({ length: 60_000 }, () => `dir${Math.floor(next() * 300)}/f${Math.floor(next() * 5000)}.c`);
    const { value: sorted, turns } = await turnsDuring(() => sortInSlices(words, byCodeUnits));
    assert.deepEqual(sorted, [...words].sort());
    assert.ok(turns > 0, 'the event loop had turns while sorting');
    const records = words.map((w, i) => ({ key: w.length, i }));
    const stable = await sortInSlices(records, (a, b) => a.key - b.key);
    assert.deepEqual(stable, [...records].sort((a, b) => a.key - b.key));
    assert.deepEqual(await sortInSlices(['b', 'a'], byCodeUnits), ['a', 'b']);
    assert.deepEqual(await sortInSlices([], byCodeUnits), []);
  });

  it('the graph fingerprint changes with any file past the first run of lines, and is undefined for a racy file', async () => {
    const takenAt = 1_700_000_000_000;
    const files = Array.from({ length: 3000 }, (_, i) => ({ path: `src/f${i}.ts`, size: i, mtimeMs: 1_600_000_000_000 + i }));
    const a = await graphFingerprint(files, takenAt);
    assert.match(a ?? '', /^[0-9a-f]{64}$/);
    assert.equal(await graphFingerprint(files.map((f) => ({ ...f })), takenAt), a);
    const touched = files.map((f, i) => (i === 2500 ? { ...f, mtimeMs: f.mtimeMs + 1 } : f));
    assert.notEqual(await graphFingerprint(touched, takenAt), a);
    const renamed = files.map((f, i) => (i === 1800 ? { ...f, path: 'src/g.ts' } : f));
    assert.notEqual(await graphFingerprint(renamed, takenAt), a);
    assert.equal(await graphFingerprint([...files, { path: 'now.ts', size: 1, mtimeMs: takenAt }], takenAt), undefined);
  });

  it('an import resolver built in slices has the same tables as one built at once', async () => {
    const paths = ['include/linux/list.h', 'include/uapi/linux/types.h', 'arch/x86/include/asm/io.h', 'src/main.go', 'go.mod', 'pkg/util/util.go', 'a/b/C.java', 'x/y.py', 'x/__init__.py'];
    for (let i = 0; i < 5000; i++) paths.push(`drivers/d${i % 50}/include/h${i}.h`, `drivers/d${i % 50}/f${i}.c`);
    const config = readWorkspaceConfig(paths, (p) => (p === 'go.mod' ? 'module example.com/m\n' : undefined));
    const once = new ImportResolver(paths, config);
    const { value: sliced, turns } = await turnsDuring(() => ImportResolver.inSlices(paths, config));
    assert.deepEqual(sliced, once);
    assert.ok(turns > 0, 'the event loop had turns while the tables were built');
    assert.deepEqual(sliced.resolve('drivers/d3/f3.c', { k: 'include', l: 1, s: 'linux/list.h' }, 'c'), once.resolve('drivers/d3/f3.c', { k: 'include', l: 1, s: 'linux/list.h' }, 'c'));
  });
});
