import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { EndpointPool } from '../../src/core/llm/endpointPool';
import { UsageLedger } from '../../src/core/llm/usage';
import { ModelServer, type Reply, type ScriptContext } from '../support/modelServer';

/**
 * Sub-calls over a pool of real OpenAI-compatible HTTP endpoints (the test model server, several at once): one
 * slow, one answering 429 with Retry-After, one that dies mid-run. What a user of the pool sees: every call answered
 * once with its own answer, never more in flight on an endpoint than its limit, the rate-limited endpoint left alone
 * for its Retry-After, usage per endpoint, and Cancel stopping everything within a second.
 */

/** A scripted endpoint that answers each prompt with its echo, and watches what is in flight on it. */
class Endpoint {
  server!: ModelServer;
  inFlight = 0;
  peak = 0;
  answered: string[] = [];
  rateLimitedAt: number[] = [];
  /** Per prompt, sends in flight at once across all endpoints (shared). */
  constructor(readonly name: string, private readonly behave: { delayMs: number; rateLimitFirst?: number }, private readonly sends: Map<string, number>, private readonly doubled: string[]) {}

  async start(port?: number): Promise<this> {
    let seen = 0;
    this.server = await ModelServer.start({
      ...(port !== undefined ? { port } : {}),
      models: ['sub'],
      script: async (ctx: ScriptContext): Promise<Reply> => {
        const prompt = ctx.lastUser;
        if (this.behave.rateLimitFirst !== undefined && seen++ < this.behave.rateLimitFirst) {
          this.rateLimitedAt.push(Date.now());
          return { fault: 'rate-limit', retryAfter: 1 };
        }
        const now = (this.sends.get(prompt) ?? 0) + 1;
        this.sends.set(prompt, now);
        if (now > 1) this.doubled.push(prompt);
        this.inFlight++;
        this.peak = Math.max(this.peak, this.inFlight);
        try {
          await sleep(this.behave.delayMs);
        } finally {
          this.inFlight--;
          this.sends.set(prompt, (this.sends.get(prompt) ?? 1) - 1);
        }
        this.answered.push(prompt);
        return { text: `answer to ${prompt} from ${this.name}`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
      },
    });
    return this;
  }

  get url(): string {
    return this.server.url;
  }
}

describe('a pool of sub-call endpoints', () => {
  const servers: Endpoint[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.server.close()));
  });

  it('answers every call once, within each endpoint limit, through a 429 and an endpoint dying mid-run', async () => {
    const sends = new Map<string, number>();
    const doubled: string[] = [];
    const slow = await new Endpoint('slow', { delayMs: 120 }, sends, doubled).start();
    const limited = await new Endpoint('limited', { delayMs: 30, rateLimitFirst: 1 }, sends, doubled).start();
    const dying = await new Endpoint('dying', { delayMs: 40 }, sends, doubled).start();
    servers.push(slow, limited, dying);
    const pool = new EndpointPool({
      model: 'sub',
      endpoints: [
        { baseUrl: slow.url, apiKey: 'k', concurrency: 2 },
        { baseUrl: limited.url, apiKey: 'k', concurrency: 3, weight: 2 },
        { baseUrl: dying.url, apiKey: 'k', concurrency: 3 },
      ],
      setAsideMs: 200,
      client: { timeoutMs: 5_000 },
    });
    const ledger = new UsageLedger({ sub: { input: 1, output: 2 } });
    const prompts = Array.from({ length: 60 }, (_, i) => `call ${i}`);
    const killer = (async () => {
      while (dying.answered.length < 5) await sleep(5);
      await dying.server.close(); // dies with calls in flight
    })();
    const started = Date.now();
    const answers = await Promise.all(prompts.map(async (p) => {
      const r = await pool.complete({ messages: [{ role: 'user', content: p }] });
      ledger.record(r.servedBy!.model, 1, r.usage, r.servedBy!.endpoint);
      return r.text;
    }));
    await killer;

    // Every call has its own answer, and no prompt was ever being answered twice at once.
    answers.forEach((a, i) => assert.match(a, new RegExp(`^answer to call ${i} from (slow|limited|dying)$`)));
    assert.deepEqual(doubled, []);
    // The limits held on each endpoint.
    assert.ok(slow.peak <= 2 && slow.peak >= 1, `slow peaked at ${slow.peak}`);
    assert.ok(limited.peak <= 3 && limited.peak >= 2, `limited peaked at ${limited.peak}`);
    assert.ok(dying.peak <= 3);
    // The 429 said "Retry-After: 1": nothing was sent there for that second, and the calls went elsewhere meanwhile.
    // (Calls already on their way when the 429 went out arrive within a few milliseconds of it.)
    const after429 = limited.server.requests.map((r) => r.at - limited.rateLimitedAt[0]).filter((d) => d > 0);
    assert.deepEqual(after429.filter((d) => d > 100 && d < 950), [], 'nothing sent during the Retry-After');
    assert.ok(after429.some((d) => d >= 950), 'and the endpoint was used again after it');
    assert.ok(slow.answered.length > 0 && dying.answered.length >= 5);
    // Usage per endpoint: every answered call counted once, where it was answered.
    const stats = pool.stats();
    assert.equal(stats.reduce((n, s) => n + s.answered, 0), 60);
    const byEndpoint = ledger.toJSON().byEndpoint!;
    assert.equal(byEndpoint[slow.url.replace(/\/+$/, '')]?.calls, stats[0].answered);
    assert.equal(Object.values(byEndpoint).reduce((n, t) => n + t.calls, 0), 60);
    assert.ok((byEndpoint[limited.url.replace(/\/+$/, '')]?.costUSD ?? 0) > 0);
    assert.equal(stats[1].rateLimited, 1);
    assert.ok(stats[2].failed >= 1, 'the dying endpoint failed the calls it had in flight');
    assert.ok(Date.now() - started < 15_000);
  });

  it('waits for a free slot instead of overloading (back-pressure), spreading by weight', async () => {
    const sends = new Map<string, number>();
    const a = await new Endpoint('a', { delayMs: 50 }, sends, []).start();
    const b = await new Endpoint('b', { delayMs: 50 }, sends, []).start();
    servers.push(a, b);
    const pool = new EndpointPool({ model: 'sub', endpoints: [{ baseUrl: a.url, concurrency: 1 }, { baseUrl: b.url, concurrency: 3, weight: 3 }] });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => pool.complete({ messages: [{ role: 'user', content: `w ${i}` }] })));
    const ms = Date.now() - t0;
    assert.equal(a.peak, 1);
    assert.equal(b.peak, 3);
    // 4 slots of 50 ms for 40 calls: 10 rounds at best.
    assert.ok(ms >= 480, `${ms} ms`);
    assert.ok(b.answered.length > a.answered.length * 2, `b ${b.answered.length}, a ${a.answered.length}`);
  });

  it('Cancel stops every call in flight on every endpoint within a second', async () => {
    const sends = new Map<string, number>();
    const x = await new Endpoint('x', { delayMs: 10_000 }, sends, []).start();
    const y = await new Endpoint('y', { delayMs: 10_000 }, sends, []).start();
    servers.push(x, y);
    const pool = new EndpointPool({ model: 'sub', endpoints: [{ baseUrl: x.url }, { baseUrl: y.url }] });
    const controller = new AbortController();
    const calls = Array.from({ length: 20 }, (_, i) => pool.complete({ messages: [{ role: 'user', content: `c ${i}` }], signal: controller.signal }).then(
      () => 'answered',
      (e: Error) => e.message,
    ));
    while (x.inFlight + y.inFlight < 8) await sleep(10);
    const cancelledAt = Date.now();
    controller.abort();
    const outcomes = await Promise.all(calls);
    assert.ok(Date.now() - cancelledAt < 1000, 'every call settled within a second');
    assert.ok(outcomes.every((o) => /cancel/i.test(o)), outcomes.join(' | '));
    await sleep(100);
    const inFlightRequests = [...x.server.requests, ...y.server.requests];
    assert.equal(inFlightRequests.length, 8, 'the 12 calls still waiting for a slot were never sent');
    for (const r of inFlightRequests) assert.ok(r.abortedAt !== undefined && r.abortedAt - cancelledAt < 1000, 'each connection was dropped');
  });

  it('sets aside an endpoint it cannot reach, and sends to it again once it is back', async () => {
    const live = await new Endpoint('live', { delayMs: 10 }, new Map(), []).start();
    servers.push(live);
    const gone = await ModelServer.start({ models: ['sub'] });
    const url = gone.url;
    const port = Number(new URL(url).port);
    await gone.close();
    const pool = new EndpointPool({ model: 'sub', endpoints: [{ baseUrl: url }, { baseUrl: live.url }], setAsideMs: 200 });
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.complete({ messages: [{ role: 'user', content: `d ${i}` }] })));
    assert.ok(first.every((r) => r.servedBy!.endpoint === live.url.replace(/\/+$/, '')), 'all answered by the live endpoint');
    assert.ok(pool.stats()[0].failed >= 1, 'the dead one was tried, and failed to connect');
    const back = await new Endpoint('back', { delayMs: 10 }, new Map(), []).start(port);
    servers.push(back);
    await sleep(1_000); // past its rest
    const later = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.complete({ messages: [{ role: 'user', content: `e ${i}` }] })));
    assert.equal(later.length, 20);
    assert.ok(back.answered.length >= 1, 'the endpoint is used again once it is back');
  });

  it('a call that times out is dropped there and answered once elsewhere (a deliberate retry)', async () => {
    const stuck = await new Endpoint('stuck', { delayMs: 3_000 }, new Map(), []).start();
    const quick = await new Endpoint('quick', { delayMs: 10 }, new Map(), []).start();
    servers.push(stuck, quick);
    const pool = new EndpointPool({ model: 'sub', endpoints: [{ baseUrl: stuck.url, concurrency: 1 }, { baseUrl: quick.url, concurrency: 1 }], client: { timeoutMs: 300 } });
    const [a, b] = await Promise.all([
      pool.complete({ messages: [{ role: 'user', content: 't 0' }] }),
      pool.complete({ messages: [{ role: 'user', content: 't 1' }] }),
    ]);
    assert.match(a.text, /^answer to t 0 from quick$/);
    assert.match(b.text, /^answer to t 1 from quick$/);
    // Sent again on purpose after the timeout, once: the stuck server may still be working on its copy, which nobody awaits.
    assert.deepEqual(quick.answered.sort(), ['t 0', 't 1']);
    const timedOut = stuck.server.requests.filter((r) => r.path.endsWith('/chat/completions'));
    assert.equal(timedOut.length, 1, 'the stuck endpoint got one call, then rested');
    await sleep(50);
    assert.ok(timedOut[0].abortedAt !== undefined, 'and its connection was dropped at the timeout, so no late answer is used');
    assert.equal(pool.stats()[0].failed, 1);
  });

  it('an endpoint whose key is refused is taken out; the others go on', async () => {
    const ok = await new Endpoint('ok', { delayMs: 5 }, new Map(), []).start();
    const refusing = await ModelServer.start({ models: ['sub'], apiKey: 'right', script: () => 'never' });
    servers.push(ok);
    try {
      const pool = new EndpointPool({ model: 'sub', endpoints: [{ baseUrl: refusing.url, apiKey: 'wrong' }, { baseUrl: ok.url }] });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.complete({ messages: [{ role: 'user', content: `k ${i}` }] })));
      assert.equal(answers.length, 10);
      assert.ok(answers.every((a) => a.servedBy!.endpoint === ok.url.replace(/\/+$/, '')));
      assert.ok(pool.stats()[0].failed >= 1);
      const alone = new EndpointPool({ model: 'sub', endpoints: [{ baseUrl: refusing.url, apiKey: 'wrong' }] });
      await assert.rejects(alone.complete({ messages: [{ role: 'user', content: 'x' }] }), /401|key/i);
    } finally {
      await refusing.close();
    }
  });
});
