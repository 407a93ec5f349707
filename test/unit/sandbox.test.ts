import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, NO_OUTPUT_HINT, type SandboxOptions } from '../../src/core/sandbox/sandbox';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function withSandbox(options: Partial<SandboxOptions>, body: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await Sandbox.create({ helpers: {}, ...options });
  try {
    await body(sb);
  } finally {
    sb.dispose();
  }
}

test('top-level const/let/function/class persist across cells and can be redeclared', async () => {
  await withSandbox({}, async (sb) => {
    const define = 'const x = 1;\nlet y = 2;\nfunction add(a, b) { return a + b }\nclass Box { constructor(v) { this.v = v } }';
    assert.equal((await sb.runCell(define)).output, NO_OUTPUT_HINT);
    const use = await sb.runCell('print(add(x, y), new Box(7).v)');
    assert.equal(use.output, '3 7');
    assert.equal(use.error, undefined);
    // Models re-run cells: the same declarations again must not fail, and new values win.
    const again = await sb.runCell(define.replace('const x = 1', 'const x = 10'));
    assert.equal(again.error, undefined, again.output);
    assert.equal((await sb.runCell('print(add(x, y))')).output, '12');
    const destructured = await sb.runCell('const { a, b: [c] } = { a: 1, b: [2] }; var v; let w;\nprint(a, c, v, w)');
    assert.equal(destructured.output, '1 2 undefined undefined');
    assert.equal((await sb.runCell('a + c')).output, '3');
  });
});

test('functions are hoisted within a cell and closures see later cells\' globals', async () => {
  await withSandbox({}, async (sb) => {
    assert.equal((await sb.runCell('main(); function main() { print("hoisted") }')).output, 'hoisted');
    await sb.runCell('let counter = 0; function bump() { counter++; return counter }');
    await sb.runCell('bump(); bump()');
    assert.equal((await sb.runCell('counter')).output, '2');
  });
});

test('top-level await works and the last expression value is shown', async () => {
  const helpers = { later: (v: unknown) => new Promise((resolve) => setTimeout(() => resolve(v), 20)) };
  await withSandbox({ helpers }, async (sb) => {
    const r = await sb.runCell('const got = await later({ ok: true });\ngot');
    assert.equal(r.error, undefined);
    assert.equal(r.output, '{\n  "ok": true\n}');
    assert.equal((await sb.runCell('got.ok')).output, 'true');
    // When something was printed, the value is not repeated.
    assert.equal((await sb.runCell('print("hi"); 42')).output, 'hi');
    assert.equal((await sb.runCell('"raw string"')).output, 'raw string');
  });
});

test('printing a promise a helper returned tells the model to await it', async () => {
  const helpers = { later: (v: unknown) => new Promise((resolve) => setTimeout(() => resolve(v), 5)) };
  await withSandbox({ helpers }, async (sb) => {
    const r = await sb.runCell('const p = later(1);\nprint(p)');
    assert.match(r.output, /\[Promise — use await to get its value\]/);
  });
});

test('a cell without output and without value returns the hint', async () => {
  await withSandbox({}, async (sb) => {
    const r = await sb.runCell('let quiet = 1');
    assert.equal(r.output, NO_OUTPUT_HINT);
    assert.equal((await sb.runCell('undefined')).output, NO_OUTPUT_HINT);
    assert.equal((await sb.runCell('')).output, NO_OUTPUT_HINT);
  });
});

test('8 host calls of 200 ms each run concurrently', async () => {
  const helpers = { slow: (v: unknown) => new Promise((resolve) => setTimeout(() => resolve(v), 200)) };
  await withSandbox({ helpers }, async (sb) => {
    const started = Date.now();
    const r = await sb.runCell('const all = await Promise.all([1,2,3,4,5,6,7,8].map((i) => slow(i)));\nprint(all.join(","))');
    const elapsed = Date.now() - started;
    assert.equal(r.output, '1,2,3,4,5,6,7,8');
    assert.ok(elapsed < 800, `took ${elapsed} ms`);
  });
});

