// Installing Recurse into a running VS Code (code-server + Chromium) the way a user does — Extensions: Install from
// VSIX… — then opening it: a new user (no model configured) gets the "Get Started with Recurse" walkthrough, its
// four steps none of them done yet, and the chat's no-model notice beside it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openViewContainer, openWorkbench, runCommand, waitForNotification, webviewFrame } from '../../vscode/ui.mjs';
import { ROOT, requireBuilt, shoot, shopWorkspace, withEvidence } from './workbenchTest.mjs';

requireBuilt(['dist/extension.js', 'dist/core.js', 'media/dist/webview.js']);
const { version, name } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const VSIX = path.join(ROOT, `${name}-${version}.vsix`);

let wb;
let workspace;

before(async () => {
  const packaged = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package-vsix.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(packaged.status, 0, `packaging failed:\n${packaged.stdout}\n${packaged.stderr}`);
  assert.ok(existsSync(VSIX));
  workspace = shopWorkspace('recurse-ui-install-');
  // A VS Code without Recurse, and a user without a key.
  delete process.env.OPENAI_API_KEY;
  wb = await openWorkbench({ workspace, extensions: [], viewport: { width: 1440, height: 900 } });
}, { timeout: 180_000 });

after(async () => {
  await wb?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('installing Recurse', () => {
  test('after Install from VSIX…, opening Recurse shows the Get Started walkthrough and the no-model notice', { timeout: 180_000 }, () => withEvidence(wb, 'install-walkthrough', async () => {
    const { page } = wb;
    await runCommand(page, 'Extensions: Install from VSIX...');
    // code-server's own file dialog: a quick input that takes a path. It fills itself in (the home folder) and lists
    // it after opening; a path typed before that is overwritten, so the path goes in once the listing is there.
    const dialog = page.locator('.quick-input-widget');
    const box = dialog.locator('.quick-input-box input');
    await box.waitFor({ timeout: 20_000 });
    for (let attempt = 0; attempt < 5 && await dialog.isVisible(); attempt++) {
      await dialog.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 20_000 });
      await page.waitForTimeout(500);
      await box.fill(VSIX);
      await page.waitForTimeout(300);
      await box.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
    await waitForNotification(page, 'Completed installing extension', { timeout: 90_000 });
    await openViewContainer(page, 'Recurse');
    const view = await webviewFrame(page, { title: 'Chat' });
    await view.getByRole('region', { name: 'No model configured' }).waitFor({ timeout: 30_000 });
    await page.locator('.gettingStartedSlideDetails', { hasText: 'Get Started with Recurse' }).waitFor({ timeout: 30_000 });
    for (const title of ['Configure a model', 'Ask a first question', 'Review a change', 'Trace a symbol']) {
      assert.equal(await page.locator(`[aria-label="${title}: Not completed"]`).count(), 1, `${title} is listed, not done`);
    }
    await shoot(wb, 'vscode-install-walkthrough.png');
  }));

  test('the installed extension carries the MCP server it offers to VS Code: it starts and answers', { timeout: 60_000 }, async () => {
    const dir = readdirSync(wb.server.extensionsDir).find((d) => d.startsWith(`${name}.${name}-`) || d.startsWith(`recurse.${name}-`));
    assert.ok(dir, `Recurse is installed in ${wb.server.extensionsDir}: ${readdirSync(wb.server.extensionsDir).join(', ')}`);
    const cli = path.join(wb.server.extensionsDir, dir, 'dist', 'cli.js');
    assert.ok(existsSync(cli), 'dist/cli.js is in the VSIX');
    const client = new Client({ name: 'install-test', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, 'mcp', '--workspace', workspace], stderr: 'ignore' }));
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['ask', 'find_symbol', 'grep', 'review', 'trace']);
      const found = await client.callTool({ name: 'find_symbol', arguments: { name: 'priceOrder' } });
      assert.match(found.content[0].text, /src\/orders\/pricing\.ts:15/);
    } finally {
      await client.close();
    }
  });
});
