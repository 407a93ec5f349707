// First run in a real VS Code (code-server + Chromium), as a new user meets it: no model configured, the chat's
// notice, the Get Started walkthrough, and "Configure Model…" through VS Code's own quick input — typed and clicked —
// against a real-HTTP endpoint that first refuses the key, then answers.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openWorkbench } from '../../vscode/ui.mjs';
import { openViewContainer, runCommand, waitForNotification, webviewFrame } from '../../vscode/ui.mjs';
import { ROOT, js, modelServerClass, requireBuilt, shoot, shopWorkspace, withEvidence } from './workbenchTest.mjs';

requireBuilt(['dist/extension.js', 'media/dist/webview.js', 'out/test/support/modelServer.js']);
const ModelServer = modelServerClass();
const GOOD_KEY = 'sk-good-key-5150';

let server;
let wb;
let workspace;

before(async () => {
  server = await ModelServer.start({ models: ['root-model', 'sub-model'], apiKey: GOOD_KEY });
  server.setHandler((ctx) => {
    if (ctx.messages.length === 1 && ctx.body.max_tokens === 1) return 'ok'; // the test call
    if (ctx.model === 'typed-sub-model') return 'computeTax, in pricing.ts';
    const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
    return turn === 0 ? js('print(await llm_query("Which function computes tax?"))')
      : js('finish("Tax is computed by computeTax in src/orders/pricing.ts:3.")');
  });
  workspace = shopWorkspace('recurse-ui-setup-');
  // A new user: no key in the environment, no recurse.* settings.
  delete process.env.OPENAI_API_KEY;
  wb = await openWorkbench({ workspace, extensions: [ROOT], viewport: { width: 1440, height: 900 }, settings: { 'editor.minimap.enabled': false } });
}, { timeout: 180_000 });

after(async () => {
  await wb?.close();
  await server?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const evidence = (name, fn) => withEvidence(wb, name, fn);
const quickInput = () => wb.page.locator('.quick-input-widget');
const quickInputBox = () => wb.page.locator('.quick-input-widget .quick-input-box input');

/** Waits for the quick input titled `title`, types `text` (replacing what is there) and presses Enter. */
async function typeInto(title, text) {
  await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
  const box = quickInputBox();
  await box.fill(text);
  await box.press('Enter');
}

/** Waits for the quick pick titled `title` (untitled: any) and clicks the row whose label matches. */
async function choose(title, label) {
  if (title) await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
  await quickInput().locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: label }) }).first().click();
}

/** The walkthrough's step (a button in the Welcome editor) with that title. */
const step = (title) => wb.page.locator('.getting-started-step', { hasText: title }).first();
/** The step's checkmark says "Completed" (its aria-label, as a screen reader reads it). */
const stepCheck = (title) => wb.page.locator(`[aria-label="${title}: Completed"]`);
const stepDone = async (title) => (await stepCheck(title).count()) > 0;

describe('first run in VS Code', () => {
  test('no model: the chat says so, keeps the question, and offers Configure model…', { timeout: 120_000 }, () => evidence('setup-no-model', async () => {
    await openViewContainer(wb.page, 'Recurse');
    const first = await webviewFrame(wb.page, { title: 'Chat' });
    await first.getByRole('region', { name: 'No model configured' }).waitFor({ timeout: 30_000 });
    // Opening the chat with no model also opens the Get Started walkthrough (once). The question is typed once that
    // page is there, as a user does: on a loaded machine a question typed as it appeared was lost.
    await wb.page.getByText('Get Started with Recurse').first().waitFor({ timeout: 30_000 });
    const view = await webviewFrame(wb.page, { title: 'Chat' });
    const notice = view.getByRole('region', { name: 'No model configured' });
    await notice.waitFor({ timeout: 30_000 });
    assert.match(await notice.textContent(), /No API key is set for https:\/\/api\.openai\.com\/v1/);
    const box = view.getByLabel('Ask about this workspace');
    await box.fill('Where is tax computed?');
    await box.press('Enter');
    await view.getByRole('status').getByText(/no model is configured/).waitFor({ timeout: 15_000 });
    assert.equal(await box.inputValue(), 'Where is tax computed?', 'the question is kept');
    assert.equal(await view.locator('section.run').count(), 0, 'nothing ran');
    assert.equal(server.requests.length, 0);
    await shoot(wb, 'vscode-setup-no-model.png');
  }));

  test('the walkthrough\'s Configure Model… goes through provider, URL, a refused key, models and a test call; its steps complete', { timeout: 180_000 }, () => evidence('setup-walkthrough', async () => {
    await runCommand(wb.page, 'Welcome: Open Walkthrough...');
    await choose(undefined, 'Get Started with Recurse');
    await step('Configure a model').waitFor({ timeout: 30_000 });
    assert.equal(await stepDone('Configure a model'), false);
    await step('Configure a model').click();
    await wb.page.getByRole('button', { name: 'Configure Model…' }).click();

    await choose('Configure Model', 'Other OpenAI-compatible endpoint');
    await typeInto('base URL', server.url);
    await typeInto('API key for', 'sk-wrong-key-0001');
    // The endpoint refused the key: its own words, and the way back to the key.
    await quickInput().locator('.quick-input-title', { hasText: 'root model' }).waitFor({ timeout: 20_000 });
    assert.match(await quickInputBox().getAttribute('placeholder'), /Incorrect API key provided: sk-\*+01/);
    await shoot(wb, 'vscode-setup-refused-key.png');
    await choose('root model', 'Enter the API key again');
    await typeInto('API key for', GOOD_KEY);
    await choose('root model', /^root-model$/);
    // A name the endpoint does not list is typed, and taken as it is.
    await typeInto('sub-model', 'typed-sub-model');
    await waitForNotification(wb.page, /Model ready: root-model at .* answered the test call in \d+ ms/);
    await shoot(wb, 'vscode-setup-ready.png');
    const tests = server.chatRequests.filter((r) => r.body.max_tokens === 1);
    assert.equal(tests.length, 1, 'one test call');
    assert.equal(tests[0].headers.authorization, `Bearer ${GOOD_KEY}`);

    await stepCheck('Configure a model').waitFor({ timeout: 15_000 });
    assert.equal(await stepDone('Configure a model'), true, 'the model step is done');
    assert.equal(await stepDone('Ask a first question'), false);

    // The chat's notice is gone; the kept question is asked now, and the walkthrough's next step completes.
    await openViewContainer(wb.page, 'Recurse');
    const view = await webviewFrame(wb.page, { title: 'Chat' });
    await view.getByRole('region', { name: 'No model configured' }).waitFor({ state: 'hidden', timeout: 15_000 });
    await view.getByRole('button', { name: 'Ask', exact: true }).click();
    await view.locator('section.run .answer a.citation[data-path="src/orders/pricing.ts"]').waitFor({ timeout: 30_000 });
    assert.ok(server.chatRequests.some((r) => r.body.model === 'typed-sub-model'), 'the typed sub-model answered the sub-call');
    await runCommand(wb.page, 'Welcome: Open Walkthrough...');
    await choose(undefined, 'Get Started with Recurse');
    await stepCheck('Ask a first question').waitFor({ timeout: 15_000 });
    assert.equal(await stepDone('Review a change'), false);
    await shoot(wb, 'vscode-setup-walkthrough.png');
  }));
});