test('an infinite loop ends at the time limit and the same sandbox keeps working', async () => {
  await withSandbox({ timeoutMs: 300 }, async (sb) => {
    await sb.runCell('const kept = "still here"');
    const r = await sb.runCell('print("before");\nwhile (true) {}');
    assert.deepEqual(r.error, { name: 'Error', message: 'cell exceeded 300 ms time limit' });
    assert.equal(r.output, 'before\nError: cell exceeded 300 ms time limit');
    assert.ok(r.durationMs >= 290 && r.durationMs < 2000, `durationMs ${r.durationMs}`);
    // try/catch cannot swallow the interrupt
    const caught = await sb.runCell('try { while (true) {} } catch (e) { print("caught") }');
    assert.equal(caught.error?.message, 'cell exceeded 300 ms time limit');
    assert.doesNotMatch(caught.output, /caught/);
    assert.equal((await sb.runCell('print(kept)')).output, 'still here');
  });
});

test('a hanging host promise ends at the deadline', async () => {
  let calls = 0;
  const helpers = {
    hang: () => {
      calls++;
      return new Promise(() => undefined);
    },
  };
  await withSandbox({ helpers, timeoutMs: 300 }, async (sb) => {
    const started = Date.now();
    const r = await sb.runCell('await hang()');
    assert.equal(r.error?.message, 'cell exceeded 300 ms time limit');
    assert.ok(Date.now() - started < 1500);
    assert.equal(calls, 1);
    assert.equal((await sb.runCell('1 + 1')).output, '2');
  });
});

test('a promise that can never settle is reported at once instead of waiting for the deadline', async () => {
  await withSandbox({ timeoutMs: 5000 }, async (sb) => {
    const started = Date.now();
    const r = await sb.runCell('await new Promise(() => {})');
    assert.match(r.error?.message ?? '', /never settle/);
    assert.ok(Date.now() - started < 1000);
  });
});

test('a memory bomb is contained and earlier state survives', async () => {
  await withSandbox({ memoryLimitBytes: 32 * 1024 * 1024, timeoutMs: 5000 }, async (sb) => {
    await sb.runCell('const survivor = "alive"');
    const r = await sb.runCell("let a = [];\nwhile (true) a.push('x'.repeat(1e6))");
    assert.equal(r.error?.name, 'InternalError');
    assert.match(r.error?.message ?? '', /out of memory/);
    assert.match(r.output, /^InternalError: out of memory/);
    // the bomb's own variable was dropped, so there is memory again
    const next = await sb.runCell('print(survivor, typeof a, "y".repeat(1e6).length)');
    assert.equal(next.output, 'alive undefined 1000000');
    const typed = await sb.runCell('const buffers = []; for (let i = 0; i < 1000; i++) buffers.push(new Uint8Array(1e6))');
    assert.match(typed.error?.message ?? '', /out of memory|allocation failed|invalid array buffer length/i);
    assert.equal((await sb.runCell('survivor')).output, 'alive');
  });
});

test('deep recursion is contained', async () => {
  await withSandbox({}, async (sb) => {
    const r = await sb.runCell('function down(n) { return down(n + 1) + 1 }\ndown(0)');
    assert.match(r.output, /(InternalError|RangeError): stack overflow/);
    assert.equal(r.error?.line, 1);
    const getter = await sb.runCell('const o = { get x() { return this.x } };\no.x');
    assert.match(getter.error?.message ?? '', /stack overflow/);
    assert.equal((await sb.runCell('print("fine")')).output, 'fine');
  });
});

