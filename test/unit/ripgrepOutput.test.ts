import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { grep, grepSync } from '../../src/core/workspace/grep';
import { ripgrepLinesSync } from '../../src/core/workspace/ripgrep';
import { ripgrepOutput, ripgrepOutputSync } from '../../src/core/workspace/ripgrepOutput';
import { cliRipgrep } from '../../src/cli/ripgrepBinary';
import { tempTree } from '../support/tempTree';

/**
 * ripgrep's output as grep receives it (a private file on POSIX, capped; a pipe elsewhere), and ripgrep handed the
 * folders of a complete map: the same results as the in-process search, secrets never read, nothing left behind.
 */

const RG = cliRipgrep()!;
const ALL = 10_000_000;

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
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} holds a NEEDLE`).join('\n');
    root = tempTree({ 'big.txt': `${lines}\n`, 'small.txt': 'one NEEDLE\nnothing\n' });
  });
  const args = (file: string) => ['--no-config', '--line-number', '--with-filename', '--null', '--fixed-strings', '--regexp', 'NEEDLE', '--', file];

  test('is what ripgrep prints, byte for byte, sync and async', async () => {
    const printed = spawnSync(RG, args('big.txt'), { cwd: root, maxBuffer: 1 << 26 }).stdout;
    assert.ok(printed.length > 400_000);
    const sync = ripgrepOutputSync(RG, args('big.txt'), root, 60_000);
    assert.equal(sync?.status, 0);
    assert.ok(sync!.stdout.equals(printed));
    const later = await ripgrepOutput(RG, args('big.txt'), root);
    assert.equal(later?.status, 0);
    assert.ok(later!.stdout.equals(printed));
    assert.deepEqual(leftovers(), [], 'every output file is deleted once read');
  });

  test('more than the cap is refused (ripgrep stopped), less passes', async () => {
    const cap = 64 * 1024;
    const started = Date.now();
    assert.equal(ripgrepOutputSync(RG, args('big.txt'), root, 60_000, cap), undefined);
    assert.equal(await ripgrepOutput(RG, args('big.txt'), root, undefined, cap), undefined);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(ripgrepOutputSync(RG, args('small.txt'), root, 60_000, cap)?.stdout.toString(), 'small.txt\u00001:one NEEDLE\n');
    assert.equal((await ripgrepOutput(RG, args('small.txt'), root, undefined, cap))?.stdout.toString(), 'small.txt\u00001:one NEEDLE\n');
    assert.deepEqual(leftovers(), []);
  });

  test('an abort stops ripgrep and yields nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(await ripgrepOutput(RG, args('big.txt'), root, controller.signal), undefined);
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

  test('ripgrep does not even read the secrets in those folders', () => {
    const files = ['pkg3/.env', 'pkg3/server.pem', 'pkg3/m000.ts'];
    const lines = ripgrepLinesSync(RG, ['--fixed-strings', '--regexp', 'NEEDLE'], { root, folders: ['pkg3'], files }, 10);
    assert.ok(lines);
    assert.deepEqual([...lines.keys()], [2], 'only the source file has lines');
  });
});
