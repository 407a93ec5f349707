import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transformCell, MAX_NESTING } from '../../src/core/sandbox/cellTransform';
import { truncateMiddle } from '../../src/core/sandbox/truncate';
import { OutputBuffer } from '../../src/core/sandbox/outputBuffer';

const lines = (s: string) => s.split('\n').length;

test('transformCell rewrites top-level declarations into globals and keeps line numbers', () => {
  const code = 'const a = 1,\n  b = 2;\nlet { c, d: [e] } = obj;\nclass K {}\nfunction f() {}\nvar v;\nf()';
  const r = transformCell(code, new Set());
  assert.ok(r.ok);
  assert.deepEqual(r.declared.sort(), ['K', 'a', 'b', 'c', 'e', 'f', 'v']);
  // one extra line for the wrapper's closing
  assert.equal(lines(r.code), lines(code) + 1);
  assert.ok(r.code.startsWith('(async function () {globalThis.f = f;'));
  assert.match(r.code, /return \(f\(\)\)/);
  assert.doesNotMatch(r.code, /\bconst\b|\blet\b/);
  // the result must itself be valid JavaScript
  assert.doesNotThrow(() => new Function(r.code));
});

test('transformCell leaves nested declarations alone', () => {
  const r = transformCell('for (let i = 0; i < 2; i++) { const inner = i }\nif (x) { let y = 1 }', new Set());
  assert.ok(r.ok);
  assert.deepEqual(r.declared, []);
  assert.match(r.code, /let i = 0/);
  assert.match(r.code, /const inner = i/);
});

test('transformCell reports syntax errors with their line', () => {
  const r = transformCell('ok();\n\nlet = ;', new Set());
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.name, 'SyntaxError');
    assert.equal(r.error.line, 3);
    assert.doesNotMatch(r.error.message, /\(\d+:\d+\)/);
  }
});

test('transformCell refuses redeclaring a reserved name and over-deep nesting', () => {
  const reserved = transformCell('const x = 1;\nconst grep = 2', new Set(['grep']));
  assert.equal(reserved.ok, false);
  if (!reserved.ok) assert.equal(reserved.error.line, 2);
  const deep = transformCell('['.repeat(MAX_NESTING + 1) + ']'.repeat(MAX_NESTING + 1), new Set());
  assert.equal(deep.ok, false);
  if (!deep.ok) assert.match(deep.error.message, /nested too deeply/);
  // brackets inside strings and comments do not count
  const quoted = transformCell(`const s = "${'('.repeat(1000)}" // ${'['.repeat(1000)}`, new Set());
  assert.ok(quoted.ok);
});

test('transformCell accepts top-level await and return', () => {
  const r = transformCell('const v = await load();\nif (!v) return 1;\nv', new Set());
  assert.ok(r.ok);
});

test('truncateMiddle keeps head and tail within the limit', () => {
  assert.deepEqual(truncateMiddle('short', 10), { text: 'short', omitted: 0 });
  const text = 'A'.repeat(500) + 'B'.repeat(500);
  const r = truncateMiddle(text, 200);
  assert.ok(r.text.length <= 200);
  assert.ok(r.text.startsWith('AAA'));
  assert.ok(r.text.endsWith('BBB'));
  assert.match(r.text, new RegExp(`… ${r.omitted} chars omitted …`));
  assert.equal(r.text.length - r.text.match(/\n… \d+ chars omitted …\n/)![0].length + r.omitted, text.length);
  // never splits a surrogate pair
  const emoji = '😀'.repeat(300);
  const e = truncateMiddle(emoji, 101);
  assert.doesNotMatch(e.text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
});

test('OutputBuffer streams huge output with bounded memory and matches truncateMiddle', () => {
  const chunks = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`);
  const buffer = new OutputBuffer(300);
  for (const c of chunks) buffer.append(c);
  const streamed = buffer.finish();
  const whole = truncateMiddle(chunks.join(''), 300);
  assert.equal(streamed.truncated, true);
  assert.equal(streamed.text, whole.text);
  const small = new OutputBuffer(300);
  small.append('a\n');
  small.append('b\n');
  assert.deepEqual(small.finish(), { text: 'a\nb\n', truncated: false });
});

test('transformCell awaits a helper’s asynchronous twin wherever the cell may await, and nowhere else', () => {
  const awaited = { grep: '__grep_async' };
  const code = [
    'const hits = grep(/a/, { maxResults: 5 }).map((m) => m.path);',
    'const inSync = files().map((f) => grep(f.path));',
    'async function later(x = grep("d")) { return grep("e").length; }',
    'class K { field = grep("f"); async m() { return grep("g"); } }',
    'const maybe = grep?.("h");',
    'grep("i")',
  ].join('\n');
  const r = transformCell(code, new Set(), awaited);
  assert.ok(r.ok);
  assert.equal(lines(r.code), lines(code) + 1);
  assert.doesNotThrow(() => new Function(r.code));
  assert.match(r.code, /\(hits = \(await __grep_async\(\/a\/, \{ maxResults: 5 \}\)\)\.map/);
  assert.match(r.code, /files\(\)\.map\(\(f\) => grep\(f\.path\)\)/, 'a plain arrow cannot await');
  assert.match(r.code, /x = grep\("d"\)/, 'nor a parameter default');
  assert.match(r.code, /return \(await __grep_async\("e"\)\)\.length/);
  assert.match(r.code, /field = grep\("f"\)/, 'nor a class field');
  assert.match(r.code, /async m\(\) \{ return \(await __grep_async\("g"\)\); \}/);
  assert.match(r.code, /grep\?\.\("h"\)/);
  assert.match(r.code, /return \(\(await __grep_async\("i"\)\)\)/, 'the cell’s value');

  // A cell that binds the name itself (here a parameter) keeps its own meaning for it.
  const shadowed = transformCell('const r = grep("a");\nfunction g(grep) { return grep; }', new Set(), awaited);
  assert.ok(shadowed.ok);
  assert.doesNotMatch(shadowed.code, /__grep_async/);
});