test('code nested deeper than QuickJS can parse is refused or recovered from', async () => {
  await withSandbox({}, async (sb) => {
    await sb.runCell('const before = 1');
    const nested = await sb.runCell('(('.repeat(300) + '1' + '))'.repeat(300));
    assert.equal(nested.error?.name, 'SyntaxError');
    assert.match(nested.error?.message ?? '', /nested too deeply/);
    assert.equal((await sb.runCell('before')).output, '1');
    // eval() bypasses the pre-check; the host survives and the sandbox restarts empty.
    const crashed = await sb.runCell('eval("(".repeat(5000) + "1" + ")".repeat(5000))');
    assert.equal(crashed.error?.name, 'InternalError');
    assert.match(crashed.error?.message ?? '', /restarted/);
    assert.equal((await sb.runCell('print(typeof before, 6 * 7)')).output, 'undefined 42');
  });
  // after a restart the helpers, the prelude and output capture work again
  const helpers = { later: async (v: unknown) => v };
  await withSandbox({ helpers, prelude: 'function twice(v) { return v + v }' }, async (sb) => {
    await sb.runCell('eval("[".repeat(5000) + "]".repeat(5000))');
    assert.equal((await sb.runCell('print(twice(await later("ab")))')).output, 'abab');
  });
});

test('huge output keeps head and tail around a marker', async () => {
  await withSandbox({ maxOutputChars: 1000 }, async (sb) => {
    const r = await sb.runCell('print("HEAD" + "x".repeat(100000) + "TAIL")');
    assert.equal(r.truncated, true);
    assert.ok(r.output.startsWith('HEADxxx'));
    assert.ok(r.output.endsWith('xxxTAIL'));
    assert.match(r.output, /\n… \d+ chars omitted …\n/);
    assert.ok(r.output.length <= 1000, `length ${r.output.length}`);
    const many = await sb.runCell('for (let i = 0; i < 100000; i++) print("line " + i)');
    assert.equal(many.truncated, true);
    assert.ok(many.output.startsWith('line 0\nline 1\n'));
    assert.ok(many.output.endsWith('line 99999'));
    assert.ok(many.output.length <= 1000);
    const error = await sb.runCell('print("y".repeat(5000)); throw new Error("at the end")');
    assert.ok(error.output.endsWith('\nError: at the end (line 1)'), 'the error text is never cut off');
    const small = await sb.runCell('print("short")');
    assert.equal(small.truncated, false);
  });
});

test('print formats values: raw strings, pretty JSON, circular, undefined, functions, BigInt', async () => {
  await withSandbox({}, async (sb) => {
    assert.equal((await sb.runCell('print("a", 1, true, null, undefined)')).output, 'a 1 true null undefined');
    assert.equal((await sb.runCell('print({ k: [1, "two"] })')).output, '{\n  "k": [\n    1,\n    "two"\n  ]\n}');
    const odd = await sb.runCell(
      'const o = { big: 12n, fn: function named() {}, gone: undefined, m: new Map([["a", 1]]), s: new Set([2]) }; o.self = o;\nprint(o)',
    );
    const parsed = JSON.parse(odd.output);
    assert.deepEqual(parsed, { big: '12n', fn: '[Function named]', m: { a: 1 }, s: [2], self: '[Circular]' });
    assert.equal((await sb.runCell('print(new Error("bad"), Symbol("s"), 5n)')).output, 'Error: bad Symbol(s) 5n');
    assert.equal((await sb.runCell('print("one"); print("two")')).output, 'one\ntwo');
    assert.equal((await sb.runCell('console.log("via console", [1])')).output, 'via console [\n  1\n]');
  });
});

test('syntax errors name the line', async () => {
  await withSandbox({}, async (sb) => {
    const r = await sb.runCell('let a = 1;\nlet b = 2;\nlet c = ;');
    assert.equal(r.error?.name, 'SyntaxError');
    assert.equal(r.error?.line, 3);
    assert.match(r.output, /^SyntaxError: unexpected token \(line 3\)$/);
    assert.equal((await sb.runCell('typeof a')).output, 'undefined', 'a cell with a syntax error does not run');
  });
});

