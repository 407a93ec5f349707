import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FileMap } from '../../src/core/workspace/fileMap';
import { CodeSymbol, SymbolIndex, indexedLanguage } from '../../src/core/index/symbols/symbolIndex';
import { cacheFile, readCache } from '../../src/core/index/symbols/symbolCache';
import { CodeIndex, type Reference } from '../../src/core/index/codeIndex';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/langs');
const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-symbols-'));
  temps.push(dir);
  return dir;
}

// [file, name, kind, line, container] for every definition in test/fixtures/langs.
const EXPECTED: [string, string, string, number, string][] = [
  ['Sample.cs', 'App.Models', 'module', 1, ''],
  ['Sample.cs', 'IShape', 'interface', 3, 'App.Models'],
  ['Sample.cs', 'Area', 'method', 5, 'IShape'],
  ['Sample.cs', 'Circle', 'class', 8, 'App.Models'],
  ['Sample.cs', 'Radius', 'variable', 10, 'Circle'],
  ['Sample.cs', 'Area', 'method', 12, 'Circle'],
  ['Sample.cs', 'Point', 'struct', 15, 'App.Models'],
  ['Sample.cs', 'Kind', 'enum', 17, 'App.Models'],
  ['Sample.cs', 'A', 'constant', 17, 'Kind'],
  ['Sample.cs', 'B', 'constant', 17, 'Kind'],
  ['Sample.java', 'com.example', 'module', 1, ''],
  ['Sample.java', 'Sample', 'class', 3, ''],
  ['Sample.java', 'LIMIT', 'constant', 4, 'Sample'],
  ['Sample.java', 'name', 'variable', 5, 'Sample'],
  ['Sample.java', 'Sample', 'method', 7, 'Sample'],
  ['Sample.java', 'getName', 'method', 9, 'Sample'],
  ['Sample.java', 'Named', 'interface', 14, ''],
  ['Sample.java', 'getName', 'method', 15, 'Named'],
  ['Sample.java', 'Level', 'enum', 18, ''],
  ['Sample.java', 'LOW', 'constant', 18, 'Level'],
  ['Sample.java', 'HIGH', 'constant', 18, 'Level'],
  ['sample.c', 'MAX_LEN', 'macro', 2, ''],
  ['sample.c', 'SQUARE', 'macro', 3, ''],
  ['sample.c', 'point', 'struct', 5, ''],
  ['sample.c', 'color', 'enum', 9, ''],
  ['sample.c', 'RED', 'constant', 9, 'color'],
  ['sample.c', 'GREEN', 'constant', 9, 'color'],
  ['sample.c', 'size_type', 'type', 11, ''],
  ['sample.c', 'counter', 'variable', 13, ''],
  ['sample.c', 'add_impl', 'function', 19, ''],
  ['sample.c', 'name_of', 'function', 24, ''],
  ['sample.cpp', 'geo', 'module', 1, ''],
  ['sample.cpp', 'Shape', 'class', 3, 'geo'],
  ['sample.cpp', 'area', 'method', 5, 'Shape'],
  ['sample.cpp', 'Point', 'struct', 8, 'geo'],
  ['sample.cpp', 'distance', 'function', 12, 'geo'],
  ['sample.cpp', 'size', 'method', 20, 'Widget'],
  ['sample.go', 'sample', 'module', 1, ''],
  ['sample.go', 'Limit', 'constant', 3, ''],
  ['sample.go', 'Count', 'variable', 5, ''],
  ['sample.go', 'Reader', 'struct', 7, ''],
  ['sample.go', 'Closer', 'interface', 11, ''],
  ['sample.go', 'Close', 'method', 12, 'Closer'],
  ['sample.go', 'Read', 'method', 15, 'Reader'],
  ['sample.go', 'NewReader', 'function', 19, ''],
  ['sample.js', 'VERSION', 'constant', 1, ''],
  ['sample.js', 'greet', 'function', 2, ''],
  ['sample.js', 'Greeter', 'class', 5, ''],
  ['sample.js', 'hello', 'method', 6, 'Greeter'],
  ['sample.js', 'shout', 'function', 8, ''],
  ['sample.py', 'MAX_SIZE', 'constant', 1, ''],
  ['sample.py', 'counter', 'variable', 2, ''],
  ['sample.py', 'Parser', 'class', 5, ''],
  ['sample.py', 'kind', 'variable', 6, 'Parser'],
  ['sample.py', 'parse', 'method', 8, 'Parser'],
  ['sample.py', 'helper', 'function', 12, ''],
  ['sample.rb', 'VERSION', 'constant', 1, ''],
  ['sample.rb', 'Shop', 'module', 3, ''],
  ['sample.rb', 'Cart', 'class', 4, 'Shop'],
  ['sample.rb', 'add', 'method', 5, 'Cart'],
  ['sample.rb', 'create', 'method', 9, 'Cart'],
  ['sample.rs', 'MAX', 'constant', 1, ''],
  ['sample.rs', 'Point', 'struct', 3, ''],
  ['sample.rs', 'Shape', 'enum', 7, ''],
  ['sample.rs', 'Area', 'interface', 11, ''],
  ['sample.rs', 'area', 'method', 12, 'Area'],
  ['sample.rs', 'new', 'method', 16, 'Point'],
  ['sample.rs', 'util', 'module', 21, ''],
  ['sample.rs', 'helper', 'function', 22, 'util'],
  ['sample.rs', 'square', 'macro', 25, ''],
  ['sample.ts', 'LIMIT', 'constant', 1, ''],
  ['sample.ts', 'Shape', 'interface', 2, ''],
  ['sample.ts', 'area', 'method', 3, 'Shape'],
  ['sample.ts', 'Id', 'type', 5, ''],
  ['sample.ts', 'Color', 'enum', 6, ''],
  ['sample.ts', 'Geometry', 'module', 7, ''],
  ['sample.ts', 'origin', 'function', 8, 'Geometry'],
  ['sample.ts', 'Circle', 'class', 10, ''],
  ['sample.ts', 'area', 'method', 11, 'Circle'],
  ['sample.ts', 'makeCircle', 'function', 13, ''],
  ['sample.tsx', 'Button', 'function', 1, ''],
  ['sample.tsx', 'Panel', 'class', 4, ''],
  ['sample.tsx', 'render', 'method', 5, 'Panel'],
];

