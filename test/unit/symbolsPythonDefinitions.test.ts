import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { lineStarts } from '../../src/core/index/symbols/codeSpans';
import { SYMBOL_KINDS } from '../../src/core/index/symbols/extractSymbols';
import { pythonDefinitions, pythonNameLines } from '../../src/core/index/symbols/pythonDefinitions';
import { pythonLayoutFast } from '../../src/core/index/symbols/pythonLayoutWasm';
import { pythonLayout } from '../../src/core/index/symbols/pythonRegions';
import { SymbolIndex } from '../../src/core/index/symbols/symbolIndex';
import { FileMap } from '../../src/core/workspace/fileMap';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');

/** Every definition tree-sitter's complete index reports for each file, as records. */
async function parsed(texts: Record<string, string>): Promise<Map<string, unknown[][]>> {
  const index = new SymbolIndex(FileMap.fromTexts(texts), { cacheDir: false });
  try {
    const out = new Map<string, unknown[][]>(Object.keys(texts).map((p) => [p, []]));
    for (const s of await index.allSymbols()) out.get(s.path)!.push([s.name, s.kind, s.line, s.endLine, s.container ?? '', s.signature]);
    return out;
  } finally {
    index.dispose();
  }
}

/** What the lookup path reads off the text for `name`, in the index's record shape. */
function read(text: string, name: string): unknown[][] | undefined {
  const starts = lineStarts(text);
  const found = pythonDefinitions(text, starts, pythonNameLines(text, starts, name), name);
  return found?.map(([n, kind, line, endLine, container, signature]) => [n, SYMBOL_KINDS[kind], line, endLine, container, signature]);
}

test('definitions read off the indentation equal the parser\'s for every name in the Python fixtures', async () => {
  const files = [
    path.join(FIXTURES, 'pythonLayout', 'tricky.py'),
    path.join(FIXTURES, 'langs', 'sample.py'),
    ...['__init__.py', 'core.py', 'util.py', 'models/user.py'].map((f) => path.join(FIXTURES, 'monorepo', 'python', 'src', 'monopy', f)),
  ];
  const texts = Object.fromEntries(files.map((f, i) => [`f${i}.py`, fs.readFileSync(f, 'utf8')]));
  const expected = await parsed(texts);
  let compared = 0;
  for (const [p, text] of Object.entries(texts)) {
    const names = new Set(text.match(/[A-Za-z_]\w*/g));
    for (const name of names) {
      const got = read(text, name);
      if (got === undefined) continue;
      assert.deepEqual(got, expected.get(p)!.filter((r) => r[0] === name), `${name} in ${files[Number(p.slice(1, -3))]}`);
      compared++;
    }
  }
  assert.ok(compared > 80, `compared ${compared} names`);
  // The tricky cases are answered, not handed back to the parser.
  const tricky = texts['f0.py'];
  for (const name of ['__init__', 'run', 'oneliner', 'method', 'helper', 'function', 'Empty', 'platform', 'LIMIT', 'limit', 'chained', 'TABLE', 'kind', 'json', 'name', 'fake', 'not_a_def', 'counter', 'other']) {
    assert.notEqual(read(tricky, name), undefined, name);
  }
  // Spot checks of what a user sees: containers, kinds, end lines past trailing comments.
  assert.deepEqual(read(tricky, '__init__'), [['__init__', 'method', 27, 32, 'Base', 'def __init__(self, name=None):']]);
  assert.deepEqual(read(tricky, 'method')!.map((r) => [r[2], r[3], r[4]]), [[43, 51, 'Inner'], [69, 70, 'Local']]);
  assert.deepEqual(read(tricky, 'fake'), []);
  assert.deepEqual(read(tricky, 'platform')!.map((r) => [r[1], r[2]]), [['function', 75], ['function', 78]]);
});

test('what cannot be read with certainty is left to the parser', () => {
  // Tabs in indentation, an unclosed string or bracket, a name after `;` or after a header's colon, a soft keyword.
  assert.equal(read('class A:\n\tdef f(self): pass\n', 'f'), undefined);
  assert.equal(read('def f():\n    s = """open\n', 'f'), undefined);
  assert.equal(read('def f(:\n    pass\n', 'f'), undefined);
  assert.equal(read('a = 1; f = 2\n', 'f'), undefined);
  assert.equal(read('class A: f = 1\n', 'f'), undefined);
  assert.equal(read('match = 1\n', 'match'), undefined);
  // A block not indented under its header, a dedent to no enclosing level.
  assert.equal(read('def f():\npass\n', 'f'), undefined);
  assert.equal(read('class A:\n    def f(self):\n        pass\n  x = 1\n', 'f'), undefined);
  // Blank lines with a form feed, and comments indented with a tab, are no obstacle.
  assert.deepEqual(read('\f\nclass A:\n\t# note\n    def f(self):\n        pass\n', 'f'), [['f', 'method', 4, 5, 'A', 'def f(self):']]);
});

test('the WebAssembly layout equals the JavaScript one, line by line and span by span', () => {
  const samples = [
    '',
    'x = 1',
    'x = 1\n',
    '\n\n\n',
    'def f(a,\n      b):\n    return (a +\n b)\n',
    's = r"\\"" + b\'\\\\\' + f"""a\n"b"\n""" + \'\'\'x\\\'\'\'\'\'\ny = 1\n',
    'a = """never closed\n\nclass A:\n',
    "b = 'unclosed\nc = 2\n",
    'd = (1,\n2]]\n',
    'e = 1 + \\\n    2\r\nf = 3 \\\r\n  + 4\r\n',
    '\f\n\tx = 1\n  # comment\n#c\n    \n',
    'é = "ünïcödé # not a comment" # 😀 comment\nclass Ç:\n    pass\n',
    'x = "a\\\nb"\ny = 2\n',
    ...fs.readdirSync(path.join(FIXTURES, 'pythonLayout')).map((f) => fs.readFileSync(path.join(FIXTURES, 'pythonLayout', f), 'utf8')),
    fs.readFileSync(path.join(FIXTURES, 'langs', 'sample.py'), 'utf8'),
  ];
  for (const text of samples) {
    const fast = pythonLayoutFast(text);
    assert.ok(fast, JSON.stringify(text));
    const starts = lineStarts(text);
    const slow = pythonLayout(text, starts);
    assert.deepEqual([...fast.lineStarts], starts, JSON.stringify(text));
    assert.deepEqual([...fast.layout.starts], [...slow.starts], JSON.stringify(text));
    assert.deepEqual([...fast.layout.indent], [...slow.indent], JSON.stringify(text));
    assert.deepEqual(Array.from(fast.layout.spans), Array.from(slow.spans), JSON.stringify(text));
    assert.equal(fast.layout.balanced, slow.balanced, JSON.stringify(text));
  }
  // A large file after a small one: the memory grows, the answer stays the same.
  const big = samples[5].repeat(20000);
  assert.deepEqual(Array.from(pythonLayoutFast(big)!.layout.spans), Array.from(pythonLayout(big, lineStarts(big)).spans));
  // More lines than the output areas hold for a text this size: left to the JavaScript.
  assert.equal(pythonLayoutFast('\n'.repeat(100000)), undefined);
});