test('runtime exceptions name the line of the cell', async () => {
  await withSandbox({}, async (sb) => {
    const r = await sb.runCell('print("start");\nconst v = 1;\nnull.boom;');
    assert.equal(r.error?.name, 'TypeError');
    assert.equal(r.error?.line, 3);
    assert.match(r.output, /^start\nTypeError: .*\(line 3\)$/);
    const thrown = await sb.runCell('function f() {\n  throw new RangeError("deep")\n}\n\nf()');
    assert.equal(thrown.output, 'RangeError: deep (line 2)');
    const nonError = await sb.runCell('throw "plain"');
    assert.equal(nonError.output, 'Uncaught: plain');
    const async = await sb.runCell('await null;\n\nundefinedThing()');
    assert.equal(async.error?.line, 3);
  });
});

test('helpers: sync and async results, JSON crossing, RegExp arguments', async () => {
  const seen: unknown[][] = [];
  const helpers = {
    echo: (...args: unknown[]) => {
      seen.push(args);
      return args;
    },
    asyncEcho: async (v: unknown) => ({ got: v }),
    nothing: () => undefined,
  };
  await withSandbox({ helpers }, async (sb) => {
    assert.equal((await sb.runCell('echo(1, "a", { b: [true] }).length')).output, '3');
    assert.deepEqual(seen.at(-1), [1, 'a', { b: [true] }]);
    await sb.runCell('echo(/foo.*bar/gi, { pattern: /x/ })');
    assert.deepEqual(seen.at(-1), [{ source: 'foo.*bar', flags: 'gi' }, { pattern: { source: 'x', flags: '' } }]);
    assert.equal((await sb.runCell('(await asyncEcho("v")).got')).output, 'v');
    assert.equal((await sb.runCell('typeof nothing()')).output, 'undefined');
    assert.equal((await sb.runCell('echo.name')).output, 'echo');
  });
});

test('host errors surface as catchable errors with the host message', async () => {
  const helpers = {
    syncFail: () => {
      throw new TypeError('pattern must be a string');
    },
    asyncFail: async () => {
      throw new Error('file not found: x.ts');
    },
    badValue: () => ({ n: 1n }),
  };
  await withSandbox({ helpers }, async (sb) => {
    const caught = await sb.runCell(
      'try { syncFail() } catch (e) { print(e instanceof TypeError, e.message) }\n' +
        'try { await asyncFail() } catch (e) { print(e instanceof Error, e.message) }',
    );
    assert.equal(caught.output, 'true pattern must be a string\ntrue file not found: x.ts');
    const uncaught = await sb.runCell('const first = 1;\nawait asyncFail()');
    assert.deepEqual(uncaught.error, { name: 'Error', message: 'file not found: x.ts', line: 2 });
    const rejected = await sb.runCell('await asyncFail().catch((e) => "handled: " + e.message)');
    assert.equal(rejected.output, 'handled: file not found: x.ts');
    const bad = await sb.runCell('badValue()');
    assert.match(bad.error?.message ?? '', /cannot be converted to JSON/);
  });
});

test('helpers, print and globals are restored after overwrite, delete or defineProperty', async () => {
  let calls = 0;
  const helpers = {
    grep: () => {
      calls++;
      return 'found';
    },
  };
  await withSandbox({ helpers, globals: { context: { question: 'why?' } } }, async (sb) => {
    await sb.runCell(
      [
        'grep = null;',
        'try { delete globalThis.grep } catch (e) {}',
        'try { Object.defineProperty(globalThis, "grep", { value: () => "fake", configurable: false }) } catch (e) {}',
        'try { Object.defineProperty(globalThis, "print", { get() { return () => {} } }) } catch (e) {}',
        'try { context = "replaced"; context.question = "changed" } catch (e) {}',
        'try { globalThis.console = null } catch (e) {}',
      ].join('\n'),
    );
    const r = await sb.runCell('print(grep(), context.question); console.log("ok")');
    assert.equal(r.output, 'found why?\nok');
    assert.equal(calls, 1);
    const redeclare = await sb.runCell('const grep = 5');
    assert.equal(redeclare.error?.name, 'TypeError');
    assert.match(redeclare.error?.message ?? '', /"grep" is a built-in/);
    assert.equal((await sb.runCell('typeof grep')).output, 'function');
  });
});

