// Review Changes in a real VS Code, driven as a user would: the command palette and its QuickPick, the answer in the
// chat, a click on its citation, and a click on the finding's link in the Problems panel — both must land in the
// diff editor on the finding's line. The workspace is a real git repository with an uncommitted change.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { activeEditor, runCommand, webviewFrame } from '../../vscode/ui.mjs';
import { gitRepoHelpers, js, modelServerClass, openRecurseWorkbench, requireBuilt, shoot, shopWorkspace, withEvidence } from './workbenchTest.mjs';


requireBuilt(['dist/extension.js', 'media/dist/webview.js', 'out/test/support/modelServer.js']);
const ModelServer = modelServerClass();
const { commit, initRepoIn } = gitRepoHelpers();

let server;
let wb;
let workspace;


before(async () => {
  server = await ModelServer.start();
  server.setHandler((ctx) => {
    const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
    if (turn === 0) return js("print(hunks('src/orders/pricing.ts'))");
    const findings = { summary: 'The bulk discount became ten times larger.', findings: [
      { severity: 'error', path: 'src/orders/pricing.ts', line: 4, title: 'Bulk discount of 50%', detail: 'A typo: 0.05 became 0.5.' },
    ] };
    return js(`finish(${JSON.stringify(`Done.\n\`\`\`json\n${JSON.stringify(findings)}\n\`\`\``)})`);
  });
  workspace = shopWorkspace('recurse-ui-review-');
  initRepoIn(workspace);
  commit(workspace, 'the shop');
  const pricing = path.join(workspace, 'src', 'orders', 'pricing.ts');
  writeFileSync(pricing, readFileSync(pricing, 'utf8').replace('BULK_DISCOUNT_RATE = 0.05', 'BULK_DISCOUNT_RATE = 0.5'));
  wb = await openRecurseWorkbench(workspace, server, { 'git.openRepositoryInParentFolders': 'never' });
}, { timeout: 180_000 });

after(async () => {
  await wb?.close();
  await server?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});


const evidence = (name, fn) => withEvidence(wb, name, fn);

/** The active editor is a diff editor whose cursor (the status bar) is on `line`. */
async function waitForDiffAt(line, what) {
  const diff = wb.page.locator('.editor-group-container.active .monaco-diff-editor');
  await diff.waitFor({ timeout: 15_000 });
  let editor;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await wb.page.waitForTimeout(100)) {
    editor = await activeEditor(wb.page);
    if (editor.line === line && /pricing\.ts/.test(editor.file ?? '')) return editor;
  }
  throw new Error(`${what}: expected the diff of pricing.ts at line ${line}, the active editor is ${JSON.stringify(editor)}`);
}

describe('Recurse review in VS Code', () => {
  test('Review Changes from the palette; the citation and the Problems link open the diff at the finding', { timeout: 150_000 }, () =>
    evidence('review', async () => {
      await runCommand(wb.page, 'Recurse: Review Changes…');
      // The palette's own rows go first: only once the QuickPick shows its title are its rows the sources.
      await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Recurse: Review Changes' }).waitFor({ timeout: 15_000 });
      const row = wb.page.locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /^\s*Working tree\s*$/ }) });
      await row.first().click({ timeout: 15_000 });

      // The command reveals the chat itself (clicking the activity bar now would close it).
      const view = await webviewFrame(wb.page, { title: 'Chat' });
      const link = view.locator('.answer a.citation[data-path="src/orders/pricing.ts"][data-review]');
      await link.first().waitFor({ timeout: 60_000 });
      assert.match(await view.locator('section.run').last().locator('.question').textContent(), /Review the working tree changes/);
      await view.locator('.answer h2', { hasText: 'Reviewed (1)' }).waitFor();
      await shoot(wb, 'vscode-review-answer.png');

      await link.first().click();
      await waitForDiffAt(4, 'the chat citation');
      await shoot(wb, 'vscode-review-diff.png');

      await runCommand(wb.page, 'View: Close All Editors');
      await wb.page.locator('.editor-group-container.active .monaco-diff-editor').waitFor({ state: 'detached', timeout: 10_000 });
      await wb.page.keyboard.press('Control+Shift+M');
      const problems = wb.page.locator('.markers-panel');
      await problems.locator('.monaco-list-row', { hasText: 'Bulk discount of 50%' }).first().waitFor({ timeout: 15_000 });
      await problems.locator('.monaco-list-row', { hasText: 'Recurse Review' }).first().waitFor();
      await problems.locator('a', { hasText: 'open diff' }).first().click();
      await waitForDiffAt(4, 'the Problems panel link');

      // A window reload: the extension keeps the review in workspaceState, so its finding is back in the Problems
      // panel and its link opens the diff again (the chat view the review revealed activates the extension).
      await runCommand(wb.page, 'View: Close All Editors');
      await wb.page.waitForTimeout(1000);
      await Promise.all([wb.page.waitForEvent('load', { timeout: 60_000 }), runCommand(wb.page, 'Developer: Reload Window')]);
      await wb.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
      await webviewFrame(wb.page, { title: 'Chat', timeout: 60_000 });
      if (!(await wb.page.locator('.markers-panel').isVisible())) await wb.page.keyboard.press('Control+Shift+M');
      const restored = wb.page.locator('.markers-panel');
      await restored.locator('.monaco-list-row', { hasText: 'Bulk discount of 50%' }).first().waitFor({ timeout: 30_000 });
      await shoot(wb, 'vscode-review-after-reload.png');
      await restored.locator('a', { hasText: 'open diff' }).first().click();
      await waitForDiffAt(4, 'the Problems panel link after a reload');
    }));
});
