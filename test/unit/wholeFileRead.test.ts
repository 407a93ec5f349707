import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { prefetchFiles, readWholeFile } from '../../src/core/wholeFileRead';

describe('whole-file reads and prefetches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recurse-whole-read-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Replaced the way the caches are written: a new file renamed over the old one. */
  const replace = (file: string, data: Buffer | string): void => {
    writeFileSync(`${file}.tmp`, data);
    renameSync(`${file}.tmp`, file);
  };

  it('reads a large file whole, in pieces', async () => {
    const file = join(dir, 'large.bin');
    const data = randomBytes(17 * 1024 * 1024 + 123);
    writeFileSync(file, data);
    assert.ok((await readWholeFile(file)).equals(data));
  });

  it('hands a prefetched read out once; the next read sees the file as it is now', async () => {
    const file = join(dir, 'cache.json');
    replace(file, 'first');
    await prefetchFiles([file]);
    replace(file, 'second');
    assert.equal((await readWholeFile(file)).toString(), 'first', 'the read started before the rewrite');
    assert.equal((await readWholeFile(file)).toString(), 'second');
    assert.equal((await readWholeFile(file)).toString(), 'second');
  });

  it('does not prefetch a file that was already read (nobody would take it)', async () => {
    const file = join(dir, 'asked.json');
    replace(file, 'old');
    assert.equal((await readWholeFile(file)).toString(), 'old');
    await prefetchFiles([file]);
    replace(file, 'new');
    assert.equal((await readWholeFile(file)).toString(), 'new');
  });

  it('a missing file: the prefetch settles quietly, the read that takes it fails with the error', async () => {
    const file = join(dir, 'missing.json');
    await prefetchFiles([file]);
    await assert.rejects(readWholeFile(file), { code: 'ENOENT' });
  });
});
