import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageLedger } from '../../src/core/llm/usage';

const u = (p: number, c: number, estimated?: boolean) => ({
  promptTokens: p,
  completionTokens: c,
  totalTokens: p + c,
  ...(estimated ? { estimated } : {}),
});

test('totals per model and per depth', () => {
  const ledger = new UsageLedger();
  ledger.record('root', 0, u(1000, 100));
  ledger.record('root', 0, u(2000, 200));
  ledger.record('sub', 1, u(500, 50));
  ledger.record('sub', 2, u(300, 30, true));

  assert.equal(ledger.calls, 4);
  assert.equal(ledger.totalTokens, 4180);
  const total = ledger.total();
  assert.equal(total.promptTokens, 3800);
  assert.equal(total.completionTokens, 380);
  assert.equal(total.estimated, true);
  assert.equal(total.costUSD, undefined);

  const byModel = ledger.byModel();
  assert.deepEqual(byModel.root, { calls: 2, promptTokens: 3000, cachedPromptTokens: 0, completionTokens: 300, totalTokens: 3300, estimated: false });
  assert.equal(byModel.sub!.calls, 2);
  assert.equal(byModel.sub!.estimated, true);

  const byDepth = ledger.byDepth();
  assert.deepEqual(Object.keys(byDepth), ['0', '1', '2']);
  assert.equal(byDepth['0']!.totalTokens, 3300);
  assert.equal(byDepth['2']!.totalTokens, 330);
});

test('cost in USD from per-1M-token prices', () => {
  const ledger = new UsageLedger({ root: { input: 2, output: 8 }, sub: { input: 0.1, output: 0.4 } });
  ledger.record('root', 0, u(1_000_000, 500_000)); // 2 + 4
  ledger.record('sub', 1, u(2_000_000, 1_000_000)); // 0.2 + 0.4
  assert.ok(Math.abs(ledger.costUSD! - 6.6) < 1e-9);
  assert.ok(Math.abs(ledger.byModel().sub!.costUSD! - 0.6) < 1e-9);
  assert.ok(Math.abs(ledger.byDepth()['0']!.costUSD! - 6) < 1e-9);
});

test('cost is undefined when a used model has no price, but priced groups still show theirs', () => {
  const ledger = new UsageLedger({ root: { input: 1, output: 1 } });
  ledger.record('root', 0, u(1_000_000, 0));
  ledger.record('unpriced', 1, u(10, 10));
  assert.equal(ledger.costUSD, undefined);
  assert.equal(ledger.byModel().root!.costUSD, 1);
  assert.equal(ledger.byModel().unpriced!.costUSD, undefined);
});

test('toJSON is plain data that round-trips through JSON', () => {
  const ledger = new UsageLedger({ m: { input: 1, output: 2 } });
  ledger.record('m', 0, u(10, 20));
  const json = JSON.parse(JSON.stringify(ledger));
  assert.deepEqual(json, ledger.toJSON());
  assert.equal(json.total.totalTokens, 30);
  assert.equal(json.byModel.m.calls, 1);
  assert.equal(json.byDepth['0'].promptTokens, 10);
  assert.ok(Math.abs(json.total.costUSD! - 0.00005) < 1e-12);
});
