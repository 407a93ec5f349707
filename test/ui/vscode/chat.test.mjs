// UI tests of the Recurse chat in a real VS Code (code-server + Chromium, see test/vscode/ui.mjs): the extension is
// loaded from this folder (built: dist/, media/dist/), pointed by its settings at the real-HTTP test model server
// (out/test/support/modelServer.js), and driven the way a user would: open the view, type, click.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { activeEditor, openViewContainer, runCommand, screenshot, waitForActiveEditor, webviewFrame } from '../../vscode/ui.mjs';
import { ROOT, js, modelServerClass, openRecurseWorkbench, requireBuilt, shoot, shopWorkspace, withEvidence } from './workbenchTest.mjs';


requireBuilt(['dist/extension.js', 'media/dist/webview.js', 'out/test/support/modelServer.js']);
const ModelServer = modelServerClass();

let server;
let wb;
let workspace;
/** What the scripted models answer; each test installs its own. */
let script = () => ({ fault: 'auth' });

async function chatFrame() {
  await openViewContainer(wb.page, 'Recurse');
  return webviewFrame(wb.page, { title: 'Chat' });
}

/**
 * Reloads the window and opens the chat again. While the reloaded workbench restores its layout, a click on the
 * activity-bar item can land before the side bar reports itself open and close it instead, so opening is retried.
 */
