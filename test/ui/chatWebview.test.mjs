// Component tests of the chat webview bundle (media/dist/webview.js) in a real Chromium, under the same CSP as in
// VS Code. The host side is played by posting the protocol's messages into the page; assertions read what a user
// sees (text, links, buttons) and what the webview posts back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useChat } from './webviewHarness.mjs';

const RUN = 'run-1';
const ROOT = 'rlm-1';
const CHILD = 'rlm-2';
const INIT = { type: 'init', version: 1, model: 'test-model', provider: 'openai', workspaceName: 'shop', configured: true };
const ev = (event, runId = RUN) => ({ type: 'event', runId, event });

const ANSWER = [
  'Tax is computed in `computeTax` (src/orders/pricing.ts:3-5) and applied in [checkout](src/orders/checkout.ts:10).',
  '',
  'It is not in src/ghost.ts:1.',
].join('\n');

function citationsOf(answer) {
  const at = (raw) => ({ offset: answer.indexOf(raw), length: raw.length, raw });
  return [
    { ...at('src/orders/pricing.ts:3-5'), path: 'src/orders/pricing.ts', startLine: 3, endLine: 5, valid: true },
    { ...at('[checkout](src/orders/checkout.ts:10)'), path: 'src/orders/checkout.ts', startLine: 10, endLine: 10, valid: true },
    { ...at('src/ghost.ts:1'), path: 'src/ghost.ts', startLine: 1, endLine: 1, valid: false, reason: 'no such file in the workspace' },
  ];
}

const answerMessage = (answer = ANSWER, citations = citationsOf(answer), extra = {}) => ({
  type: 'answer', runId: RUN, answer, citations, forced: false, durationMs: 4200,
  usage: { totalTokens: 1234, iterations: 2, subCalls: 2, cost: 0.0042 }, ...extra,
});

const chats = useChat();

