import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { ContentCache } from '../../src/core/workspace/contentCache';
import { buildMetadata } from '../../src/core/workspace/metadata';
import { detectLanguage } from '../../src/core/workspace/language';
import { tempTree } from '../support/tempTree';


const numbered = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('FileMap access', () => {
  test('resolve normalizes input and rejects escapes, outside paths and unknown files', async () => {
    const root = tempTree({ 'src/a.ts': 'a', 'README.md': 'r' });
    const map = await FileMap.load(root);
    for (const input of ['src/a.ts', './src//a.ts', 'src\\a.ts', ' src/a.ts ', 'src/../src/a.ts', path.join(root, 'src', 'a.ts')]) {
      assert.equal(map.resolve(input), 'src/a.ts', input);
    }
    for (const input of ['../src/a.ts', 'src/../../a.ts', '/etc/passwd', path.join(path.dirname(root), 'src/a.ts'), root, 'src', 'nope.ts', '']) {
      assert.equal(map.resolve(input), undefined, input);
    }
    await assert.rejects(map.readText('../x'), { message: 'not in workspace: ../x' });
    assert.equal(map.get('./README.md')?.lines, 1);
  });

  test('readLines is 1-based, inclusive, clamped, 200 lines by default', async () => {
    const map = await FileMap.load(tempTree({ 'big.txt': numbered(450), 'short.txt': 'x\ny', 'empty.txt': '' }));
    const first = await map.readLines('big.txt');
    assert.deepEqual([first.start, first.end, first.total], [1, 200, 450]);
    assert.equal(first.text.split('\n')[199], 'line 200');
    assert.deepEqual(await map.readLines('big.txt', 10, 12), { text: 'line 10\nline 11\nline 12', start: 10, end: 12, total: 450 });
    assert.deepEqual(await map.readLines('big.txt', 449, 10_000), { text: 'line 449\nline 450', start: 449, end: 450, total: 450 });
    assert.deepEqual(await map.readLines('big.txt', -5, 1), { text: 'line 1', start: 1, end: 1, total: 450 });
    assert.deepEqual(await map.readLines('big.txt', 900), { text: 'line 450', start: 450, end: 450, total: 450 });
    assert.deepEqual(await map.readLines('big.txt', 5, 2), { text: 'line 5', start: 5, end: 5, total: 450 });
    assert.deepEqual(await map.readLines('short.txt'), { text: 'x\ny', start: 1, end: 2, total: 2 });
    assert.deepEqual(await map.readLines('empty.txt'), { text: '', start: 0, end: 0, total: 0 });
  });

  test('readTextSync and readLinesSync answer exactly like the async versions, through the same cache', async () => {
    const bad = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const root = tempTree({ 'big.txt': numbered(450), 'short.txt': 'x\ny', 'empty.txt': '', 'crlf.txt': 'a\r\nb\r\n' });
    fs.writeFileSync(path.join(root, 'bad.txt'), bad);
    const map = await FileMap.load(root);
    const ranges: [string, number?, number?][] = [['big.txt'], ['big.txt', 10, 12], ['big.txt', 449, 10_000], ['big.txt', -5, 1], ['big.txt', 900], ['big.txt', 5, 2], ['short.txt'], ['empty.txt'], ['crlf.txt', 2], ['bad.txt']];
    for (const [p, s, e] of ranges) {
      const sync = map.readLinesSync(p, s, e);
      map.cache.clear();
      assert.deepEqual(sync, await map.readLines(p, s, e), `${p} ${s} ${e}`);
    }
    assert.equal(map.readTextSync('bad.txt'), 'ok\n\uFFFD\uFFFD\n');
    assert.equal(map.readLinesSync('big.txt').end, 200);

    // Through the cache: a cached text is served without touching the disk.
    map.cache.clear();
    assert.equal(map.readTextSync('./short.txt'), 'x\ny');
    assert.equal(map.cache.has('short.txt'), true);
    fs.writeFileSync(path.join(root, 'short.txt'), 'changed');
    assert.equal(map.readTextSync('short.txt'), 'x\ny');
    map.cache.clear();
    assert.equal(map.readTextSync('short.txt'), 'changed');

    assert.throws(() => map.readTextSync('../x'), { message: 'not in workspace: ../x' });
    assert.throws(() => map.readLinesSync('nope.txt'), { message: 'not in workspace: nope.txt' });
    fs.rmSync(path.join(root, 'empty.txt'));
    assert.throws(() => map.readTextSync('empty.txt'), { message: 'cannot read empty.txt: ENOENT' });
    fs.writeFileSync(path.join(root, 'big.txt'), 'x'.repeat(map.maxFileBytes + 1));
    map.cache.clear();
    assert.throws(() => map.readTextSync('big.txt'), /file grew past the size cap/);

    const virtual = FileMap.fromTexts({ 'notes/a.md': '# A\nbody\n' });
    assert.equal(virtual.readTextSync('notes/a.md'), '# A\nbody\n');
    assert.deepEqual(virtual.readLinesSync('notes/a.md', 2), { text: 'body', start: 2, end: 2, total: 2 });
  });

  test('files(glob): picomatch with dot files; a bare glob matches basenames', async () => {
    const map = await FileMap.load(tempTree({ 'a.ts': '', 'src/b.ts': '', 'src/deep/c.ts': '', 'src/d.js': '', '.github/x.yml': '', 'test/e.test.ts': '' }));
    const names = (glob?: string): string[] => map.files(glob).map((f) => f.path);
    assert.deepEqual(names('*.ts'), ['a.ts', 'src/b.ts', 'src/deep/c.ts', 'test/e.test.ts']);
    assert.deepEqual(names('src/*.ts'), ['src/b.ts']);
    assert.deepEqual(names('src/**/*.ts'), ['src/b.ts', 'src/deep/c.ts']);
    assert.deepEqual(names('**/*.yml'), ['.github/x.yml']);
    assert.deepEqual(names('{src,test}/*.{js,ts}'), ['src/b.ts', 'src/d.js', 'test/e.test.ts']);
    assert.equal(names().length, 6);
    assert.deepEqual(names('*.rs'), []);
  });

  test('subset keeps existing entries only and shares the cache', async () => {
    const map = await FileMap.load(tempTree({ 'a.ts': 'A', 'b.ts': 'B', 'c.ts': 'C' }));
    const sub = map.subset(['c.ts', './a.ts', 'missing.ts', '../b.ts']);
    assert.deepEqual(sub.files().map((f) => f.path), ['a.ts', 'c.ts']);
    assert.equal(sub.resolve('b.ts'), undefined);
    await assert.rejects(sub.readText('b.ts'), /not in workspace: b\.ts/);
    assert.equal(await sub.readText('a.ts'), 'A');
    assert.equal(map.cache.has('a.ts'), true);
    assert.equal(sub.cache, map.cache);
  });

  test('fromTexts builds a virtual map', async () => {
    const map = FileMap.fromTexts({ 'notes/a.md': '# A\nbody\n', './b.txt': 'b', '.env': 'X=1' }, 'pasted');
    assert.deepEqual(map.files(), [
      { path: 'b.txt', size: 1, lines: 1, language: 'text' },
      { path: 'notes/a.md', size: 9, lines: 2, language: 'markdown' },
    ]);
    assert.equal(map.root, 'pasted');
    assert.equal(map.skipped.counts.secret, 1);
    assert.equal(await map.readText('notes/a.md'), '# A\nbody\n');
    assert.equal((await map.readLines('notes/a.md', 2)).text, 'body');
    assert.equal(map.resolve('/notes/a.md'), undefined);
  });
});

