// The Dependencies graph panel in a real VS Code across a real window reload: traced from the palette, then the page
// is reloaded (workbench, extension host and webview all restart) and the panel must come back by itself — restored
// by the extension's WebviewPanelSerializer from the state its page kept — with its graph, and a click on a node
// must still open the file at the node's line.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openWorkbench, runCommand, waitForActiveEditor, webviewFrame } from '../../vscode/ui.mjs';
import { ROOT, requireBuilt, shoot, shopWorkspace, withEvidence } from './workbenchTest.mjs';

const TITLE = 'Dependencies: priceOrder';

requireBuilt(['dist/extension.js', 'media/dist/graph.js']);

let wb;
let workspace;

before(async () => {
  workspace = shopWorkspace('recurse-ui-graph-');
  wb = await openWorkbench({ workspace, extensions: [ROOT], viewport: { width: 1440, height: 900 }, settings: { 'editor.minimap.enabled': false } });
}, { timeout: 180_000 });

after(async () => {
  await wb?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const evidence = (name, fn) => withEvidence(wb, name, fn);

/** Answers the open quick input whose title is `title`: types `text` (if any), then Enter. */
async function answer(title, text) {
  const widget = wb.page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  if (text !== undefined) await widget.locator('.quick-input-box input').fill(text);
  await wb.page.keyboard.press('Enter');
}

/** The graph page, once it has drawn a graph whose nodes list has the root node. */
async function graphPage(timeout) {
  const frame = await webviewFrame(wb.page, { title: TITLE, timeout });
  const root = frame.locator('.nodes li.root button.link[data-path="src/orders/pricing.ts"]');
  await root.first().waitFor({ timeout: 30_000 });
  return { frame, root };
}

describe('Recurse dependency graph in VS Code', () => {
  test('the Dependencies panel comes back after a window reload with its graph, and its nodes still open', { timeout: 240_000 }, () =>
    evidence('graph-reload', async () => {
      await runCommand(wb.page, 'Recurse: Trace Dependencies');
      await answer('Recurse: Trace Dependencies', 'priceOrder');
      await answer('Trace Dependencies: priceOrder'); // what it depends on (the first item)
      await answer('Trace Dependencies: priceOrder (out)'); // depth 3 (the first item)
      let { frame } = await graphPage(60_000);
      const nodesBefore = await frame.locator('.nodes li').count();
      assert.ok(nodesBefore >= 2, `priceOrder depends on something: ${nodesBefore} nodes`);

      // The webview's state is written asynchronously; a user is slower than that. Developer: Reload Window saves the
      // workbench's state (its open editors, with each webview's state) before it reloads, as closing a window does.
      await wb.page.waitForTimeout(1000);
      await Promise.all([wb.page.waitForEvent('load', { timeout: 60_000 }), runCommand(wb.page, 'Developer: Reload Window')]);
      await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const restored = await graphPage(90_000);
      frame = restored.frame;
      assert.equal(await frame.locator('.nodes li').count(), nodesBefore, 'the same graph is drawn again');
      assert.equal(await frame.locator('canvas, [aria-label="Dependency graph"]').count() > 0, true, 'the canvas is there');
      await shoot(wb, 'vscode-graph-after-reload.png');

      await restored.root.first().click();
      await waitForActiveEditor(wb.page, { file: 'pricing.ts', line: 15 }, { timeout: 20_000 });
    }));
});