const brief = (s: CodeSymbol): [string, string, string, number, string] => [s.path, s.name, s.kind, s.line, s.container ?? ''];

test('every language fixture yields its expected definitions (name, kind, line, container)', async () => {
  const map = await FileMap.load(FIXTURES);
  const index = new SymbolIndex(map, { cacheDir: false });
  try {
    const all = await index.allSymbols();
    assert.deepEqual(all.map(brief), EXPECTED);
    const stats = await index.whenComplete();
    assert.equal(stats.files, 11);
    assert.deepEqual(Object.keys(stats.languages).sort(), ['c', 'cpp', 'csharp', 'go', 'java', 'javascript', 'python', 'ruby', 'rust', 'tsx', 'typescript']);
    const read = all.find((s) => s.name === 'Read')!;
    assert.equal(read.signature, 'func (r *Reader) Read() int {');
    assert.equal(read.endLine, 17);
    assert.equal(read.language, 'go');
  } finally {
    index.dispose();
  }
});

test('symbols(path) answers one file before the build, and C prototypes and externs are not definitions', async () => {
  const map = await FileMap.load(FIXTURES);
  const index = new SymbolIndex(map, { cacheDir: false });
  try {
    const c = await index.symbols('sample.c');
    assert.equal(index.complete, false);
    const names = c.map((s) => s.name);
    assert.ok(names.includes('add_impl') && names.includes('MAX_LEN'));
    assert.ok(!names.includes('add') && !names.includes('shared'));
    assert.deepEqual(await index.symbols('nope.c'), []);
    assert.equal(indexedLanguage('a/b.tsx'), 'tsx');
    assert.equal(indexedLanguage('README.md'), undefined);
  } finally {
    index.dispose();
  }
});

