import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { GrepOptions, compilePattern, grep, grepSync } from '../../src/core/workspace/grep';

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** Writes thousands of files quickly: each directory created once, sync writes. */
function bigTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-grepsync-'));
  roots.push(root);
  for (const dir of new Set(Object.keys(files).map((rel) => path.dirname(path.join(root, rel))))) fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(root, rel), content);
  return root;
}

let shared: { texts: Record<string, string>; disk: Promise<FileMap> } | undefined;
/** The corpus, on disk once for the whole file. */
function sharedCorpus(): { texts: Record<string, string>; disk: Promise<FileMap> } {
  if (!shared) {
    const texts = corpus();
    shared = { texts, disk: FileMap.load(bigTree(texts)) };
  }
  return shared;
}

/** ~1,200 C-like files: enough for several worker chunks, with matches spread across them. */
function corpus(): Record<string, string> {
  const texts: Record<string, string> = {};
  for (let i = 0; i < 1200; i++) {
    const lines = [
      `/* file ${i} */`,
      '#include <linux/module.h>',
      i % 3 === 0 ? `static int driver${i}_init(void)` : `static void helper${i}(void)`,
      '{',
      i % 5 === 0 ? '\tspin_lock_irqsave(&lock, flags);' : '\treturn;',
      i % 11 === 0 ? '\tif (err != nil) { TODO: fix }' : '\tx++;',
      i % 400 === 7 ? 'Kelvin VALUE café' : '}',
      '',
    ];
    texts[`drivers/d${i % 13}/f${String(i).padStart(4, '0')}.c`] = lines.join(i % 17 === 0 ? '\r\n' : '\n');
  }
  return texts;
}

describe('grepSync', () => {
  test('returns exactly what grep returns, on disk (worker chunks) and in memory', async () => {
    const { texts } = sharedCorpus();
    const disk = await sharedCorpus().disk;
    const memory = FileMap.fromTexts(texts);
    assert.equal(disk.size, 1200);
    const cases: [string | { source: string; flags?: string }, GrepOptions][] = [
      ['static\\s+int\\s+\\w+_init\\(', { maxResults: 100000 }],
      ['spin_lock_irqsave', { maxResults: 100000, context: 2 }],
      ['spin_lock_irqsave', { maxResults: 37 }], // stops inside a worker chunk
      ['static', { maxResults: 300 }], // exactly one chunk's worth and more
      ['err != nil', { maxResults: 100000 }],
      ['todo', { ignoreCase: true, maxResults: 100000 }],
      [{ source: 'kelvin', flags: 'iu' }, {}],
      ['(?<=Kelvin )VALUE', {}],
      ['café$', {}],
      ['^\\}$', { maxResults: 100000, glob: 'drivers/d3/**' }],
      ['^\\{$', { maxResults: 1000, context: 1 }],
      ['x\\+\\+;\\s+\\}', {}], // the literals only meet across a newline: no match
      ['no such text anywhere', {}],
    ];
    for (const [pattern, options] of cases) {
      const label = JSON.stringify([pattern, options]);
      const async = await grep(disk, pattern, options);
      assert.deepEqual(grepSync(disk, pattern, options), async, label);
      assert.deepEqual(grepSync(memory, pattern, options), async, label);
      assert.equal(async.timedOut, undefined, label);
    }
    const all = grepSync(disk, 'static\\s+int\\s+\\w+_init\\(', { maxResults: 100000 });
    assert.equal(all.matches.length, 400);
    assert.deepEqual(all.matches[1], { path: 'drivers/d0/f0039.c', line: 3, text: 'static int driver39_init(void)' });
    const cut = grepSync(disk, 'spin_lock_irqsave', { maxResults: 37 });
    assert.deepEqual([cut.matches.length, cut.truncated], [37, true]);
    const ctx = grepSync(disk, 'spin_lock_irqsave', { maxResults: 1, context: 2 });
    assert.deepEqual(ctx.matches[0].before, ['static int driver0_init(void)', '{']);
    assert.deepEqual(ctx.matches[0].after, ['\tif (err != nil) { TODO: fix }', '}']);
  });

  test('invalid patterns are the same clear error', async () => {
    const map = FileMap.fromTexts({ 'a.txt': 'x' });
    assert.throws(() => grepSync(map, 'foo('), /^Error: invalid pattern: foo\(/);
    await assert.rejects(grep(map, 'foo('), /^Error: invalid pattern: foo\(/);
  });

  test('the rarest required literal is the byte prefilter', () => {
    assert.equal(compilePattern('static\\s+int\\s+\\w+_init\\(').literal?.text, '_init(');
    assert.equal(compilePattern('\\bkmalloc\\s*\\(').literal?.text, 'kmalloc');
    assert.equal(compilePattern('a|b').literal, undefined);
  });
});

describe('grep timeout', () => {
  test('an expired timeout returns what was found, marked truncated and timedOut', async () => {
    const disk = await sharedCorpus().disk;
    for (const result of [grepSync(disk, 'static', { timeoutMs: 0 }), await grep(disk, 'static', { timeoutMs: 0 })]) {
      assert.deepEqual(result, { matches: [], truncated: true, filesSearched: 0, timedOut: true });
    }
    const generous = await grep(disk, 'static', { timeoutMs: 60_000, maxResults: 100000 });
    assert.deepEqual([generous.matches.length, generous.truncated, generous.timedOut], [1200, false, undefined]);
  });

  test('a runaway grepSync stops near its deadline with the matches so far', () => {
    // Each file holds one match and one line on which this regex backtracks for milliseconds.
    const texts: Record<string, string> = {};
    for (let i = 0; i < 400; i++) texts[`f${String(i).padStart(3, '0')}.txt`] = `ab\n${'a'.repeat(17)}c\n`;
    const map = FileMap.fromTexts(texts);
    const started = Date.now();
    const r = grepSync(map, '(a+)+b', { timeoutMs: 60, maxResults: 1000 });
    const elapsed = Date.now() - started;
    assert.equal(r.timedOut, true);
    assert.equal(r.truncated, true);
    assert.ok(r.filesSearched > 0 && r.filesSearched < 400, String(r.filesSearched));
    assert.equal(r.matches.length, r.filesSearched);
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  });
});
