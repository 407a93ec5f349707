import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Sandbox } from '../../src/core/sandbox/sandbox';

// Every attempt below must fail to reach a host capability. The common checks: the host's secret
// environment value never shows up, the target file is never created, host objects are unchanged.
const SECRET = `recurse-secret-${process.pid}-${Date.now()}`;
const HOST_MARKER = 'HOST_SOURCE_MARKER_9f3a';
let dir: string;
let target: string;
let sb: Sandbox;
const hostData = { name: 'original', nested: { n: 1 } };
const received: unknown[] = [];

before(async () => {
  process.env.RECURSE_SANDBOX_TEST_SECRET = SECRET;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-sandbox-escape-'));
  target = path.join(dir, 'pwned.txt');
  sb = await Sandbox.create({
    helpers: {
      record: (...args: unknown[]) => {
        received.push(args[0]);
        return 'recorded';
      },
      getData: () => hostData,
      describeHelper: () => `${HOST_MARKER} lives only in host source`,
    },
    globals: { context: { target } },
    timeoutMs: 500,
  });
});

after(() => {
  sb.dispose();
  delete process.env.RECURSE_SANDBOX_TEST_SECRET;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function attempt(code: string): Promise<string> {
  const r = await sb.runCell(code);
  assert.ok(!r.output.includes(SECRET), `secret leaked by: ${code}\n${r.output}`);
  assert.equal(fs.existsSync(target), false, `file created by: ${code}`);
  return r.output;
}

const NO_HOST_GLOBALS = /\b(process|require|module|Buffer|setImmediate|__dirname)\b/;

test('1. require is not defined', async () => {
  assert.match(await attempt('require("fs").writeFileSync(context.target, "x")'), /ReferenceError: 'require' is not defined/);
});

test('2. process is not defined', async () => {
  assert.match(await attempt('print(process.env.RECURSE_SANDBOX_TEST_SECRET)'), /ReferenceError: 'process' is not defined/);
});

test('3. dynamic import() of node modules fails', async () => {
  assert.match(await attempt('const fsm = await import("fs");\nfsm.writeFileSync(context.target, "x")'), /could not load module 'fs'/);
  assert.match(await attempt('await import("node:child_process")'), /could not load module/);
});

test('4. std/os modules of quickjs-libc are not available', async () => {
  assert.match(await attempt('const std = await import("std"); std.open(context.target, "w")'), /could not load module 'std'/);
  assert.match(await attempt('const o = await import("os"); o.exec(["touch", context.target])'), /could not load module 'os'/);
  assert.match(await attempt('import * as std from "std"'), /SyntaxError/);
  assert.equal(await attempt('typeof std + " " + typeof os + " " + typeof scriptArgs'), 'undefined undefined undefined');
});

test('5. the Function constructor reached via globalThis.constructor only sees the sandbox', async () => {
  assert.match(await attempt('globalThis.constructor.constructor("return process")()'), /'process' is not defined/);
});

test('6. this.constructor and Function("return this") yield the sandbox global, without host objects', async () => {
  const keys = await attempt('Object.getOwnPropertyNames(Function("return this")()).join(" ")');
  assert.doesNotMatch(keys, NO_HOST_GLOBALS);
  assert.match(keys, /\bprint\b/);
  const viaThis = await attempt('Object.getOwnPropertyNames(this.constructor.constructor("return this")()).join(" ")');
  assert.doesNotMatch(viaThis, NO_HOST_GLOBALS);
});

test('7. a helper function constructor reaches nothing from the host', async () => {
  assert.match(await attempt('record.constructor("return process.env")()'), /'process' is not defined/);
  assert.match(await attempt('print(Object.getPrototypeOf(record) === Function.prototype)'), /true/);
});

test('8. the raw host bridge is not reachable', async () => {
  const out = await attempt('Reflect.ownKeys(globalThis).map(String).join(" ")');
  assert.doesNotMatch(out, /hostCall|hostWrite/);
  assert.equal(await attempt('typeof hostCall + typeof hostWrite'), 'undefinedundefined');
});

test('9. helper source is not the host source', async () => {
  const out = await attempt('print(describeHelper.toString()); print(record.toString())');
  assert.doesNotMatch(out, /received\.push|HOST_SOURCE_MARKER_9f3a lives/);
});

test('10. fetch, XMLHttpRequest and WebSocket do not exist', async () => {
  assert.match(await attempt('await fetch("http://127.0.0.1:1/")'), /'fetch' is not defined/);
  assert.match(await attempt('new XMLHttpRequest()'), /'XMLHttpRequest' is not defined/);
  assert.match(await attempt('new WebSocket("ws://127.0.0.1:1/")'), /'WebSocket' is not defined/);
});

test('11. timers are absent', async () => {
  assert.equal(
    await attempt('[typeof setTimeout, typeof setInterval, typeof setImmediate, typeof queueMicrotask].join(" ")'),
    'undefined undefined undefined undefined',
  );
});

test('12. WebAssembly is absent', async () => {
  assert.equal(await attempt('typeof WebAssembly'), 'undefined');
});

test('13. SharedArrayBuffer crosses only as JSON and Atomics cannot block the host', async () => {
  assert.equal(await attempt('typeof Atomics'), 'undefined');
  received.length = 0;
  await attempt('record(new SharedArrayBuffer(16))');
  assert.deepEqual(received, [{}]);
  assert.equal(received[0] instanceof SharedArrayBuffer, false);
});

test('14. Object.prototype pollution inside the sandbox does not touch host objects', async () => {
  received.length = 0;
  await attempt('Object.prototype.polluted = "yes"; Array.prototype.evil = 1; record({ plain: 1 })');
  const plain = {} as Record<string, unknown>;
  assert.equal(plain.polluted, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).evil, undefined);
  const got = received[0] as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.equal(got.polluted, undefined);
  await attempt('delete Object.prototype.polluted; delete Array.prototype.evil');
});

test('15. a __proto__ key in an argument does not pollute the host', async () => {
  received.length = 0;
  await attempt('record(JSON.parse(\'{"__proto__": {"hostPolluted": true}}\'))');
  assert.equal(({} as Record<string, unknown>).hostPolluted, undefined);
  assert.equal((received[0] as Record<string, unknown>).hostPolluted, undefined);
});

test('16. mutating a helper result does not change the host object', async () => {
  await attempt('const d = getData(); d.name = "hacked"; d.nested.n = 99; Object.setPrototypeOf(d, null)');
  assert.deepEqual(hostData, { name: 'original', nested: { n: 1 } });
  assert.equal(await attempt('getData().name'), 'original');
});

test('17. caller/arguments of helpers expose nothing', async () => {
  const out = await attempt(
    'const r = []; for (const k of ["caller", "arguments"]) { try { r.push(String(record[k])) } catch (e) { r.push(e.name) } }\nprint(r.join(" "))',
  );
  assert.doesNotMatch(out, NO_HOST_GLOBALS);
  assert.match(out, /TypeError TypeError/);
});

test('18. eval and indirect eval stay inside the sandbox', async () => {
  assert.equal(await attempt('eval("typeof process") + " " + (0, eval)("typeof require")'), 'undefined undefined');
});

test('19. overwriting intrinsics used by the bridge breaks neither printing nor helpers', async () => {
  const out = await attempt(
    'JSON.stringify = () => "spoofed"; JSON.parse = () => ({ value: "spoofed" }); Function.prototype.call = null;\n' +
      'Promise.prototype.then = function () { return "spoofed" };\nprint(record("x"), { a: 1 })',
  );
  assert.equal(out, 'recorded {\n  "a": 1\n}');
});

test('20. getters and toJSON in helper arguments run inside the sandbox under its deadline', async () => {
  const out = await attempt('record({ toJSON() { while (true) {} } })');
  assert.match(out, /time limit/);
  assert.equal(await attempt('"still usable"'), 'still usable');
});

test('21. error stacks reveal no host paths', async () => {
  const out = await attempt('try { await Promise.reject(new Error("x")) } catch (e) { print(e.stack) }\nprint(new Error("y").stack)');
  assert.doesNotMatch(out, /node_modules|\/work\/|file:\/\/|\.ts:/);
});

test('22. Proxy and Reflect cannot reach past the global object', async () => {
  const out = await attempt(
    'const p = new Proxy(globalThis, { get: (t, k) => t[k] });\nprint(typeof p.process, typeof Reflect.get(globalThis, "require"))',
  );
  assert.equal(out, 'undefined undefined');
});

test('23. the global object prototype chain holds no host objects', async () => {
  const out = await attempt(
    'let o = globalThis; const names = []; while (o) { names.push(...Object.getOwnPropertyNames(o)); o = Object.getPrototypeOf(o) }\nprint(names.join(" "))',
  );
  assert.doesNotMatch(out, NO_HOST_GLOBALS);
});

test('24. the context global is read-only and deep-frozen', async () => {
  await attempt('try { context.target = "/tmp/elsewhere" } catch (e) {}\ntry { context = {} } catch (e) {}');
  assert.equal(await attempt('context.target'), target);
});