test('a second index of an unchanged tree comes from the cache; a changed file is re-parsed by updateFile', async () => {
  const root = tempDir();
  const cacheDir = tempDir();
  fs.writeFileSync(path.join(root, 'a.py'), 'def alpha():\n    pass\n');
  fs.writeFileSync(path.join(root, 'b.go'), 'package b\n\nfunc Beta() {}\n');
  const first = new SymbolIndex(await FileMap.load(root), { cacheDir });
  const cold = await first.whenComplete();
  first.dispose();
  assert.equal(cold.cachedFiles, 0);
  assert.equal(cold.files, 2);

  const second = new SymbolIndex(await FileMap.load(root), { cacheDir });
  try {
    const warm = await second.whenComplete();
    assert.equal(warm.cachedFiles, warm.files);
    assert.equal(warm.symbols, cold.symbols);
    assert.deepEqual((await second.findSymbol('alpha')).map((s) => s.line), [1]);

    fs.writeFileSync(path.join(root, 'a.py'), '# moved\n\ndef gamma():\n    pass\n');
    await second.updateFile('a.py');
    assert.deepEqual(await second.findSymbol('alpha'), []);
    assert.deepEqual((await second.findSymbol('gamma')).map((s) => [s.path, s.line]), [['a.py', 3]]);
    fs.writeFileSync(path.join(root, 'c.rs'), 'fn delta() {}\n');
    await second.updateFile('c.rs');
    assert.deepEqual((await second.findSymbol('delta')).map((s) => s.kind), ['function']);
    fs.rmSync(path.join(root, 'c.rs'));
    await second.updateFile('c.rs');
    assert.deepEqual(await second.findSymbol('delta'), []);
  } finally {
    second.dispose();
  }
  // dispose flushed the pending save: a third index sees the change without parsing a.py.
  const third = new SymbolIndex(await FileMap.load(root), { cacheDir });
  try {
    const stats = await third.whenComplete();
    assert.equal(stats.cachedFiles, 2);
    assert.deepEqual((await third.findSymbol('gamma')).map((s) => s.line), [3]);
  } finally {
    third.dispose();
  }
});

test('files deleted since the last run leave the cache when the index completes', async () => {
  const root = tempDir();
  const cacheDir = tempDir();
  fs.writeFileSync(path.join(root, 'keep.py'), 'def kept():\n    pass\n');
  fs.writeFileSync(path.join(root, 'gone.py'), 'def gone():\n    pass\n');
  const first = new SymbolIndex(await FileMap.load(root), { cacheDir });
  await first.whenComplete();
  first.dispose();
  const file = cacheFile(cacheDir, root);
  assert.deepEqual([...readCache(file).entries.keys()].sort(), ['gone.py', 'keep.py']);

  fs.rmSync(path.join(root, 'gone.py'));
  const second = new SymbolIndex(await FileMap.load(root), { cacheDir });
  try {
    const stats = await second.whenComplete();
    assert.equal(stats.cachedFiles, 1, 'nothing was parsed: keep.py came from the cache');
  } finally {
    second.dispose();
  }
  assert.deepEqual([...readCache(file).entries.keys()], ['keep.py']);
});

test('a cache file is read header first and body after; a body that no longer matches the header is not used', async () => {
  const root = tempDir();
  const cacheDir = tempDir();
  fs.writeFileSync(path.join(root, 'a.py'), 'def alpha():\n    pass\n');
  const first = new SymbolIndex(await FileMap.load(root), { cacheDir });
  await first.whenComplete();
  first.dispose();
  const file = cacheFile(cacheDir, root);

  const whole = readCache(file);
  assert.deepEqual([...whole.entries.keys()], ['a.py']);
  const body = await whole.body;
  const entry = whole.entries.get('a.py')!;
  assert.match(body!.toString('utf8', entry.off, entry.off + entry.len), /alpha/);

  // Another window saves the cache between the header and the body being read.
  const raced = readCache(file);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"a.py"', '"b.py"'));
  assert.deepEqual([...raced.entries.keys()], ['a.py']);
  assert.equal(await raced.body, undefined);

  // An index over such a cache parses instead of trusting it.
  fs.writeFileSync(file, 'not a cache\n');
  const second = new SymbolIndex(await FileMap.load(root), { cacheDir });
  try {
    const stats = await second.whenComplete();
    assert.equal(stats.cachedFiles, 0);
    assert.deepEqual((await second.findSymbol('alpha')).map((s) => `${s.path}:${s.line}`), ['a.py:1']);
  } finally {
    second.dispose();
  }
});