describe('chat webview', () => {
  test('says ready with the protocol version, then shows what init tells it', async () => {
    const chat = await chats.open();
    try {
      assert.deepEqual(await chat.posted(), [{ type: 'ready', version: 1 }]);
      const { page } = chat;
      await chat.send(INIT);
      await page.getByText('test-model · shop').waitFor();
      assert.equal(await page.getByRole('textbox', { name: 'Ask about this workspace' }).count(), 1);
      assert.equal(await page.getByRole('button', { name: 'Ask', exact: true }).isEnabled(), true);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'no Cancel while idle');
      assert.equal(await page.getByRole('button', { name: 'Configure model…' }).isVisible(), false, 'no setup notice with a model');
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('with no model configured the chat says so, with a Configure model… button; a question asked meanwhile is kept', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send({ ...INIT, configured: false, setupReason: 'No API key is set for https://api.openai.com/v1.' });
      const notice = page.getByRole('region', { name: 'No model configured' });
      await notice.waitFor();
      assert.match(await notice.textContent(), /No model configured.*Ollama.*No API key is set for https:\/\/api\.openai\.com\/v1\./s);
      await notice.getByRole('button', { name: 'Configure model…' }).click();
      assert.deepEqual((await chat.posted()).at(-1), { type: 'configureModel' });

      // Asked anyway: the host runs nothing and says why; the question goes back into the box.
      const box = page.getByLabel('Ask about this workspace');
      await box.fill('Where is tax computed?');
      await box.press('Enter');
      assert.deepEqual((await chat.posted()).at(-1), { type: 'ask', question: 'Where is tax computed?' });
      await chat.send({ type: 'needsModel', question: 'Where is tax computed?', reason: 'No API key is set for https://api.openai.com/v1.' });
      await page.getByRole('status').getByText(/no model is configured/).waitFor();
      assert.equal(await box.inputValue(), 'Where is tax computed?');
      assert.equal(await page.locator('section.run').count(), 0, 'no run was started');

      // Configured: the notice and the warning go.
      await chat.send(INIT);
      await notice.waitFor({ state: 'hidden' });
      assert.equal(await page.getByRole('status').isVisible(), false);
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('Enter sends the question, Shift+Enter adds a line, the Ask button sends too', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      const box = page.getByLabel('Ask about this workspace');
      await box.click();
      await page.keyboard.type('where is tax');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('computed?');
      assert.equal(await box.inputValue(), 'where is tax\ncomputed?');
      assert.equal((await chat.posted()).filter((m) => m.type === 'ask').length, 0);
      await page.keyboard.press('Enter');
      assert.deepEqual((await chat.posted()).at(-1), { type: 'ask', question: 'where is tax\ncomputed?' });
      assert.equal(await box.inputValue(), '', 'the box is cleared once sent');

      await page.keyboard.press('Enter');
      assert.equal((await chat.posted()).filter((m) => m.type === 'ask').length, 1, 'an empty box sends nothing');

      await box.fill('  second question  ');
      await page.getByRole('button', { name: 'Ask', exact: true }).click();
      assert.deepEqual((await chat.posted()).at(-1), { type: 'ask', question: 'second question' });
    } finally {
      await chat.close();
    }
  });

  test('streams turns, model text (dropping a retried attempt), cells, outputs and a nested sub-call tree', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'runStarted', runId: RUN, question: 'Where is tax computed?', startedAt: Date.now() });
      const run = page.locator('section.run');
      await run.getByText('Where is tax computed?').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).isVisible(), true);
      assert.equal(await page.getByRole('button', { name: 'Ask', exact: true }).isDisabled(), true);

      await chat.send(ev({ type: 'run-start', runId: ROOT, depth: 0, question: 'Where is tax computed?', files: 12 }));
      await chat.send(ev({ type: 'turn', runId: ROOT, depth: 0, turn: 1, maxTurns: 20 }));
      await chat.send(ev({ type: 'model-delta', runId: ROOT, depth: 0, turn: 1, text: 'FAILED ATTEMPT ' }));
      await run.getByText('FAILED ATTEMPT').waitFor();
      await chat.send(ev({ type: 'model-retry', runId: ROOT, depth: 0, turn: 1, attempt: 1, delayMs: 500, message: 'HTTP 429' }));
      await run.getByText('Retry 1 in 0.5 s: HTTP 429').waitFor();
      assert.equal(await run.getByText('FAILED ATTEMPT').count(), 0, 'deltas of the failed attempt are discarded');

      await chat.send(ev({ type: 'model-delta', runId: ROOT, depth: 0, turn: 1, text: 'Let me grep ' }));
      await chat.send(ev({ type: 'model-delta', runId: ROOT, depth: 0, turn: 1, text: 'for tax.' }));
      await run.locator('.model-text-body', { hasText: 'Let me grep for tax.' }).waitFor();
      await run.getByText('Turn 1 / 20').waitFor();
      await chat.send(ev({ type: 'model-text', runId: ROOT, depth: 0, turn: 1, text: 'Let me grep for tax.\n```js\ngrep("tax")\n```' }));
      await chat.send(ev({ type: 'cell-start', runId: ROOT, depth: 0, turn: 1, cell: 1, code: 'print(grep("tax"))' }));
      const cell = run.locator('details.cell').first();
      await cell.getByText('Cell 1 · running…').waitFor();
      assert.equal(await cell.locator('code').textContent(), 'print(grep("tax"))');

      await chat.send(ev({ type: 'subcall-start', runId: ROOT, id: 1, depth: 1, kind: 'rlm', prompt: 'Summarise src/orders' }));
      await chat.send(ev({ type: 'run-start', runId: CHILD, depth: 1, question: 'Summarise src/orders', files: 3 }));
      await chat.send(ev({ type: 'turn', runId: CHILD, depth: 1, turn: 1, maxTurns: 20 }));
      await chat.send(ev({ type: 'cell-start', runId: CHILD, depth: 1, turn: 1, cell: 1, code: 'llm_query("what does pricing do?")' }));
      await chat.send(ev({ type: 'subcall-start', runId: CHILD, id: 1, depth: 2, kind: 'llm', prompt: 'what does pricing do?' }));
      const top = cell.locator('li.subcall[data-depth="1"]');
      await top.getByText('rlm_query · depth 1').waitFor();
      const nested = top.locator('li.subcall[data-depth="2"]');
      await nested.getByText('llm_query · depth 2').waitFor();
      assert.equal(await nested.locator('.subcall-state').textContent(), 'running…');
      assert.equal(await top.locator('.child .turn-head').first().textContent(), 'Turn 1 / 20', 'the child RLM\'s turns are inside its sub-call');

      await chat.send(ev({ type: 'subcall-end', runId: CHILD, id: 1, depth: 2, kind: 'llm', ok: true, result: 'It computes prices.', durationMs: 800 }));
      await chat.send(ev({ type: 'cell-output', runId: CHILD, depth: 1, turn: 1, cell: 1, output: 'It computes prices.', durationMs: 810 }));
      await chat.send(ev({ type: 'subcall-end', runId: ROOT, id: 1, depth: 1, kind: 'rlm', ok: true, result: 'pricing.ts computes tax', durationMs: 1500 }));
      await chat.send(ev({ type: 'cell-output', runId: ROOT, depth: 0, turn: 1, cell: 1, output: 'src/orders/pricing.ts:3: export function computeTax', durationMs: 1600 }));
      await chat.send(ev({ type: 'usage', runId: ROOT, depth: 0, model: 'test-model', usage: { promptTokens: 900, completionTokens: 300, totalTokens: 1200 }, totalTokens: 1200, cost: 0.0031 }));
      await nested.locator('.subcall-state', { hasText: 'done · 0.8 s' }).waitFor();
      await cell.getByText('Cell 1 · 1.6 s').waitFor();
      assert.equal(await cell.locator(':scope > .cell-output').textContent(), 'src/orders/pricing.ts:3: export function computeTax');

      await page.locator('[data-counter="tokens"] .counter-value', { hasText: '1.2k' }).waitFor();
      assert.equal(await page.locator('[data-counter="cost"] .counter-value').textContent(), '$0.0031');
      assert.equal(await page.locator('[data-counter="subcalls"] .counter-value').textContent(), '2');
      const elapsed1 = await page.locator('[data-counter="elapsed"] .counter-value').textContent();
      await page.waitForFunction((before) => document.querySelector('[data-counter="elapsed"] .counter-value').textContent !== before, elapsed1, { timeout: 3000 });

      await chat.send(answerMessage());
      await run.locator('.answer').getByText('Tax is computed in').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'Cancel goes away with the answer');
      assert.equal(await run.locator('details.trajectory').getAttribute('open'), null, 'the trajectory folds once answered');
      assert.equal(await page.locator('[data-counter="tokens"] .counter-value').textContent(), '1.2k');
      assert.equal(await page.locator('[data-counter="elapsed"] .counter-value').textContent(), '4.2 s');
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('a reasoning model\'s thinking is shown folded, apart from what it said', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'runStarted', runId: RUN, question: 'Think first', startedAt: Date.now() });
      await chat.send(ev({ type: 'run-start', runId: ROOT, depth: 0, question: 'Think first', files: 3 }));
      await chat.send(ev({ type: 'turn', runId: ROOT, depth: 0, turn: 1, maxTurns: 20 }));
      await chat.send(ev({ type: 'model-delta', runId: ROOT, depth: 0, turn: 1, text: 'Should I finish now? ', thinking: true }));
      const thinking = page.locator('details.model-thinking');
      await thinking.locator('summary', { hasText: 'Thinking · 21 characters' }).waitFor();
      assert.equal(await thinking.getAttribute('open'), null, 'folded');
      await chat.send(ev({ type: 'model-text', runId: ROOT, depth: 0, turn: 1, text: 'Looking first.', thinking: 'Should I finish now? No: look first.' }));
      await thinking.locator('summary', { hasText: 'Thinking · 36 characters' }).waitFor();
      assert.equal(await thinking.locator('.model-thinking-body').textContent(), 'Should I finish now? No: look first.');
      assert.equal(await page.locator('.model-text-body').textContent(), 'Looking first.');
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('a sub-call answered from the cache shows a cached badge, and the answer what the cache saved', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'runStarted', runId: RUN, question: 'Twice', startedAt: Date.now() });
      await chat.send(ev({ type: 'run-start', runId: ROOT, depth: 0, question: 'Twice', files: 3 }));
      await chat.send(ev({ type: 'turn', runId: ROOT, depth: 0, turn: 1, maxTurns: 20 }));
      await chat.send(ev({ type: 'cell-start', runId: ROOT, depth: 0, turn: 1, cell: 1, code: 'await llm_query("a"); await llm_query("a")' }));
      await chat.send(ev({ type: 'subcall-start', runId: ROOT, id: 1, depth: 1, kind: 'llm', prompt: 'a' }));
      await chat.send(ev({ type: 'subcall-end', runId: ROOT, id: 1, depth: 1, kind: 'llm', ok: true, result: 'A', durationMs: 700 }));
      await chat.send(ev({ type: 'subcall-start', runId: ROOT, id: 2, depth: 1, kind: 'llm', prompt: 'a' }));
      await chat.send(ev({ type: 'subcall-end', runId: ROOT, id: 2, depth: 1, kind: 'llm', ok: true, result: 'A', durationMs: 0, cached: true }));
      const calls = page.locator('li.subcall');
      await calls.nth(1).locator('.subcall-state', { hasText: 'cached · no cost' }).waitFor();
      assert.equal(await calls.nth(0).locator('.subcall-state').textContent(), 'done · 0.7 s');
      assert.deepEqual(await calls.evaluateAll((els) => els.map((e) => e.classList.contains('cached'))), [false, true]);
      await page.getByText('Trajectory · 1 turn · 2 sub-calls (1 cached)').waitFor();
      await chat.send(answerMessage('Done.', [], { usage: { totalTokens: 500, iterations: 1, subCalls: 1, cachedSubCalls: 1, savedTokens: 1200 } }));
      await page.locator('.run-stats', { hasText: '1.2k tokens saved by the cache' }).waitFor();
      assert.deepEqual(chat.errors, []);
    } finally {
      await chat.close();
    }
  });

  test('valid citations are links that ask the extension to open the lines; invalid ones are marked, not linked', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'runStarted', runId: RUN, question: 'Where is tax computed?', startedAt: Date.now() - 4200 });
      await chat.send(answerMessage());
      const answer = page.locator('.answer');
      const link = answer.locator('a[data-path="src/orders/pricing.ts"]');
      await link.waitFor();
      assert.equal(await link.textContent(), 'src/orders/pricing.ts:3-5');
      assert.equal(await link.getAttribute('data-start-line'), '3');
      assert.equal(await link.getAttribute('data-end-line'), '5');
      assert.equal(await link.getAttribute('href'), null, 'no URL to navigate to');
      assert.equal(await answer.locator('code').first().textContent(), 'computeTax', 'markdown is rendered');

      const labelled = answer.locator('a[data-path="src/orders/checkout.ts"]');
      assert.equal(await labelled.textContent(), 'checkout', 'a markdown-link citation shows its label');

      const invalid = answer.locator('.citation.invalid');
      assert.equal(await invalid.textContent(), 'src/ghost.ts:1');
      assert.match(await invalid.getAttribute('title'), /no such file in the workspace/);
      assert.equal(await answer.locator('a', { hasText: 'src/ghost.ts' }).count(), 0);
      assert.equal(await invalid.evaluate((e) => getComputedStyle(e).textDecorationLine), 'line-through');

      await chat.clearPosted();
      await link.click();
      await invalid.click();
      assert.deepEqual(await chat.posted(), [{ type: 'openCitation', path: 'src/orders/pricing.ts', startLine: 3, endLine: 5 }]);

      await labelled.focus();
      await page.keyboard.press('Enter');
      assert.deepEqual((await chat.posted()).at(-1), { type: 'openCitation', path: 'src/orders/checkout.ts', startLine: 10, endLine: 10 });
      assert.equal(await page.url(), chats.url, 'nothing navigated');

      await page.getByRole('button', { name: 'Copy answer' }).waitFor();
    } finally {
      await chat.close();
    }
  });

  test('Cancel posts cancel at once; runCancelled ends the run and gives Ask back', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'runStarted', runId: RUN, question: 'A long one', startedAt: Date.now() });
      await chat.send(ev({ type: 'run-start', runId: ROOT, depth: 0, question: 'A long one', files: 1 }));
      await chat.send(ev({ type: 'turn', runId: ROOT, depth: 0, turn: 1, maxTurns: 20 }));
      await chat.send(ev({ type: 'cell-start', runId: ROOT, depth: 0, turn: 1, cell: 1, code: 'await llm_query_batched(["a", "b"])' }));
      await chat.send(ev({ type: 'subcall-start', runId: ROOT, id: 1, depth: 1, kind: 'llm', prompt: 'a' }));
      await chat.send(ev({ type: 'subcall-start', runId: ROOT, id: 2, depth: 1, kind: 'llm', prompt: 'b' }));
      await chat.send(ev({ type: 'subcall-end', runId: ROOT, id: 2, depth: 1, kind: 'llm', ok: true, result: 'B', durationMs: 300 }));
      const cell = page.locator('details.cell').first();
      await cell.getByText('Cell 1 · running…').waitFor();
      await chat.clearPosted();
      await page.getByRole('button', { name: 'Cancel' }).click();
      assert.deepEqual(await chat.posted(), [{ type: 'cancel' }]);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).isDisabled(), true, 'one cancel is enough');
      await page.locator('.run-state', { hasText: 'Cancelling…' }).waitFor();

      await chat.send({ type: 'runCancelled', runId: RUN });
      await page.locator('.run-state', { hasText: 'Cancelled' }).waitFor();
      // Nothing of a cancelled run is left "running…": the unfinished cell and sub-call say they were cancelled.
      assert.equal(await cell.locator('summary').first().textContent(), 'Cell 1 · cancelled');
      assert.equal(await cell.getAttribute('data-state'), 'cancelled');
      const calls = cell.locator('li.subcall .subcall-state');
      assert.deepEqual(await calls.allTextContents(), ['cancelled', 'done · 0.3 s'], 'the finished sub-call keeps its result');
      assert.equal(await page.getByText('running…').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Ask', exact: true }).isEnabled(), true);
    } finally {
      await chat.close();
    }
  });

  test('prefill, busy, status, runFailed and cleared are shown', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'prefill', question: 'Explain src/a.ts:1-4' });
      const box = page.getByLabel('Ask about this workspace');
      assert.equal(await box.inputValue(), 'Explain src/a.ts:1-4');
      await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');

      await page.keyboard.press('Enter');
      assert.equal(await box.inputValue(), '');
      await chat.send({ type: 'busy', message: 'A question is already running in this chat.' });
      await page.getByRole('status').getByText('A question is already running in this chat.').waitFor();
      assert.equal(await box.inputValue(), 'Explain src/a.ts:1-4', 'a refused question is handed back');

      await chat.send({ type: 'status', message: 'Indexing 120 files…' });
      await page.getByRole('status').getByText('Indexing 120 files…').waitFor();

      await chat.send({ type: 'runStarted', runId: RUN, question: 'Explain src/a.ts:1-4', startedAt: Date.now() });
      await chat.send({ type: 'runFailed', runId: RUN, message: 'HTTP 401: invalid API key' });
      await page.getByRole('alert').getByText('HTTP 401: invalid API key').waitFor();
      await page.locator('.run-state', { hasText: 'Failed' }).waitFor();
      await chat.clearPosted();
      await page.getByRole('button', { name: 'Show log' }).click();
      assert.deepEqual(await chat.posted(), [{ type: 'showLog' }]);

      await chat.send({ type: 'cleared' });
      await page.getByText('Ask a question about this workspace.').waitFor();
      assert.equal(await page.locator('section.run').count(), 0);
    } finally {
      await chat.close();
    }
  });

  test('the conversation and the draft survive the view being hidden and shown again', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send(INIT);
      await chat.send({ type: 'runStarted', runId: RUN, question: 'Where is tax computed?', startedAt: Date.now() - 4200 });
      await chat.send(ev({ type: 'run-start', runId: ROOT, depth: 0, question: 'Where is tax computed?', files: 12 }));
      await chat.send(ev({ type: 'turn', runId: ROOT, depth: 0, turn: 1, maxTurns: 20 }));
      await chat.send(ev({ type: 'cell-start', runId: ROOT, depth: 0, turn: 1, cell: 1, code: 'print(1)' }));
      await chat.send(answerMessage());
      await page.locator('a[data-path="src/orders/pricing.ts"]').waitFor();
      await page.getByLabel('Ask about this workspace').fill('a draft');
      await page.waitForTimeout(50);

      await page.reload(); // a webview is destroyed when hidden and rebuilt from getState when shown
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await page.locator('a[data-path="src/orders/pricing.ts"]').waitFor();
      assert.equal(await page.locator('section.run .question').textContent(), 'Where is tax computed?');
      assert.equal(await page.getByLabel('Ask about this workspace').inputValue(), 'a draft');
      await page.locator('section.run .trajectory-summary').click();
      await page.locator('details.cell > summary').click();
      await page.locator('details.cell code', { hasText: 'print(1)' }).waitFor();
      await page.locator('[data-counter="tokens"] .counter-value', { hasText: '1.2k' }).waitFor();
    } finally {
      await chat.close();
    }
  });

  test('the stylesheet takes its colours from VS Code\'s theme variables', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), 'rgb(204, 204, 204)');
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(30, 31, 34)');
      const ask = page.getByRole('button', { name: 'Ask', exact: true });
      assert.equal(await ask.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(0, 120, 212)');
    } finally {
      await chat.close();
    }
  });

  test('a long stream of deltas renders quickly and ends with the full text', async () => {
    const chat = await chats.open();
    try {
      const { page } = chat;
      await chat.send({ type: 'runStarted', runId: RUN, question: 'q', startedAt: Date.now() });
      const started = Date.now();
      await page.evaluate(() => {
        window.postMessage({ type: 'event', runId: 'run-1', event: { type: 'turn', runId: 'rlm-1', depth: 0, turn: 1, maxTurns: 5 } }, '*');
        for (let i = 0; i < 2000; i++) {
          window.postMessage({ type: 'event', runId: 'run-1', event: { type: 'model-delta', runId: 'rlm-1', depth: 0, turn: 1, text: `w${i} ` } }, '*');
        }
      });
      await page.locator('.model-text-body', { hasText: 'w1999' }).waitFor({ timeout: 5000 });
      const text = await page.locator('.model-text-body').textContent();
      assert.ok(text.startsWith('w0 w1 w2 ') && text.endsWith('w1999 '));
      assert.ok(Date.now() - started < 5000);
    } finally {
      await chat.close();
    }
  });
});
