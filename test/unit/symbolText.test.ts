import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { packTexts, symbolTextString, unpackTexts } from '../../src/core/index/symbols/symbolText';
import type { ParseOutcome } from '../../src/core/index/symbols/symbolWorker';

/** A parser thread's symbols cross to the main thread as one transferred buffer and read back as the same JSON. */
test('symbol texts cross a thread boundary in one buffer, moved not copied, and read back unchanged', async () => {
  const texts = ['[["naïve",1]]', '[]', '[["𝒳",2],["数据",3]]', '[["plain",4]]'];
  const results: ParseOutcome[] = [
    { kind: 'parsed', hash: 'h1', size: 10, mtimeMs: 1, data: texts[0]!, count: 1 },
    { kind: 'skipped', reason: 'too-large', size: 5, mtimeMs: 2 },
    { kind: 'region', size: 3, mtimeMs: 3, data: texts[1]!, count: 0 },
    { kind: 'unchanged', hash: 'h2', size: 4, mtimeMs: 4 },
    { kind: 'parsed', hash: 'h3', size: 9, mtimeMs: 5, data: texts[2]!, count: 2 },
    { kind: 'parsed', hash: 'h4', size: 9, mtimeMs: 6, data: texts[3]!, count: 1 },
  ];
  const buffer = packTexts(results);
  assert.equal(buffer.byteLength, texts.reduce((n, t) => n + Buffer.byteLength(t), 0));
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<{ results: ParseOutcome[]; texts: ArrayBuffer }>((resolve) => port2.once('message', resolve));
  port1.postMessage({ results, texts: buffer }, [buffer]);
  assert.equal(buffer.byteLength, 0, 'the sender no longer holds the texts: they were moved');
  const message = await received;
  port1.close();
  port2.close();
  const back = unpackTexts(message.results, message.texts);
  const withText = back.filter((r): r is Extract<ParseOutcome, { data: unknown }> => r.kind === 'parsed' || r.kind === 'region');
  assert.deepEqual(withText.map((r) => symbolTextString(r.data)), texts);
  assert.ok(withText.every((r) => typeof r.data !== 'string'), 'kept as bytes, not as strings on the heap');
  assert.deepEqual(back.map((r) => r.kind), ['parsed', 'skipped', 'region', 'unchanged', 'parsed', 'parsed']);
});