test('on a warm cache, a burst of lookups right after start() is answered from the completed index, not held against it', async () => {
  const root = tempDir();
  const cacheDir = tempDir();
  const names = Array.from({ length: 40 }, (_, i) => `fn${i}`);
  names.forEach((n, i) => fs.writeFileSync(path.join(root, `m${i}.py`), `def ${n}():\n    pass\n`));
  const first = new SymbolIndex(await FileMap.load(root), { cacheDir });
  await first.whenComplete();
  first.dispose();

  const second = new SymbolIndex(await FileMap.load(root), { cacheDir });
  try {
    second.start();
    // What a dependency trace does: many lookups, eight in flight at any moment, starting before the build is done.
    const found: string[][] = [];
    const completeWhenAnswered: boolean[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < names.length) {
        const i = next++;
        found[i] = (await second.findSymbol(names[i])).map((s) => `${s.path}:${s.line}`);
        completeWhenAnswered[i] = second.complete;
      }
    }));
    // Nothing was left to parse, so the lookups waited for the index instead of each searching the files (and
    // holding the build back while they did).
    assert.deepEqual(completeWhenAnswered, names.map(() => true));
    assert.deepEqual(found, names.map((_, i) => [`m${i}.py:1`]));
    assert.equal((await second.whenComplete()).cachedFiles, names.length);
  } finally {
    second.dispose();
  }
});

test('files over the size cap, past the parse timeout, or unparseable are skipped with a reason', async () => {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'ok.js'), 'function fine() {}\n');
  fs.writeFileSync(path.join(root, 'big.js'), 'function big() {}\n' + '// pad\n'.repeat(5000));
  let slow = '';
  for (let i = 0; i < 8000; i++) slow += 'function f' + i + '(a, b) { return [a, b, { x: a + b }]; }\n';
  fs.writeFileSync(path.join(root, 'slow.ts'), slow);
  fs.writeFileSync(path.join(root, 'junk.py'), 'def (((\n\x7f\x7f ]]] class :::\n');
  const index = new SymbolIndex(await FileMap.load(root), { cacheDir: false, maxParseBytes: 20000, parseTimeoutMs: 1 });
  try {
    const stats = await index.whenComplete();
    assert.equal(stats.skipped['too-large'], 2);
    assert.equal(stats.files, 2);
    assert.deepEqual((await index.findSymbol('fine')).map((s) => s.path), ['ok.js']);
  } finally {
    index.dispose();
  }
  const timed = new SymbolIndex(await FileMap.load(root), { cacheDir: false, parseTimeoutMs: 1 });
  try {
    const stats = await timed.whenComplete();
    assert.ok((stats.skipped['timeout'] ?? 0) >= 1);
    assert.deepEqual((await timed.findSymbol('fine')).map((s) => s.path), ['ok.js']);
    assert.deepEqual(await timed.findSymbol('f1'), []);
  } finally {
    timed.dispose();
  }
});

