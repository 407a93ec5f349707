import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SubCallCache, type SubCallKey } from '../../src/core/llm/subCallCache';
import type { RlmEvent } from '../../src/core/rlm/events';
import { ask } from '../../src/core/workflows/ask';
import { FileMap } from '../../src/core/workspace/fileMap';
import { fixtureMap, js, startScriptedModels } from '../support/scriptedModels';

const usage = { promptTokens: 900, completionTokens: 100, totalTokens: 1000 };
const key = (prompt: string, extra: Partial<SubCallKey> = {}): SubCallKey => ({ endpoint: 'http://127.0.0.1:1/v1', model: 'sub-model', prompt, ...extra });

/** Every entry file under a cache folder. */
function entries(dir: string): string[] {
  const out: string[] = [];
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (sub.isDirectory()) for (const f of readdirSync(join(dir, sub.name))) out.push(join(dir, sub.name, f));
  }
  return out;
}

describe('sub-call cache', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'recurse-subcalls-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the exact same call again, from memory and from disk in a new process\'s cache', async () => {
    const folder = join(dir, 'a');
    const first = new SubCallCache({ dir: folder });
    assert.equal(await first.get(key('Summarise pricing.ts')), undefined);
    await first.put(key('Summarise pricing.ts'), { text: 'It prices orders.', usage, model: 'sub-model' });
    assert.equal((await first.get(key('Summarise pricing.ts')))?.text, 'It prices orders.');
    const second = new SubCallCache({ dir: folder });
    assert.deepEqual(await second.get(key('Summarise pricing.ts')), { text: 'It prices orders.', usage, model: 'sub-model' });
    // Anything that changes the answer is another entry: the prompt, the model, the endpoint, the sampling.
    for (const other of [key('Summarise pricing.ts '), key('Summarise pricing.ts', { model: 'other' }),
      key('Summarise pricing.ts', { endpoint: 'http://elsewhere/v1' }), key('Summarise pricing.ts', { maxTokens: 10 }),
      key('Summarise pricing.ts', { temperature: 0 })]) {
      assert.equal(await second.get(other), undefined, JSON.stringify(other));
    }
  });

  it('does not cache sampling above temperature 0 unless told to', async () => {
    const cache = new SubCallCache({ dir: join(dir, 'b') });
    await cache.put(key('creative', { temperature: 0.7 }), { text: 'x', usage, model: 'sub-model' });
    assert.equal(await cache.get(key('creative', { temperature: 0.7 })), undefined);
    const willing = new SubCallCache({ dir: join(dir, 'b'), cacheNonZeroTemperature: true });
    await willing.put(key('creative', { temperature: 0.7 }), { text: 'x', usage, model: 'sub-model' });
    assert.equal((await willing.get(key('creative', { temperature: 0.7 })))?.text, 'x');
  });

  it('a damaged or half-written entry is a miss, never an answer; a leftover temporary file is ignored', async () => {
    const folder = join(dir, 'c');
    const cache = new SubCallCache({ dir: folder });
    await cache.put(key('p'), { text: 'good', usage, model: 'sub-model' });
    const [file] = entries(folder);
    writeFileSync(file!, '{"id": "');
    writeFileSync(`${file}.deadbeef.tmp`, 'half');
    assert.equal(await new SubCallCache({ dir: folder }).get(key('p')), undefined);
  });

  it('stays under its size cap by evicting the least recently used entries', async () => {
    const folder = join(dir, 'd');
    const cache = new SubCallCache({ dir: folder, maxBytes: 6_000 });
    const big = 'y'.repeat(900); // an entry is about 1.1 kB on disk
    for (let i = 0; i < 4; i++) await cache.put(key(`p${i}`), { text: big, usage, model: 'sub-model' });
    const old = new Date(Date.now() - 60_000);
    for (const f of entries(folder)) utimesSync(f, old, old);
    // p0 was written first but read since: p1 is now the least recently used, then p2.
    assert.ok(await new SubCallCache({ dir: folder }).get(key('p0')));
    for (let i = 4; i < 6; i++) await cache.put(key(`p${i}`), { text: big, usage, model: 'sub-model' });
    const total = entries(folder).reduce((n, f) => n + statSync(f).size, 0);
    assert.ok(total <= 6_000, `${total} bytes on disk`);
    const fresh = new SubCallCache({ dir: folder });
    assert.ok(await fresh.get(key('p0')), 'the entry read recently survived');
    assert.equal(await fresh.get(key('p1')), undefined, 'the least recently used entry went');
    assert.equal(await fresh.get(key('p2')), undefined, 'and the next one, down to 80% of the cap');
    assert.ok(await fresh.get(key('p3')), 'no more than needed went');
    assert.ok(await fresh.get(key('p5')), 'the newest entry is there');
  });
});

