// Component tests of the chat webview's history (the `history` host message sent after the ready handshake) and
// of Copy answer, in a real Chromium under the extension's CSP (see webviewHarness.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useChat } from './webviewHarness.mjs';

const INIT = { type: 'init', version: 1, model: 'test-model', provider: 'openai', workspaceName: 'shop', configured: true };
const ANSWER = 'Tax is computed in `computeTax` (src/orders/pricing.ts:3-5), not in src/ghost.ts:1.';
const at = (raw) => ({ offset: ANSWER.indexOf(raw), length: raw.length, raw });
const CITATIONS = [
  { ...at('src/orders/pricing.ts:3-5'), path: 'src/orders/pricing.ts', folder: 'shop', startLine: 3, endLine: 5, valid: true },
  { ...at('src/ghost.ts:1'), path: 'src/ghost.ts', folder: 'shop', startLine: 1, endLine: 1, valid: false, reason: 'no such file in the workspace' },
];
const ANSWERED = {
  runId: 'h-1', question: 'Where is tax computed?', startedAt: Date.now() - 60_000, durationMs: 4200, status: 'answered',
  answer: ANSWER, citations: CITATIONS, usage: { totalTokens: 1234, iterations: 2, subCalls: 0, cost: 0.0042 }, forced: false,
  turns: [
    { turn: 1, text: 'Let me grep.', cells: [{ cell: 1, code: 'print(grep("computeTax"))', output: 'src/orders/pricing.ts:3' }] },
    { turn: 2, text: '', cells: [{ cell: 1, code: 'finish("...")', output: '' }] },
  ],
};
const INTERRUPTED = {
  runId: 'h-2', question: 'What about refunds?', startedAt: Date.now() - 30_000, durationMs: 9000, status: 'failed',
  error: 'Interrupted: the window was reloaded before this question was answered.',
};

const chats = useChat();

describe('chat history in the webview', () => {
  test('renders stored runs as finished runs with working citations, the trajectory summary and failures', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'history', runs: [ANSWERED, INTERRUPTED] });
      const runs = page.locator('section.run');
      await runs.first().locator('.question', { hasText: 'Where is tax computed?' }).waitFor();
      assert.equal(await runs.count(), 2);
      assert.equal(await page.locator('.empty').isVisible(), false);

      const first = runs.first();
      assert.equal(await first.locator('.run-state').textContent(), 'Answered');
      assert.match(await first.locator('.run-stats').textContent(), /1\.2k tokens · \$0\.0042 · 4\.2 s/);
      const link = first.locator('.answer a.citation[data-path="src/orders/pricing.ts"]');
      assert.equal(await link.textContent(), 'src/orders/pricing.ts:3-5');
      const invalid = first.locator('.answer .citation.invalid');
      assert.equal(await invalid.textContent(), 'src/ghost.ts:1');
      assert.equal(await invalid.evaluate((e) => getComputedStyle(e).textDecorationLine), 'line-through');
      assert.equal(await first.locator('.answer a', { hasText: 'ghost' }).count(), 0);
      await chat.clearPosted();
      await link.click();
      await invalid.click();
      assert.deepEqual(await chat.posted(), [{ type: 'openCitation', path: 'src/orders/pricing.ts', startLine: 3, endLine: 5, folder: 'shop' }]);

      // The trajectory summary is there, folded like any answered run's.
      const trajectory = first.locator('details.trajectory');
      assert.equal(await trajectory.getAttribute('open'), null);
      assert.equal(await first.locator('.trajectory-summary').textContent(), 'Trajectory · 2 turns · 0 sub-calls');
      await first.locator('.trajectory-summary').click();
      await first.locator('details.cell > summary').first().click();
      await first.locator('details.cell code', { hasText: 'print(grep("computeTax"))' }).waitFor();
      assert.equal(await first.locator('.cell-output').first().textContent(), 'src/orders/pricing.ts:3');

      const second = runs.nth(1);
      assert.equal(await second.locator('.run-state').textContent(), 'Failed');
      assert.match(await second.getByRole('alert').textContent(), /Interrupted: the window was reloaded/);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'nothing is running');
      assert.equal(await page.getByRole('button', { name: 'Ask', exact: true }).isEnabled(), true);
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('the extension\'s history wins over the view\'s own stored state: no duplicates, no run left running', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      // What this view saw before: the answered run, then a run that was still going when the window reloaded.
      await chat.send({ type: 'runStarted', runId: 'h-1', question: 'Where is tax computed?', startedAt: ANSWERED.startedAt });
      await chat.send({ type: 'answer', runId: 'h-1', answer: ANSWER, citations: CITATIONS, usage: ANSWERED.usage, forced: false, durationMs: 4200 });
      await chat.send({ type: 'runStarted', runId: 'h-2', question: 'What about refunds?', startedAt: Date.now() });
      await page.getByRole('button', { name: 'Cancel' }).waitFor();
      await page.waitForTimeout(50);

      await page.reload(); // the new view restores its own copy first
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await page.locator('section.run[data-status="running"]').waitFor();
      await chat.send(INIT);
      await chat.send({ type: 'history', runs: [ANSWERED, INTERRUPTED] });
      await page.locator('section.run[data-status="failed"]').waitFor();
      assert.deepEqual(await page.locator('section.run .question').allTextContents(), ['Where is tax computed?', 'What about refunds?']);
      assert.equal(await page.locator('section.run[data-status="running"]').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
      assert.equal(await page.locator('a.citation[data-path="src/orders/pricing.ts"]').count(), 1);

      // New Chat: the host's `cleared` empties the view.
      await chat.send({ type: 'cleared' });
      await page.locator('.empty').waitFor();
      assert.equal(await page.locator('section.run').count(), 0);
    } finally {
      await chat.close();
    }
  });

  test('a run still going in the extension keeps streaming after the handshake', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'history', runs: [ANSWERED], active: { runId: 'live', question: 'Still thinking?', startedAt: Date.now() - 2000 } });
      const live = page.locator('section.run[data-status="running"]');
      await live.locator('.question', { hasText: 'Still thinking?' }).waitFor();
      await page.getByRole('button', { name: 'Cancel' }).waitFor();
      await chat.send({ type: 'event', runId: 'live', event: { type: 'run-start', runId: 'rlm-live', depth: 0, question: 'Still thinking?', files: 3 } });
      await chat.send({ type: 'event', runId: 'live', event: { type: 'turn', runId: 'rlm-live', depth: 0, turn: 1, maxTurns: 6 } });
      await live.getByText('Turn 1 / 6').waitFor();
      await chat.send({ type: 'answer', runId: 'live', answer: 'Yes.', citations: [], usage: { totalTokens: 10, iterations: 1, subCalls: 0 }, forced: false, durationMs: 2500 });
      await page.locator('section.run').nth(1).locator('.run-state', { hasText: 'Answered' }).waitFor();
      assert.equal(await page.locator('section.run').count(), 2);
    } finally {
      await chat.close();
    }
  });

  test('Copy answer asks the extension to copy the answer markdown', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'history', runs: [ANSWERED] });
      await chat.clearPosted();
      const copy = page.getByRole('button', { name: 'Copy answer' });
      await copy.click();
      assert.deepEqual(await chat.posted(), [{ type: 'copy', text: ANSWER }]);
      await page.getByRole('button', { name: 'Copied' }).waitFor();
      assert.equal(await page.locator('[aria-live="polite"]').textContent(), 'Answer copied');
      await copy.waitFor({ timeout: 3000 }); // the label comes back
    } finally {
      await chat.close();
    }
  });
});