/** 300 small Python, Go and TypeScript files defining and using a few common names. */
function manyFileTree(): string {
  const root = tempDir();
  const words = ['init', 'open', 'close', 'render', 'parse'];
  for (let i = 0; i < 300; i++) {
    const w = words[i % words.length];
    const dir = path.join(root, 'pkg' + (i % 10));
    fs.mkdirSync(dir, { recursive: true });
    if (i % 3 === 0) fs.writeFileSync(path.join(dir, 'm' + i + '.py'), 'class C' + i + ':\n    def ' + w + '(self):\n        return ' + w + '\n\n' + w.toUpperCase() + ' = 1\n');
    else if (i % 3 === 1) fs.writeFileSync(path.join(dir, 'm' + i + '.go'), 'package p\n\n// calls ' + w + '\nfunc F' + i + '() { ' + w + '() }\n\nfunc ' + (i % 2 ? w : 'G' + i) + '() {}\n');
    else fs.writeFileSync(path.join(dir, 'm' + i + '.ts'), 'export class K' + i + ' {\n  ' + w + '(): void {}\n}\nexport const rare' + i + ' = () => ' + i + ';\n');
  }
  return root;
}

test('findSymbol before the index completes returns the same definitions as after it', async () => {
  const map = await FileMap.load(manyFileTree());
  const early = new SymbolIndex(map, { cacheDir: false });
  const queries: [string, { kind?: 'method'; exact?: boolean }?][] = [['init'], ['rare8'], ['render', { kind: 'method' }], ['PARSE'], ['rare1', { exact: false }], ['missing']];
  let before: CodeSymbol[][];
  try {
    // Not started: every answer comes from the text search plus parsing only the candidates.
    before = await Promise.all(queries.map(([n, o]) => early.findSymbol(n, o)));
    assert.equal(early.complete, false);
  } finally {
    early.dispose();
  }
  const full = new SymbolIndex(map, { cacheDir: false });
  try {
    await full.whenComplete();
    const afterwards = await Promise.all(queries.map(([n, o]) => full.findSymbol(n, o)));
    assert.deepEqual(before, afterwards);
    assert.ok(afterwards[0].length > 30);
    assert.deepEqual(afterwards[1].map((s) => [s.path, s.kind]), [['pkg8/m8.ts', 'function']]);
    assert.ok(afterwards[4].length >= 10);
    assert.deepEqual(afterwards[5], []);
  } finally {
    full.dispose();
  }
});

test('references before the index completes name the same enclosing symbols as after it', async () => {
  const map = await FileMap.load(manyFileTree());
  const early = new CodeIndex(map, { symbols: { cacheDir: false } });
  let before: Reference[];
  let several: Map<string, CodeSymbol[]>;
  try {
    // Not started: the files holding the matches are parsed for the occasion, all in one go.
    before = await early.references('render');
    several = await early.symbolIndex.symbolsOf(['pkg3/m3.py', 'pkg4/m4.go', 'nope.py', 'pkg3/m3.py']);
    assert.equal(early.symbolIndex.complete, false);
  } finally {
    early.dispose();
  }
  const full = new CodeIndex(map, { symbols: { cacheDir: false } });
  try {
    await full.symbolIndex.whenComplete();
    const afterwards = await full.references('render');
    assert.deepEqual(before, afterwards);
    // Every file with `render` in it: 60 of the 300, each use inside the symbol that holds it.
    assert.equal(new Set(afterwards.map((r) => r.path)).size, 60);
    assert.ok(afterwards.some((r) => r.path === 'pkg3/m3.py' && r.line === 2 && r.in === 'C3.render'));
    assert.ok(afterwards.some((r) => r.path === 'pkg3/m3.py' && r.line === 3 && r.in === 'C3.render'));
    assert.ok(afterwards.some((r) => r.path === 'pkg3/m13.go' && r.line === 4 && r.in === 'F13'));
    assert.ok(afterwards.some((r) => r.path === 'pkg3/m13.go' && r.line === 6 && r.in === 'render'));
    assert.deepEqual([...several.keys()], ['pkg3/m3.py', 'pkg4/m4.go', 'nope.py']);
    assert.deepEqual(several.get('pkg3/m3.py')!.map((s) => s.name), ['C3', 'render', 'RENDER']);
    assert.deepEqual(several.get('pkg4/m4.go')!.map((s) => s.name), ['p', 'F4', 'G4']);
    assert.deepEqual(several.get('nope.py'), []);
  } finally {
    full.dispose();
  }
});
