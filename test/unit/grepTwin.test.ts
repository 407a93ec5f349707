import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { AWAITED_HELPERS, createHelpers } from '../../src/core/rlm/helpers';
import { Sandbox } from '../../src/core/sandbox/sandbox';
import { FileMap } from '../../src/core/workspace/fileMap';
import { cliRipgrep } from '../../src/cli/ripgrepBinary';

/**
 * The REPL's grep where a cell may await runs asynchronously (ripgrep as a child process, workers): the model's code
 * is unchanged and sees the same matches, and the host's event loop keeps turning meanwhile — in VS Code, the
 * extension host is not held while a large workspace is searched.
 */
test('grep in a cell: same matches as the synchronous helper, with the host event loop free while it runs', async () => {
  let provisional: FileMap | undefined;
  const complete = await FileMap.load(path.resolve(__dirname, '../../../node_modules'), { ripgrep: cliRipgrep(), onListed: (m) => (provisional = m) });
  for (const map of [provisional!, complete]) {
    const helpers = createHelpers({
      map, concurrency: 1, grepTimeoutMs: 60_000, llmQuery: async () => '', rlmQuery: async () => '', onFinish: () => undefined,
    });
    const sandbox = await Sandbox.create({ helpers, awaited: AWAITED_HELPERS, timeoutMs: 120_000 });
    try {
      let ticks = 0;
      let longest = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        ticks++;
      }, 5);
      map.cache.clear();
      const cell = await sandbox.runCell('const hits = grep(/function\\s+\\w+\\(/, { maxResults: 10000 });\nprint(hits.length)');
      clearInterval(timer);
      assert.equal(cell.error, undefined, JSON.stringify(cell.error));
      map.cache.clear();
      const sync = await sandbox.runCell('const again = [1].map(() => grep(/function\\s+\\w+\\(/, { maxResults: 10000 }))[0];\nprint(again.length, JSON.stringify(again) === JSON.stringify(hits))');
      const count = Number(cell.output.trim());
      assert.equal(sync.output.trim(), `${count} true`, `${map.measuring ? 'provisional' : 'complete'} map`);
      assert.ok(count > 1000, `${count} matches`);
      assert.ok(ticks > 3, `the event loop turned ${ticks} times during the grep`);
      assert.ok(longest < 1000, `longest pause ${longest.toFixed(0)} ms`);
    } finally {
      sandbox.dispose();
    }
  }
});