describe('memoized llm_query', () => {
  let map: FileMap;
  const fixture = fixtureMap('shop', (loaded) => (map = loaded));
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'recurse-subcalls-run-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const question = (cache: SubCallCache) => ({ workspace: fixture.dir, map, code: false as const, subCallCache: cache, prices: { 'sub-model': { input: 1, output: 2 } } });

  it('a repeated sub-call is sent once, shown as cached, costs nothing and is counted as saved; a later run asks none', async () => {
    const cell = js([
      'const a = await llm_query("What does priceOrder do?");',
      'const [b, c] = await llm_query_batched(["What does priceOrder do?", "What does priceOrder do?"]);',
      'print(a === b && b === c)',
    ].join('\n'));
    const models = await startScriptedModels({
      rootSteps: [cell, (ctx) => js(`finish(${JSON.stringify(ctx.lastUser.includes('true') ? 'same answers' : 'different')})`),
        cell, js('finish("again")')],
      subSteps: [{ text: 'It applies discounts.', usage: { prompt_tokens: 400, completion_tokens: 50 } }],
    });
    try {
      const cache = new SubCallCache({ dir });
      const events: RlmEvent[] = [];
      const first = await ask({ ...question(cache), question: 'What does priceOrder do?', rootModel: models.root, subModel: models.sub, onEvent: (e) => events.push(e) });
      assert.equal(first.answer, 'same answers');
      assert.equal(models.bodies('sub-model').length, 1, 'one sub-call went to the server');
      const ends = events.filter((e): e is Extract<RlmEvent, { type: 'subcall-end' }> => e.type === 'subcall-end');
      assert.deepEqual(ends.map((e) => Boolean(e.cached)), [false, true, true]);
      assert.equal(first.usage.cachedSubCalls, 2);
      assert.equal(first.usage.savedTokens, 900);
      assert.equal(first.usage.savedCost, 2 * (400 * 1 + 50 * 2) / 1e6);
      assert.equal(first.usage.subCalls, 1, 'cached calls take no sub-call budget');

      // A new cache object over the same folder: another process, another question.
      const second = await ask({ ...question(new SubCallCache({ dir })), question: 'And again?', rootModel: models.root, subModel: models.sub });
      assert.equal(second.answer, 'again');
      assert.equal(models.bodies('sub-model').length, 1, 'nothing more was sent');
      assert.equal(second.usage.cachedSubCalls, 3);
    } finally {
      await models.close();
    }
  });
});

describe('memoized llm_query and sampling temperature', () => {
  let map: FileMap;
  const fixture = fixtureMap('shop', (loaded) => (map = loaded));
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'recurse-subcalls-temp-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const twice = js('print(await llm_query("Invent a name"), await llm_query("Invent a name"))');

  it('sub-calls sampled above 0 are sent every time, unless the cache is told to keep them too', async () => {
    const models = await startScriptedModels({
      rootSteps: [twice, js('finish("a")'), twice, js('finish("b")')],
      subSteps: ['Ada', 'Bob', 'Cy'],
    });
    try {
      const base = { workspace: fixture.dir, map, code: false as const, rootModel: models.root, subModel: models.sub, subTemperature: 0.8 };
      await ask({ ...base, question: 'q', subCallCache: new SubCallCache({ dir }) });
      assert.equal(models.bodies('sub-model').length, 2, 'temperature 0.8: both calls sent');
      assert.ok(models.bodies('sub-model').every((b) => (b as { temperature?: number }).temperature === 0.8), 'the temperature is sent');
      const willing = await ask({ ...base, question: 'q2', subCallCache: new SubCallCache({ dir, cacheNonZeroTemperature: true }) });
      assert.equal(models.bodies('sub-model').length, 3, 'told to cache: the second call is answered from the first');
      assert.equal(willing.usage.cachedSubCalls, 1);
    } finally {
      await models.close();
    }
  });
});
