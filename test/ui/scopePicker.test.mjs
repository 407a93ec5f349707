// Component tests of the chat's scope picker (the `scopes` host message, `setScope` back) and of the scope shown
// with each answer, in a real Chromium under the extension's CSP (see webviewHarness.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useChat } from './webviewHarness.mjs';

const INIT = { type: 'init', version: 1, model: 'test-model', provider: 'openai', workspaceName: 'mono', configured: true };
const SCOPES = {
  type: 'scopes',
  current: 'workspace',
  choices: [
    { id: 'workspace', kind: 'workspace', label: 'Whole workspace', detail: 'mono' },
    { id: 'package:mono:@mono/core', kind: 'package', label: '@mono/core', folder: 'mono', spec: '@mono/core', detail: 'packages/core' },
    { id: 'package:mono:@mono/ui', kind: 'package', label: '@mono/ui', folder: 'mono', spec: '@mono/ui', detail: 'packages/ui' },
    { id: 'pick-directory', kind: 'directory', label: 'Directory…', folder: 'mono' },
  ],
};
const USAGE = { totalTokens: 10, iterations: 1, subCalls: 0 };

const chats = useChat();

describe('scope picker in the webview', () => {
  test('renders the host\'s choices, posts setScope for a choice and follows the host\'s current scope', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      const picker = page.getByLabel(/^Scope/);
      assert.equal(await page.locator('.scope-bar').isVisible(), false, 'no picker before the host sends choices');
      await chat.send(SCOPES);
      await picker.waitFor();
      assert.deepEqual(await picker.locator('option').allTextContents(), ['Whole workspace', '@mono/core', '@mono/ui', 'Directory…']);
      assert.equal(await picker.inputValue(), 'workspace');
      assert.equal(await picker.getAttribute('aria-label'), 'Scope: Whole workspace');

      await chat.clearPosted();
      await picker.selectOption({ label: '@mono/core' });
      assert.deepEqual(await chat.posted(), [{ type: 'setScope', kind: 'package', folder: 'mono', spec: '@mono/core' }]);
      assert.equal(await picker.inputValue(), 'workspace', 'the picker waits for the host to confirm');
      await chat.send({ ...SCOPES, current: 'package:mono:@mono/core' });
      await page.waitForFunction(() => document.querySelector('.scope-select').value === 'package:mono:@mono/core');
      assert.equal(await picker.getAttribute('aria-label'), 'Scope: @mono/core');

      // "Directory…" asks the host for its own picker: no spec is sent.
      await chat.clearPosted();
      await picker.selectOption({ label: 'Directory…' });
      assert.deepEqual(await chat.posted(), [{ type: 'setScope', kind: 'directory', folder: 'mono' }]);
      assert.equal(await picker.inputValue(), 'package:mono:@mono/core');

      await chat.clearPosted();
      await picker.selectOption({ label: 'Whole workspace' });
      assert.deepEqual(await chat.posted(), [{ type: 'setScope', kind: 'workspace' }]);

      // The choice survives hiding the view (the state is stored).
      await page.reload();
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await page.locator('.scope-select').waitFor();
      assert.equal(await page.locator('.scope-select').inputValue(), 'package:mono:@mono/core');
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('every answer shows the scope it was given in, also from the history', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send(SCOPES);
      await chat.send({ type: 'runStarted', runId: 'r1', question: 'Where is add?', startedAt: Date.now() });
      await chat.send({
        type: 'answer', runId: 'r1', answer: 'In math.ts.', citations: [], usage: USAGE, forced: false, durationMs: 900,
        scope: { kind: 'package', label: '@mono/core (packages/core)', folder: 'mono', spec: '@mono/core' },
      });
      const run = page.locator('section.run').first();
      await run.locator('.answer-scope', { hasText: 'Scope: @mono/core (packages/core)' }).waitFor();
      await chat.send({ type: 'runStarted', runId: 'r2', question: 'And the UI?', startedAt: Date.now() });
      await chat.send({ type: 'answer', runId: 'r2', answer: 'Elsewhere.', citations: [], usage: USAGE, forced: false, durationMs: 900, scope: { kind: 'workspace', label: 'Whole workspace' } });
      await page.locator('section.run').nth(1).locator('.answer-scope', { hasText: 'Scope: Whole workspace' }).waitFor();

      await chat.send({
        type: 'history',
        runs: [
          { runId: 'h1', question: 'Old question', startedAt: Date.now() - 5000, durationMs: 100, status: 'answered', answer: 'Old.', citations: [], usage: USAGE, forced: false, scope: { kind: 'directory', label: 'apps/web', folder: 'mono', spec: 'apps/web' } },
          { runId: 'h2', question: 'Before scopes', startedAt: Date.now() - 4000, durationMs: 100, status: 'answered', answer: 'Older.', citations: [], usage: USAGE, forced: false },
        ],
      });
      await page.locator('section.run .question', { hasText: 'Old question' }).waitFor();
      const runs = page.locator('section.run');
      assert.equal(await runs.first().locator('.answer-scope').textContent(), 'Scope: apps/web');
      assert.equal(await runs.nth(1).locator('.answer-scope').isVisible(), false, 'a run from before scopes shows none');
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('malformed scopes messages are ignored', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'scopes', current: 'workspace', choices: [{ id: 1, label: 'x', kind: 'workspace' }] });
      await chat.send({ type: 'scopes', current: 7, choices: [] });
      await page.waitForTimeout(100);
      assert.equal(await page.locator('.scope-bar').isVisible(), false);
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });
});
