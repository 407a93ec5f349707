import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FileMap } from '../../src/core/workspace/fileMap';
import { compilePattern, grep, grepText } from '../../src/core/workspace/grep';
import { requiredLiteral } from '../../src/core/workspace/patternLiteral';
import { buildSignature, literalTrigrams, mayContain } from '../../src/core/workspace/trigramFilter';
import { tempTree } from '../support/tempTree';


const where = (r: { matches: { path: string; line: number }[] }): string[] => r.matches.map((m) => `${m.path}:${m.line}`);

describe('grep', () => {
  const files = {
    'b.ts': 'const x = 1;\nfunction foo() {}\nfoo();\n',
    'a.ts': 'import { foo } from "./b";\n// FOO in caps\n',
    'src/c.py': 'def foo():\n    pass\n',
    'docs/readme.md': 'nothing here\n',
  };

  test('results are sorted by path then line, with filesSearched', async () => {
    const map = await FileMap.load(tempTree(files));
    const r = await grep(map, 'foo');
    assert.deepEqual(where(r), ['a.ts:1', 'b.ts:2', 'b.ts:3', 'src/c.py:1']);
    assert.equal(r.truncated, false);
    assert.equal(r.filesSearched, 4);
    assert.equal(r.matches[1].text, 'function foo() {}');
  });

  test('maxResults truncates and stops early; ignoreCase; glob', async () => {
    const map = await FileMap.load(tempTree(files));
    const r = await grep(map, 'foo', { maxResults: 2 });
    assert.deepEqual(where(r), ['a.ts:1', 'b.ts:2']);
    assert.equal(r.truncated, true);
    assert.equal(r.filesSearched, 2);
    const exact = await grep(map, 'foo', { maxResults: 4 });
    assert.equal(exact.truncated, false);
    assert.deepEqual(where(await grep(map, 'FOO')), ['a.ts:2']);
    assert.deepEqual(where(await grep(map, 'FOO', { ignoreCase: true })), ['a.ts:1', 'a.ts:2', 'b.ts:2', 'b.ts:3', 'src/c.py:1']);
    assert.deepEqual(where(await grep(map, { source: 'FOO', flags: 'i' }, { glob: '*.py' })), ['src/c.py:1']);
    assert.deepEqual(where(await grep(map, 'foo', { glob: 'src/**' })), ['src/c.py:1']);
  });

  test('context lines before and after', async () => {
    const map = FileMap.fromTexts({ 'f.txt': 'one\ntwo\nthree\nfour\nfive' });
    const r = await grep(map, 'three', { context: 2 });
    assert.deepEqual(r.matches, [{ path: 'f.txt', line: 3, text: 'three', before: ['one', 'two'], after: ['four', 'five'] }]);
    const edge = await grep(map, '^(one|five)$', { context: 1 });
    assert.deepEqual(edge.matches.map((m) => [m.before, m.after]), [[[], ['two']], [['four'], []]]);
    assert.equal((await grep(map, 'three')).matches[0].before, undefined);
  });

  test('invalid regex is a clear error', async () => {
    const map = FileMap.fromTexts({ 'f.txt': 'x' });
    await assert.rejects(grep(map, 'foo('), /^Error: invalid pattern: foo\(/);
    await assert.rejects(grep(map, { source: 'x', flags: 'q' }), /invalid pattern/);
  });

  test('long lines are trimmed around the match', async () => {
    const line = 'a'.repeat(1000) + 'NEEDLE' + 'b'.repeat(1000);
    const r = await grep(FileMap.fromTexts({ 'min.js': line }), 'NEEDLE');
    assert.ok(r.matches[0].text.length <= 302, String(r.matches[0].text.length));
    assert.ok(r.matches[0].text.includes('NEEDLE'));
  });

  test('line semantics: anchors, CRLF, empty lines, no match past the last line, lookarounds', () => {
    const text = 'alpha\r\nbeta\n\ngamma beta\n';
    const lines = (p: string, flags = ''): number[] => grepText(text, compilePattern({ source: p, flags })).matches.map((m) => m.line);
    assert.deepEqual(lines('^beta$'), [2]);
    assert.deepEqual(lines('a$'), [1, 2, 4]);
    assert.deepEqual(lines('^$'), [3]);
    assert.deepEqual(lines(''), [1, 2, 3, 4]);
    assert.deepEqual(lines('a\\s+b'), [4]); // never across a newline
    assert.deepEqual(lines('beta(?!\\s)'), [2, 4]);
    assert.deepEqual(lines('(?<=^)beta'), [2]);
    assert.deepEqual(lines('.', 's'), [1, 2, 4]);
    assert.equal(grepText(text, compilePattern('alpha')).matches[0].text, 'alpha');
    assert.deepEqual(grepText('', compilePattern('')).matches, []);
  });
});

describe('prefilter', () => {
  test('required literals are extracted conservatively', () => {
    assert.equal(requiredLiteral('spin_lock_irqsave'), 'spin_lock_irqsave');
    assert.equal(requiredLiteral('foo\\(bar'), 'foo(bar');
    assert.equal(requiredLiteral('colou?r_name'), 'r_name');
    assert.equal(requiredLiteral('ab+c'), 'ab');
    assert.equal(requiredLiteral('x{0,2}yz'), 'yz');
    assert.equal(requiredLiteral('\\bkmalloc\\s*\\('), 'kmalloc');
    assert.equal(requiredLiteral('a|b'), undefined);
    assert.equal(requiredLiteral('(foo|bar)baz'), 'baz');
    assert.equal(requiredLiteral('[abc]+'), undefined);
    assert.equal(requiredLiteral('\\x41\\u0042C'), 'C');
    assert.equal(requiredLiteral('[[]|foo'), undefined);
    assert.equal(requiredLiteral('abc[x]?|foo'), undefined);
  });

  test('the literal appears only in some files: same results as without a prefilter', async () => {
    const texts: Record<string, string> = {};
    for (let i = 0; i < 40; i++) texts[`f${String(i).padStart(2, '0')}.c`] = i % 7 === 0 ? `int x;\nspin_lock_irqsave(&l, flags); // ${i}\n` : `int y;\nspin_unlock(&l);\n`;
    const map = await FileMap.load(tempTree(texts));
    const r = await grep(map, 'spin_lock_\\w+\\(');
    assert.deepEqual(where(r), ['f00.c:2', 'f07.c:2', 'f14.c:2', 'f21.c:2', 'f28.c:2', 'f35.c:2']);
    const ci = await grep(map, 'SPIN_LOCK_IRQ', { ignoreCase: true });
    assert.deepEqual(where(ci), where(r));
    // A required literal that only shows up across a newline must not produce matches.
    assert.deepEqual(where(await grep(map, 'x;\\s+spin')), []);
  });

  test('a large workspace (worker scan) returns exactly what an in-memory map returns', async () => {
    const texts: Record<string, string> = {};
    for (let i = 0; i < 700; i++) {
      const body = [`// file ${i}`, 'const value = compute();', i % 97 === 0 ? `registerHandler('evt${i}', () => {});` : 'noop();', i % 250 === 3 ? 'Kelvin VALUE café' : 'end', ''];
      texts[`pkg${i % 9}/mod${String(i).padStart(3, '0')}.ts`] = body.join('\n');
    }
    const disk = await FileMap.load(tempTree(texts));
    const memory = FileMap.fromTexts(texts);
    assert.equal(disk.size, 700);
    const cases: [string | { source: string; flags?: string }, object][] = [
      ['registerHandler\\(\'evt\\d+', {}],
      ['value', { ignoreCase: true, maxResults: 5000 }],
      ['café$', {}],
      ['(?<=Kelvin )VALUE', {}],
      [{ source: 'kelvin', flags: 'iu' }, {}],
      ['const value', { maxResults: 10 }],
      ['^end$', { maxResults: 100000, glob: 'pkg3/**' }],
      ['no such text anywhere', {}],
    ];
    for (const [pattern, options] of cases) {
      const a = await grep(disk, pattern, options);
      const b = await grep(memory, pattern, options);
      assert.deepEqual(a, b, JSON.stringify(pattern));
    }
    assert.equal((await grep(disk, 'registerHandler')).matches.length, 8);

    // The load workers' signatures agree with the main thread's hash: every literal taken from a
    // file passes, an absent one is ruled out (without signatures everything would pass).
    const key = 'pkg7/mod097.ts'; // i = 97: holds a registerHandler line
    const text = texts[key];
    for (let i = 0; i + 12 <= text.length; i += 5) {
      assert.ok(disk.mayContain(key, literalTrigrams(Buffer.from(text.slice(i, i + 12)))), text.slice(i, i + 12));
    }
    assert.equal(disk.mayContain(key, literalTrigrams(Buffer.from('zq#unlikely_literal_42'))), false);
    assert.equal(disk.mayContain(key, literalTrigrams(Buffer.from('REGISTERHANDLER'))), true); // folded case
  });

  test('trigram signatures never rule out a contained literal', () => {
    const content = Buffer.from('int spin_lock_irqsave(spinlock_t *lock, unsigned long flags);\nstatic DEFINE_MUTEX(m);\n');
    const sig = buildSignature(content);
    for (let i = 0; i < content.length; i++) {
      for (let j = i + 3; j <= Math.min(content.length, i + 30); j++) assert.ok(mayContain(sig, literalTrigrams(content.subarray(i, j))));
    }
    assert.equal(mayContain(sig, literalTrigrams(Buffer.from('kmalloc'))), false);
    assert.equal(mayContain(sig, literalTrigrams(Buffer.from('ab'))), true); // too short to judge
    assert.equal(mayContain(undefined, literalTrigrams(Buffer.from('kmalloc'))), true);
    assert.equal(mayContain(buildSignature(Buffer.from('ab')), literalTrigrams(Buffer.from('abc'))), false);
  });

  test('an aborted grep rejects', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by user'));
    await assert.rejects(grep(FileMap.fromTexts({ a: 'x' }), 'x', { signal: controller.signal }), /cancelled by user/);
  });
});
