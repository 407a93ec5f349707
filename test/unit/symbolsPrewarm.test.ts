import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { ParsePool } from '../../src/core/index/symbols/parsePool';
import { SymbolIndex } from '../../src/core/index/symbols/symbolIndex';
import { type SymbolText, symbolTextString } from '../../src/core/index/symbols/symbolText';
import type { ParseOutcome } from '../../src/core/index/symbols/symbolWorker';
import { FileMap } from '../../src/core/workspace/fileMap';

const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-prewarm-'));
  temps.push(dir);
  return dir;
}

const PY = 'class Greeter:\n    def hello(self, name):\n        return "hi " + name\n\ndef main():\n    Greeter().hello("x")\n';

function names(outcome: ParseOutcome): string[] {
  assert.equal(outcome.kind, 'parsed');
  return (JSON.parse(symbolTextString((outcome as { data: SymbolText }).data)) as [string][]).map((r) => r[0]);
}

test('a pool adopts the threads prewarm started, and they parse', async () => {
  ParsePool.prewarm(2);
  const pool = new ParsePool(2);
  const next = new ParsePool(2);
  try {
    assert.equal(pool.threads, 2, 'both spares adopted before any job');
    assert.equal(next.threads, 0, 'spares go to one pool only');
    const file = path.join(tempDir(), 'a.py');
    fs.writeFileSync(file, PY);
    const [outcome] = await pool.run({ files: [{ abs: file, language: 'python' }], maxBytes: 1 << 20, timeoutMs: 5000 }, true);
    assert.deepEqual(names(outcome), ['Greeter', 'hello', 'main']);
  } finally {
    pool.dispose();
    next.dispose();
  }
});

test('an urgent parse queued behind warm-ups of many grammars (and an unknown one) answers correctly', async () => {
  const pool = new ParsePool(1);
  try {
    pool.warm(['go', 'java', 'no-such-language', 'python']);
    const file = path.join(tempDir(), 'b.py');
    fs.writeFileSync(file, PY);
    const [outcome] = await pool.run({ files: [{ abs: file, language: 'python' }], maxBytes: 1 << 20, timeoutMs: 5000 }, true);
    assert.deepEqual(names(outcome), ['Greeter', 'hello', 'main']);
    // The pool still works once every warm-up is through.
    const [again] = await pool.run({ files: [{ abs: file, language: 'python', text: 'def late():\n    pass\n' }], maxBytes: 1 << 20, timeoutMs: 5000 });
    assert.deepEqual(names(again), ['late']);
  } finally {
    pool.dispose();
  }
});

test('findSymbol on an index created after a prewarm gives the definitions', async () => {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'a.py'), PY);
  fs.writeFileSync(path.join(root, 'b.go'), 'package b\n\nfunc hello() {}\n\nfunc init() { hello() }\n');
  SymbolIndex.prewarm();
  const map = await FileMap.load(root);
  const index = new SymbolIndex(map, { cacheDir: false, workers: 2 });
  try {
    index.start();
    const found = (await index.findSymbol('hello')).map((s) => `${s.path}:${s.line}:${s.kind}:${s.container ?? ''}`);
    assert.deepEqual(found, ['a.py:2:method:Greeter', 'b.go:3:function:']);
  } finally {
    index.dispose();
  }
});

test('threads a prewarm started and nobody adopted do not keep the process alive', () => {
  const script = `require(${JSON.stringify(require.resolve('../../src/core/index/symbols/parsePool'))}).ParsePool.prewarm(2);`;
  const t0 = Date.now();
  const run = spawnSync(process.execPath, ['-e', script], { timeout: 30_000, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(Date.now() - t0 < 20_000, 'exited well before the spares expire');
});