describe('content cache', () => {
  test('LRU eviction keeps the total under the budget', () => {
    const cache = new ContentCache(10);
    cache.set('a', '1234');
    cache.set('b', '1234');
    cache.get('a'); // a is now the most recent
    cache.set('c', '1234');
    assert.equal(cache.has('b'), false);
    assert.equal(cache.has('a') && cache.has('c'), true);
    assert.equal(cache.usedBytes, 8);
    cache.set('huge', 'x'.repeat(11));
    assert.equal(cache.has('huge'), false);
    cache.set('a', '1');
    assert.equal(cache.usedBytes, 5);
  });

  test('a map reading many files never holds more than cacheBytes', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}.txt`] = String(i % 10).repeat(1000);
    const map = await FileMap.load(tempTree(files), { cacheBytes: 3500 });
    for (let i = 0; i < 20; i++) assert.equal(await map.readText(`f${i}.txt`), String(i % 10).repeat(1000));
    assert.ok(map.cache.usedBytes <= 3500, String(map.cache.usedBytes));
    assert.equal(map.cache.entries, 3);
    assert.ok(map.cache.has('f19.txt') && !map.cache.has('f0.txt'));
  });
});

describe('metadata and tree', () => {
  test('metadata summarizes languages, outline and skips', async () => {
    const root = tempTree({
      'src/a.ts': 'a\nb\n',
      'src/b.ts': 'c\n',
      'lib/c.py': 'x\n',
      'README.md': '# r\n',
      '.env': 'S=1',
      '.gitignore': 'dist/\n',
      'dist/x.js': '',
    });
    const meta = buildMetadata(await FileMap.load(root));
    assert.equal(meta.root, path.basename(root));
    assert.equal(meta.files, 5);
    assert.equal(meta.lines, 6);
    assert.equal(meta.bytes, 4 + 2 + 2 + 4 + 6);
    assert.deepEqual(meta.languages[0], { language: 'typescript', files: 2, lines: 3 });
    assert.equal(meta.outline, 'lib/ (1)\nsrc/ (2)\n(root files: 2)');
    assert.deepEqual(meta.skipped, { secret: 1, ignored: 1 });
  });

  test('metadata size does not grow with the repository', async () => {
    const small: Record<string, string> = {};
    for (let i = 0; i < 10; i++) small[`src/f${i}.ts`] = 'x\n';
    const large: Record<string, string> = {};
    const exts = ['ts', 'js', 'py', 'go', 'rs', 'java', 'c', 'cpp', 'cs', 'rb', 'php', 'swift', 'kt', 'scala', 'sh', 'md', 'json', 'yaml', 'toml', 'html', 'css', 'sql', 'txt', 'lua', 'dart'];
    for (let i = 0; i < 5000; i++) large[`top-level-dir-${i % 250}/sub/f${i}.${exts[i % exts.length]}`] = 'x\n';
    const a = JSON.stringify(buildMetadata(await FileMap.load(tempTree(small))));
    const bigMeta = buildMetadata(await FileMap.load(tempTree(large)));
    const b = JSON.stringify(bigMeta);
    assert.ok(a.length < 4096 && b.length < 4096, `${a.length} / ${b.length}`);
    assert.equal(bigMeta.files, 5000);
    assert.equal(bigMeta.languages.length, 16);
    assert.equal(bigMeta.languages[15].language, 'other');
    assert.equal(bigMeta.languages.reduce((n, l) => n + l.files, 0), 5000);
    assert.match(bigMeta.outline, /… 2\d\d more$/);
  });

  test('tree shows directories with file counts, to a depth, capped', async () => {
    const files: Record<string, string> = { 'README.md': '', 'src/a.ts': '', 'src/core/b.ts': '', 'src/core/deep/c.ts': '', 'test/t.ts': '' };
    const map = await FileMap.load(tempTree(files));
    assert.equal(map.tree(), ['./ (5 files)', '  src/ (3 files)', '    core/ (2 files)', '    a.ts', '  test/ (1 file)', '    t.ts', '  README.md'].join('\n'));
    assert.equal(map.tree('src', 1), ['src/ (3 files)', '  core/ (2 files)', '  a.ts'].join('\n'));
    assert.equal(map.tree('./src/core/', 5), ['src/core/ (2 files)', '  deep/ (1 file)', '    c.ts', '  b.ts'].join('\n'));
    assert.throws(() => map.tree('nope'), /not a directory in workspace: nope/);

    const many: Record<string, string> = {};
    for (let i = 0; i < 400; i++) many[`d/f${String(i).padStart(3, '0')}.txt`] = '';
    const capped = (await FileMap.load(tempTree(many))).tree('', 2).split('\n');
    assert.equal(capped.length, 301);
    assert.equal(capped[300], '… 102 more');
  });

  test('language detection', () => {
    const cases: Record<string, string> = {
      'a.ts': 'typescript', 'a.tsx': 'typescript', 'a.mjs': 'javascript', 'a.py': 'python', 'a.go': 'go', 'a.rs': 'rust',
      'A.java': 'java', 'a.h': 'c', 'a.hpp': 'cpp', 'a.cs': 'csharp', 'a.rb': 'ruby', 'a.php': 'php', 'a.swift': 'swift',
      'a.kt': 'kotlin', 'a.scala': 'scala', 'a.sh': 'shell', 'README.md': 'markdown', 'a.json': 'json', 'a.yml': 'yaml',
      'Cargo.toml': 'toml', 'a.html': 'html', 'a.css': 'css', 'a.sql': 'sql', 'Makefile': 'makefile', 'x/Dockerfile': 'dockerfile',
      'notes.txt': 'text', 'blob.xyz': 'other', 'noext': 'other',
    };
    for (const [p, lang] of Object.entries(cases)) assert.equal(detectLanguage(p), lang, p);
  });
});
