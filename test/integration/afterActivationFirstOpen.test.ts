import * as assert from 'node:assert/strict';
import { connectModelServer, folder, js, script } from './helpers';

/**
 * The window's first question: this file sorts after activation.test.js (which wants the extension not yet active)
 * and before every suite that asks anything. A tree larger than
 * RECURSE_SMALL_TREE_FILES starts on its listing while the files are measured: runExtensionTests.mjs runs the
 * single-folder suites once as they are (a small tree: the complete map) and once with the variable at 0 (the
 * `listing` phase: every suite's first question then runs on a provisional map). Either way the answer is the same.
 */
describe('first open of a folder', () => {
  it('a first question starts on the listing (large tree) or the complete map (small tree), with the same cited answer', async function () {
    this.timeout(60_000);
    const listing = (globalThis as { __recurseTestOptions?: { listing?: boolean } }).__recurseTestOptions?.listing === true;
    const { server, recurse } = await connectModelServer({ subModel: '', maxIterations: 4 });
    try {
      const first = script(server, [
        (ctx) => {
          assert.equal(/"measuring":/.test(ctx.lastUser), listing, `the metadata ${listing ? 'says' : 'does not say'} the files are still being measured:\n${ctx.lastUser.slice(0, 1500)}`);
          if (listing) assert.match(ctx.lastUser, /"bytes": -1/);
          return js('const hits = grep(/export function priceOrder/);\nconst defs = await findSymbol("priceOrder");\nprint(hits.map((h) => h.path + ":" + h.line).join(","), "|", defs.map((d) => d.path + ":" + d.line + "-" + d.endLine).join(","))');
        },
        (ctx) => {
          assert.match(ctx.lastUser, /src\/orders\/pricing\.ts:15 \| src\/orders\/pricing\.ts:15-25/, ctx.lastUser.slice(0, 800));
          return js('finish("Orders are priced in src/orders/pricing.ts:15-25, not in src/orders/pricing.ts:900.")');
        },
      ]);
      const outcome = await recurse.ask('Where are orders priced?');
      first.check();
      assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
      if (outcome.status !== 'answered') return;
      assert.deepEqual(outcome.citations.map((c) => [c.path, c.startLine, c.valid]), [['src/orders/pricing.ts', 15, true], ['src/orders/pricing.ts', 900, false]]);
      assert.match(outcome.citations[1].reason ?? '', /has \d+ lines/);

      // The complete map arrives behind the question, and the index builds on it; the next question has both.
      const indexed = await recurse.whenIndexed(folder());
      assert.ok(indexed.symbols > 0);
      const second = script(server, [
        (ctx) => {
          assert.doesNotMatch(ctx.lastUser, /"measuring":/);
          return js('finish("Still src/orders/pricing.ts:15.")');
        },
      ]);
      assert.equal((await recurse.ask('And now?')).status, 'answered');
      second.check();
    } finally {
      recurse.cancel();
      await server.close();
    }
  });
});
