import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { grep, grepSync } from '../../src/core/workspace/grep';
import { ripgrepLinesSync } from '../../src/core/workspace/ripgrep';
import { type OutputParser, ripgrepOutput, ripgrepOutputSync } from '../../src/core/workspace/ripgrepOutput';
import { cliRipgrep } from '../../src/cli/ripgrepBinary';
import { tempTree } from '../support/tempTree';

/**
 * ripgrep's output as grep receives it (a private file on POSIX, capped; a pipe elsewhere), and ripgrep handed the
 * folders of a complete map: the same results as the in-process search, secrets never read, nothing left behind.
 */

const RG = cliRipgrep()!;
const ALL = 10_000_000;

/** A parser that keeps every byte it is handed, piece by piece (each piece ending at a line's end). */
function keeper(): { parse: OutputParser; bytes: () => Buffer; pieces: () => number } {
  const kept: Buffer[] = [];
  const parse: OutputParser = (out, from, to) => {
    const last = out.lastIndexOf(0x0a, to - 1);
    if (last < from) return from;
    kept.push(Buffer.from(out.subarray(from, last + 1)));
    return last + 1;
  };
  return { parse, bytes: () => Buffer.concat(kept), pieces: () => kept.length };
}

/** This process's output files still on disk. */
function leftovers(): string[] {
  const tmp = os.tmpdir();
  return fs
    .readdirSync(tmp)
    .filter((d) => d.startsWith('recurse-rg-'))
    .flatMap((d) => {
      try {
        return fs.readdirSync(path.join(tmp, d)).filter((f) => f.startsWith(`out-${process.pid}-`));
      } catch {
        return [];
      }
    });
}

describe('ripgrep output', () => {
  let root: string;
  before(() => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `line ${i} holds a NEEDLE`).join('\n');
    const long = `${'x'.repeat(3 << 20)} NEEDLE ${'y'.repeat(1000)}`;
    root = tempTree({ 'big.txt': `${lines}\n`, 'small.txt': 'one NEEDLE\nnothing\n', 'long.txt': `short NEEDLE\n${long}\nNEEDLE after\n` });
  });
  const args = (file: string) => ['--no-config', '--line-number', '--with-filename', '--null', '--fixed-strings', '--regexp', 'NEEDLE', '--', file];

  test('is what ripgrep prints, byte for byte, in pieces, sync and async', async () => {
    for (const file of ['big.txt', 'long.txt']) {
      const printed = spawnSync(RG, args(file), { cwd: root, maxBuffer: 1 << 26 }).stdout;
      assert.ok(printed.length > 2_000_000, file);
      const sync = keeper();
      assert.equal(ripgrepOutputSync(RG, args(file), root, 60_000, sync.parse), true);
      assert.ok(sync.bytes().equals(printed), file);
      const later = keeper();
      assert.equal(await ripgrepOutput(RG, args(file), root, later.parse), true);
      assert.ok(later.bytes().equals(printed), file);
      if (file === 'big.txt' && process.platform !== 'win32') assert.ok(sync.pieces() > 1, 'read back in pieces');
    }
    assert.deepEqual(leftovers(), [], 'every output file is deleted once read');
  });

  test('lines split across pieces come back whole, numbered', () => {
    const files = ['big.txt', 'long.txt'];
    const lines = ripgrepLinesSync(RG, ['--fixed-strings', '--regexp', 'NEEDLE'], { root, folders: [''], files }, 100_000);
    assert.ok(lines);
    const big = lines.get(0)!;
    assert.equal(big.length, 60_000);
    for (const k of [0, 1, 12_345, 29_999, 59_999]) {
      assert.equal(big.numbers[k], k + 1);
      assert.equal(big.text(k), `line ${k} holds a NEEDLE`);
    }
    const long = lines.get(1)!;
    assert.deepEqual(long.numbers, [1, 2, 3]);
    assert.equal(long.text(1).length, (3 << 20) + 1008);
    assert.equal(long.text(2), 'NEEDLE after');
  });

  test('a path holding a newline or a colon is read right', () => {
    const odd = tempTree({ 'odd\nname:1.ts': 'x\nNEEDLE: here\n', 'plain.ts': 'NEEDLE\n' });
    const files = ['odd\nname:1.ts', 'plain.ts'];
    const byName = ripgrepLinesSync(RG, ['--fixed-strings', '--regexp', 'NEEDLE'], files.map((rel) => ({ root: odd, rel })), 10);
    const byFolder = ripgrepLinesSync(RG, ['--fixed-strings', '--regexp', 'NEEDLE'], { root: odd, folders: [''], files }, 10);
    for (const lines of [byName, byFolder]) {
      assert.ok(lines);
      assert.deepEqual(lines.get(0)?.numbers, [2]);
      assert.equal(lines.get(0)?.text(0), 'NEEDLE: here');
      assert.deepEqual(lines.get(1)?.numbers, [1]);
    }
  });

  test('more than the cap is refused (ripgrep stopped), less passes', async () => {
    const cap = 64 * 1024;
    const started = Date.now();
    assert.equal(ripgrepOutputSync(RG, args('big.txt'), root, 60_000, keeper().parse, cap), false);
    assert.equal(await ripgrepOutput(RG, args('big.txt'), root, keeper().parse, undefined, cap), false);
    assert.ok(Date.now() - started < 10_000);
    const small = keeper();
    assert.equal(ripgrepOutputSync(RG, args('small.txt'), root, 60_000, small.parse, cap), true);
    assert.equal(small.bytes().toString(), 'small.txt\u00001:one NEEDLE\n');
    const later = keeper();
    assert.equal(await ripgrepOutput(RG, args('small.txt'), root, later.parse, undefined, cap), true);
    assert.equal(later.bytes().toString(), 'small.txt\u00001:one NEEDLE\n');
    assert.deepEqual(leftovers(), []);
  });

  test('output that makes no sense, or an abort, yields nothing', async () => {
    assert.equal(ripgrepOutputSync(RG, args('big.txt'), root, 60_000, () => -1), false);
    const controller = new AbortController();
    controller.abort();
    assert.equal(await ripgrepOutput(RG, args('big.txt'), root, keeper().parse, controller.signal), false);
    assert.deepEqual(leftovers(), []);
  });
});