test('the prelude can wrap helpers and its definitions are protected too', async () => {
  const helpers = { rawQuery: (q: unknown) => `answer to ${String(q)}` };
  const prelude = 'async function ask(q) { return (await rawQuery(q)).toUpperCase() }\nconst VERSION = 3;';
  await withSandbox({ helpers, prelude }, async (sb) => {
    assert.equal((await sb.runCell('await ask("x")')).output, 'ANSWER TO X');
    await sb.runCell('try { ask = null } catch (e) {}\ntry { Object.defineProperty(globalThis, "VERSION", { value: 0 }) } catch (e) {}');
    assert.equal((await sb.runCell('print(await ask("y"), VERSION)')).output, 'ANSWER TO Y 3');
  });
  await assert.rejects(Sandbox.create({ helpers: {}, prelude: 'let = ;' }), /sandbox prelude: SyntaxError/);
});

test('cancellation through AbortSignal stops the running cell promptly', async () => {
  const helpers = { slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 3000).unref()) };
  await withSandbox({ helpers }, async (sb) => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sb.runCell('print("started");\nawait slow();\nprint("never")', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const r = await pending;
    assert.equal(r.error?.message, 'cancelled');
    assert.equal(r.output, 'started\nError: cancelled');
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    const already = new AbortController();
    already.abort();
    assert.equal((await sb.runCell('print("x")', { signal: already.signal })).error?.message, 'cancelled');
    assert.equal((await sb.runCell('print("next")')).output, 'next');
  });
});

test('a helper promise from a finished cell never runs code inside a later cell', async () => {
  const helpers = { after: (ms: unknown) => new Promise((resolve) => setTimeout(() => resolve(ms), Number(ms))) };
  await withSandbox({ helpers }, async (sb) => {
    await sb.runCell('after(100).then(() => print("LATE"))');
    const r = await sb.runCell('await after(300); print("mine")');
    assert.equal(r.output, 'mine');
  });
});

test('cells queue: concurrent runCell calls run one after another', async () => {
  const helpers = { wait: (ms: unknown) => new Promise((resolve) => setTimeout(resolve, Number(ms))) };
  await withSandbox({ helpers }, async (sb) => {
    const first = sb.runCell('let order = ["a"]; await wait(50); order.push("b")');
    const second = sb.runCell('order.push("c"); print(order.join(""))');
    const [, r2] = await Promise.all([first, second]);
    assert.equal(r2.output, 'abc');
  });
});

test('dispose while a host call is in flight does not crash and is idempotent', async () => {
  let settled = false;
  const helpers = {
    slow: () =>
      new Promise((resolve) =>
        setTimeout(() => {
          settled = true;
          resolve('done');
        }, 80),
      ),
  };
  const sb = await Sandbox.create({ helpers });
  const pending = sb.runCell('await slow()');
  await sleep(20);
  sb.dispose();
  sb.dispose();
  const r = await pending;
  assert.match(r.error?.message ?? '', /disposed/);
  await sleep(120);
  assert.equal(settled, true, 'the host promise settled after dispose without crashing');
  const after = await sb.runCell('1');
  assert.match(after.error?.message ?? '', /disposed/);

  // dispose between cells, with an abandoned call still pending
  const sb2 = await Sandbox.create({ helpers });
  await sb2.runCell('slow()');
  sb2.dispose();
  await sleep(120);
});

test('invalid options are rejected', async () => {
  await assert.rejects(Sandbox.create({ helpers: { 'not valid': () => 1 } }), /not a valid global name/);
  await assert.rejects(Sandbox.create({ helpers: { print: () => 1 } }), /reserved/);
  await assert.rejects(Sandbox.create({ helpers: { a: () => 1 }, globals: { a: 1 } }), /both a helper and a global/);
});