async function reloadAndOpenChat() {
  await wb.page.reload();
  await wb.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  let lastError;
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      await openViewContainer(wb.page, 'Recurse', { timeout: 5000 });
      return await webviewFrame(wb.page, { title: 'Chat', timeout: 15_000 });
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function ask(view, question) {
  const box = view.getByLabel('Ask about this workspace');
  await box.click();
  await box.fill(question);
  await box.press('Enter');
  await view.locator('section.run .question', { hasText: question }).waitFor({ timeout: 15_000 });
}

before(async () => {
  server = await ModelServer.start();
  server.setHandler((ctx) => script(ctx));
  workspace = shopWorkspace('recurse-ui-shop-');
  wb = await openRecurseWorkbench(workspace, server, { 'recurse.subModel': 'sub-model', 'workbench.colorTheme': 'Default Dark Modern' });
}, { timeout: 180_000 });

after(async () => {
  await wb?.close();
  await server?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const evidence = (name, fn) => withEvidence(wb, name, fn);

describe('Recurse chat in VS Code', () => {
  test('ask, watch the trajectory stream, click a verified citation and land on its lines', { timeout: 120_000 }, () => evidence('ask', async () => {
    let subPrompt;
    script = (ctx) => {
      if (ctx.model === 'sub-model') {
        subPrompt = ctx.lastUser;
        return { text: 'priceOrder applies the bulk discount and coupons.', chunkDelayMs: 30 };
      }
      const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
      if (turn === 0) {
        return {
          text: 'Looking for the pricing code.\n' + js([
            'const hits = grep(/export function priceOrder/);',
            'print(hits[0].path + ":" + hits[0].line);',
            'print(await llm_query("What does priceOrder do?"));',
          ].join('\n')),
          chunkDelayMs: 40,
        };
      }
      const m = /(src\/orders\/pricing\.ts):(\d+)/.exec(ctx.lastUser);
      const cite = m ? `${m[1]}:${m[2]}-${Number(m[2]) + 2}` : 'src/orders/pricing.ts:15-17';
      return { text: js(`finish(${JSON.stringify(`Orders are priced by \`priceOrder\` in ${cite}. See also src/orders/missing.ts:3.`)})`), delayMs: 600 };
    };

    const view = await chatFrame();
    await ask(view, 'Where are orders priced?');

    // The trajectory streams: the turn, the model's text, the cell, the sub-call, and the counters move.
    await view.getByText('Turn 1 / 6').waitFor({ timeout: 20_000 });
    await view.locator('.model-text-body', { hasText: 'Looking for the pricing code.' }).waitFor();
    await view.locator('details.cell code', { hasText: 'grep(/export function priceOrder/)' }).waitFor();
    await view.locator('li.subcall[data-depth="1"]', { hasText: 'llm_query · depth 1' }).waitFor();
    await view.getByRole('button', { name: 'Cancel' }).waitFor();
    await view.locator('.cell-output', { hasText: 'src/orders/pricing.ts:15' }).waitFor({ timeout: 20_000 });
    assert.match(subPrompt ?? '', /What does priceOrder do\?/);
    await shoot(wb, 'vscode-streaming.png');

    // The answer, with a verified citation as a link and an invented one marked.
    const link = view.locator('.answer a.citation[data-path="src/orders/pricing.ts"]');
    await link.waitFor({ timeout: 20_000 });
    assert.equal(await link.getAttribute('data-start-line'), '15');
    assert.equal(await link.getAttribute('data-end-line'), '17');
    const invalid = view.locator('.answer .citation.invalid', { hasText: 'src/orders/missing.ts:3' });
    await invalid.waitFor();
    assert.equal(await view.locator('.answer a', { hasText: 'missing.ts' }).count(), 0);
    assert.notEqual(await view.locator('[data-counter="tokens"] .counter-value').textContent(), '0');
    assert.equal(await view.getByRole('button', { name: 'Cancel' }).count(), 0);

    await shoot(wb, 'vscode-answer.png');

    await link.click();
    await waitForActiveEditor(wb.page, { file: 'pricing.ts', path: 'src/orders/pricing.ts' }, { timeout: 15_000 });
    let editor = await activeEditor(wb.page);
    for (const deadline = Date.now() + 5000; !(editor.selection > 0) && Date.now() < deadline; editor = await activeEditor(wb.page)) {
      await wb.page.waitForTimeout(100);
    }
    // Lines 15-17 are selected with the cursor (what the status bar shows) on the first cited line.
    assert.equal(editor.line, 15, `the cursor is on the first cited line (${JSON.stringify(editor)})`);
    assert.ok(editor.selection > 0, `the cited lines are selected (${JSON.stringify(editor)})`);
    await shoot(wb, 'vscode-citation-opened.png');
    // The README's picture: refreshed on request only, so a test run leaves the committed file alone.
    if (process.env.RECURSE_UPDATE_SCREENSHOT === '1' || !existsSync(path.join(ROOT, 'media', 'screenshot.png'))) {
      // A wider side bar, the trajectory open and scrolled so the answer shows below it.
      const bar = await wb.page.locator('.part.sidebar').boundingBox();
      await wb.page.mouse.move(bar.x + bar.width + 1, bar.y + bar.height / 2);
      await wb.page.mouse.down();
      await wb.page.mouse.move(bar.x + 560, bar.y + bar.height / 2, { steps: 8 });
      await wb.page.mouse.up();
      await view.locator('section.run .trajectory-summary').first().click();
      await view.locator('section.run .model-text > summary').first().click();
      await view.evaluate(() => { const t = document.querySelector('.transcript'); t.scrollTop = t.scrollHeight; });
      await wb.page.waitForTimeout(300);
      await screenshot(wb.page, path.join(ROOT, 'media', 'screenshot.png'));
    }
  }));

  test('an answer carrying an XSS payload executes nothing and shows as text', { timeout: 90_000 }, () => evidence('xss', async () => {
    const payload = [
      'Look: <img src=x onerror="window.top.__pwned=1;window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      '[click me](javascript:window.__pwned=3) and [quit](command:workbench.action.quit)',
      '<a href="command:workbench.action.closeWindow">raw</a> ![pixel](https://example.com/p.png)',
      'cited src/orders/pricing.ts:3',
    ].join('\n\n');
    script = () => js(`finish(${JSON.stringify(payload)})`);
    const view = await chatFrame();
    await ask(view, 'Show me something dangerous');
    const answer = view.locator('section.run').last().locator('.answer');
    await answer.locator('a.citation[data-path="src/orders/pricing.ts"]').waitFor({ timeout: 30_000 });
    await answer.getByText('<script>window.__pwned=2</script>').waitFor();
    // markdown-it leaves a javascript: link as text; command: and image links become inert spans.
    await answer.locator('p', { hasText: '[click me](javascript:' }).click();
    for (const text of ['quit', '[image: pixel]']) await answer.getByText(text, { exact: true }).click();
    await answer.locator('p', { hasText: 'href="command:workbench.action.closeWindow"' }).click();
    await wb.page.waitForTimeout(500);

    assert.equal(await view.evaluate(() => window.__pwned), undefined, 'nothing ran in the webview');
    assert.equal(await wb.page.evaluate(() => window.__pwned), undefined, 'nothing ran in the workbench');
    assert.equal(await answer.locator('img, script, a[href]').count(), 0);
    assert.ok((await answer.textContent()).includes('<img src=x onerror='), 'the payload is shown as text');
    await wb.page.locator('.monaco-workbench').waitFor({ timeout: 2000 }); // the window was not closed or quit
    await shoot(wb, 'vscode-xss.png');
  }));

  test('Cancel stops a long run within a second; its running cell and sub-call show as cancelled', { timeout: 90_000 }, () => evidence('cancel', async () => {
    // The root's cell waits on a sub-call the sub-model takes a minute to answer.
    script = (ctx) => (ctx.model === 'sub-model' ? { text: 'too late', delayMs: 60_000 }
      : { text: js('const slow = await llm_query("Summarise every file, slowly");\nprint(slow)') });
    const view = await chatFrame();
    const before = server.requests.filter((r) => r.body?.model === 'sub-model').length;
    await ask(view, 'Take your time');
    const cancel = view.getByRole('button', { name: 'Cancel' });
    await cancel.waitFor();
    // Wait until the sub-call is in flight, so there is a running cell and sub-call to stop.
    for (const deadline = Date.now() + 20_000; server.requests.filter((r) => r.body?.model === 'sub-model').length === before; await wb.page.waitForTimeout(50)) {
      if (Date.now() > deadline) throw new Error('the sub-call never reached the model server');
    }
    const cell = view.locator('section.run').last().locator('details.cell').first();
    await cell.locator('summary', { hasText: 'running…' }).first().waitFor({ timeout: 10_000 });
    const clicked = Date.now();
    await cancel.click();
    const run = view.locator('section.run').last();
    await run.locator('.run-state', { hasText: /^Cancelled$/ }).waitFor({ timeout: 5000 });
    const took = Date.now() - clicked;
    assert.ok(took < 1000, `cancelled in ${took} ms`);
    assert.equal(await view.getByRole('button', { name: 'Cancel' }).count(), 0);
    assert.equal(await view.getByRole('button', { name: 'Ask', exact: true }).isEnabled(), true);
    const after = server.requests.length;
    await wb.page.waitForTimeout(1000);
    assert.equal(server.requests.length, after, 'nothing more was asked of the model');
    assert.equal(await run.locator('.answer').isVisible(), false);
    assert.equal(await cell.locator(':scope > summary').textContent(), 'Cell 1 · cancelled');
    assert.equal(await cell.locator('li.subcall .subcall-state').first().textContent(), 'cancelled');
    assert.equal(await run.getByText('running…').count(), 0, 'nothing of the cancelled run is left running');
  }));

  test('a sub-call asked twice is sent once: the second shows the cached badge', { timeout: 90_000 }, () => evidence('cached', async () => {
    const prompt = 'Name the function that prices an order';
    script = (ctx) => {
      if (ctx.model === 'sub-model') return { text: 'priceOrder', chunkDelayMs: 10 };
      const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
      return turn === 0 ? js(`const a = await llm_query(${JSON.stringify(prompt)});\nconst b = await llm_query(${JSON.stringify(prompt)});\nprint(a === b)`)
        : js('finish("It is priceOrder, in src/orders/pricing.ts:15.")');
    };
    const sent = () => server.chatRequests.filter((r) => r.body?.model === 'sub-model' && JSON.stringify(r.body.messages).includes(prompt)).length;
    const view = await chatFrame();
    await ask(view, 'Which function prices an order?');
    const run = view.locator('section.run', { hasText: 'Which function prices an order?' });
    await run.locator('.answer a.citation').waitFor({ timeout: 30_000 });
    assert.equal(sent(), 1, 'the second identical sub-call was not sent');
    await run.locator('details.trajectory > summary').click();
    // A cell that ended before the view drew it comes folded: open it, as a user would.
    const cell = run.locator('details.cell').first();
    if ((await cell.getAttribute('open')) === null) await cell.locator(':scope > summary').click();
    const calls = cell.locator('li.subcall');
    await calls.nth(1).locator('.subcall-state', { hasText: 'cached · no cost' }).waitFor({ timeout: 10_000 });
    assert.match(await calls.nth(0).locator('.subcall-state').textContent(), /^done · /);
    assert.match(await run.locator('.trajectory-summary').textContent(), /2 sub-calls \(1 cached\)/);
    await shoot(wb, 'vscode-cached-subcall.png');
  }));

  test('two questions in one chat: the second uses a variable the first one\'s cell defined', { timeout: 90_000 }, () => evidence('follow-up', async () => {
    script = (ctx) => {
      const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
      if (ctx.messages[1]?.content.startsWith('Question: Where is the bulk discount threshold?')) {
        return turn === 0 ? js('const threshold = grep(/BULK_DISCOUNT_THRESHOLD =/)[0];\nprint(threshold.path + ":" + threshold.line)')
          : js('finish("It is set in src/orders/pricing.ts:3.")');
      }
      return turn === 0 ? js('print("reusing " + threshold.path + ":" + threshold.line + " from question " + history.length)')
        : js('finish("As found before: src/orders/pricing.ts:3.")');
    };
    const view = await chatFrame();
    await ask(view, 'Where is the bulk discount threshold?');
    await view.locator('section.run', { hasText: 'Where is the bulk discount threshold?' }).locator('.answer a.citation').waitFor({ timeout: 30_000 });
    await ask(view, 'And what was its line again?');
    const run = view.locator('section.run', { hasText: 'And what was its line again?' });
    await run.locator('.answer a.citation').waitFor({ timeout: 30_000 });
    await run.locator('details.trajectory > summary').click();
    const cell = run.locator('details.cell').first();
    if ((await cell.getAttribute('open')) === null) await cell.locator(':scope > summary').click();
    await cell.locator('.cell-output', { hasText: /reusing src\/orders\/pricing\.ts:3 from question \d+/ }).waitFor({ timeout: 10_000 });
    assert.notEqual(await view.locator('[data-counter="total"] .counter-value').textContent(), '—', 'the chat shows its total');
    await shoot(wb, 'vscode-follow-up.png');
  }));

  // Last: it reloads the window.
  test('the chat history survives a window reload and is the next question\'s `history` (its variables gone, as the chat says); New Chat clears it', { timeout: 180_000 }, () => evidence('reload', async () => {
    const question = 'What survives a reload?';
    script = () => js(`finish(${JSON.stringify('Prices are computed in src/orders/pricing.ts:15-17; not in src/orders/gone.ts:2.')})`);
    let view = await chatFrame();
    await ask(view, question);
    await view.locator('section.run', { hasText: question }).locator('.answer a.citation').waitFor({ timeout: 30_000 });

    // A reload restarts the workbench, the extension host and the webview: only what the extension stored is left.
    // The workbench writes workspaceState to the browser's storage 100 ms after a change; a user is slower than that.
    await wb.page.waitForTimeout(500);
    view = await reloadAndOpenChat();
    // The view first shows its own restored copy; wait until the extension's history replaced it.
    await view.locator('#app[data-history]').waitFor({ state: 'attached', timeout: 30_000 });
    const run = view.locator('section.run', { hasText: question });
    await run.locator('.answer a.citation[data-path="src/orders/pricing.ts"]').waitFor({ timeout: 30_000 });
    assert.equal(await run.count(), 1, 'the run is shown once');
    assert.equal(await run.locator('.run-state').textContent(), 'Answered');
    assert.equal(await run.locator('.answer .citation.invalid').textContent(), 'src/orders/gone.ts:2');
    // The cancelled run of the previous test is there too, and nothing is left running.
    const cancelled = view.locator('section.run', { hasText: 'Take your time' });
    await cancelled.locator('.run-state', { hasText: /^Cancelled$/ }).waitFor();
    assert.equal(await cancelled.getByText('running…').count(), 0, 'the stored cancelled run has nothing running either');
    assert.equal(await view.locator('section.run[data-status="running"]').count(), 0);
    assert.equal(await view.getByRole('button', { name: 'Ask', exact: true }).isEnabled(), true);
    await shoot(wb, 'vscode-after-reload.png');

    // The restored citation still opens its lines.
    await run.locator('.answer a.citation[data-path="src/orders/pricing.ts"]').click();
    await waitForActiveEditor(wb.page, { file: 'pricing.ts', line: 15 }, { timeout: 15_000 });

    // The next question is a follow-up of the restored ones: they are its `history`; the REPL's variables are gone, as the chat says once.
    script = (ctx) => (ctx.messages.filter((m) => m.role === 'assistant').length === 0
      ? js('print("history " + history.length + ", threshold is " + typeof threshold)') : js('finish("Noted.")'));
    await ask(view, 'What do you remember?');
    const after = view.locator('section.run', { hasText: 'What do you remember?' });
    await after.locator('.answer').waitFor({ timeout: 30_000 });
    await view.getByRole('status').getByText(/The window was reloaded: earlier questions are still in `history`/).waitFor({ timeout: 10_000 });
    await after.locator('details.trajectory > summary').click();
    const cell = after.locator('details.cell').first();
    if ((await cell.getAttribute('open')) === null) await cell.locator(':scope > summary').click();
    await cell.locator('.cell-output', { hasText: /history [1-9]\d*, threshold is undefined/ }).waitFor({ timeout: 10_000 });

    await runCommand(wb.page, 'Recurse: New Chat');
    view = await chatFrame();
    await view.locator('.empty').waitFor({ timeout: 10_000 });
    assert.equal(await view.locator('section.run').count(), 0);
    await wb.page.waitForTimeout(500);
    view = await reloadAndOpenChat();
    await view.locator('#app[data-history]').waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await view.locator('#app').getAttribute('data-history'), '0');
    assert.equal(await view.locator('section.run').count(), 0, 'a cleared chat stays cleared after a reload');
    assert.equal(await view.locator('.empty').isVisible(), true);
  }));
});