describe('ripgrep handed the folders of a complete map', () => {
  let root: string;
  let map: FileMap;
  before(async () => {
    const files: Record<string, string | Buffer> = { '.gitignore': 'generated.txt\n' };
    for (let f = 0; f < 6; f++) {
      for (let i = 0; i < 400; i++) files[`pkg${f}/m${String(i).padStart(3, '0')}.ts`] = i % 3 === 0 ? `export const NEEDLE_${i} = ${f};\nother();\n` : `export const plain${i} = 0;\n`;
      if (f < 3) continue;
      // What the map leaves out, beside its files in the same folders (the first three folders are all the map's).
      files[`pkg${f}/.env`] = 'NEEDLE_SECRET=1\n';
      files[`pkg${f}/server.pem`] = 'NEEDLE in a key\n';
      files[`pkg${f}/generated.txt`] = 'NEEDLE generated\n';
      files[`pkg${f}/blob.bin`] = Buffer.concat([Buffer.from('NEEDLE\n'), Buffer.alloc(64), Buffer.from('NEEDLE\n')]);
    }
    root = tempTree(files);
    map = await FileMap.load(root, { ripgrep: RG, cacheBytes: 0 });
    assert.equal(map.size, 2400 + 1);
    assert.ok(map.hasSignatures);
  });

  test('finds exactly what the in-process search finds, sync and async', async () => {
    for (const pattern of ['NEEDLE', 'NEEDLE_\\d+ = [0-5]', 'export const']) {
      const plain = await grep(map, pattern, { maxResults: ALL, ripgrep: false });
      const picked = await grep(map, pattern, { maxResults: ALL, ripgrep: true });
      assert.equal(picked.ripgrep, true, pattern);
      assert.deepEqual(picked.matches, plain.matches, pattern);
      const sync = grepSync(map, pattern, { maxResults: ALL, ripgrep: true });
      assert.equal(sync.ripgrep, true, pattern);
      assert.deepEqual(sync.matches, plain.matches, pattern);
    }
    const found = grepSync(map, 'NEEDLE', { maxResults: ALL }).matches;
    assert.equal(found.length, 6 * 134);
    assert.ok(found.every((m) => /^pkg\d\/m\d{3}\.ts$/.test(m.path)), 'no secret, ignored or binary file');
    assert.deepEqual(leftovers(), []);
  });

  test('a search of (nearly) every file hands ripgrep the whole listing: folders, and the left-out folders\' files by name', async () => {
    let listing = map.listingFolders();
    for (let i = 0; i < 100 && !listing; i++) listing = (await new Promise((r) => setTimeout(r, 10)), map.listingFolders());
    assert.ok(listing, 'the listing is worked out after the load');
    assert.deepEqual([...listing.folders].sort(), ['', 'pkg0', 'pkg1', 'pkg2']);
    assert.equal(listing.named?.length, 1200);
    assert.ok(listing.named!.every((rel) => /^pkg[345]\/m\d{3}\.ts$/.test(rel)));
    const unsaved = 'pkg4/m001.ts';
    assert.ok(map.setUnsaved(unsaved, 'export const typed = NEEDLE_TYPED;\n'));
    try {
      for (const pattern of ['export const', 'const \\w+ = ', 'NEEDLE']) {
        const plain = await grep(map, pattern, { maxResults: ALL, ripgrep: false });
        const picked = await grep(map, pattern, { maxResults: ALL, ripgrep: true });
        assert.equal(picked.ripgrep, true, pattern);
        assert.deepEqual(picked.matches, plain.matches, pattern);
        assert.deepEqual(grepSync(map, pattern, { maxResults: ALL, ripgrep: true }).matches, plain.matches, `sync ${pattern}`);
      }
      const typed = grepSync(map, 'export const', { maxResults: ALL, ripgrep: true }).matches.filter((m) => m.path === unsaved);
      assert.deepEqual(typed.map((m) => m.text), ['export const typed = NEEDLE_TYPED;'], 'the editor\'s text, not the saved file');
      assert.equal(grepSync(map, 'NEEDLE', { maxResults: ALL }).matches.filter((m) => !/^pkg\d\/m\d{3}\.ts$/.test(m.path)).length, 0);
    } finally {
      map.setUnsaved(unsaved, undefined);
    }
  });

  test('ripgrep does not even read the secrets in those folders', () => {
    const files = ['pkg3/.env', 'pkg3/server.pem', 'pkg3/m000.ts'];
    const lines = ripgrepLinesSync(RG, ['--fixed-strings', '--regexp', 'NEEDLE'], { root, folders: ['pkg3'], files }, 10);
    assert.ok(lines);
    assert.deepEqual([...lines.keys()], [2], 'only the source file has lines');
  });
});
