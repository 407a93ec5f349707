import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import { api, folder, messagesOf, waitFor } from './helpers';

describe('commands', () => {
  let recurse: RecurseApi;
  before(async () => {
    recurse = await api();
  });

  it('Ask About Selection prefills the question with the selection, its file and lines', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(folder().uri.fsPath, 'src', 'orders', 'pricing.ts'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(14, 0, 16, doc.lineAt(16).text.length);
    const since = recurse.sentToWebview.length;
    await vscode.commands.executeCommand('recurse.askSelection');
    const [prefill] = await waitFor('a prefill message', () => {
      const found = messagesOf(recurse, 'prefill', since);
      return found.length ? found : undefined;
    });
    assert.match(prefill.question, /^About src\/orders\/pricing\.ts:15-17:\n```typescript\nexport function priceOrder/);
    assert.ok(prefill.question.includes(doc.getText(editor.selection)));
  });

  it('reveals the chat view (Ask About Workspace)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('recurse.ask');
    // The view's own focus command succeeds only when the view exists in the workbench.
    await vscode.commands.executeCommand('recurse.chat.focus');
  });

  it('New Chat clears the chat; Cancel with nothing running is a no-op; Show Log opens the log', async () => {
    const since = recurse.sentToWebview.length;
    await vscode.commands.executeCommand('recurse.newChat');
    assert.equal(messagesOf(recurse, 'cleared', since).length, 1);
    assert.equal(await vscode.commands.executeCommand('recurse.cancel'), false);
    await vscode.commands.executeCommand('recurse.showLog');
    await vscode.commands.executeCommand('recurse.clearApiKey');
  });

  it('contributes the settings, a keybinding and the activity-bar view', () => {
    const pkg = vscode.extensions.getExtension('recurse.recurse')!.packageJSON;
    const props = Object.keys(pkg.contributes.configuration.properties);
    for (const key of ['baseUrl', 'model', 'subModel', 'provider', 'maxIterations', 'maxDepth', 'maxSubCalls', 'concurrency', 'maxFileSizeKB', 'exclude', 'prices']) {
      assert.ok(props.includes(`recurse.${key}`), `recurse.${key}`);
    }
    assert.ok(pkg.contributes.keybindings.some((k: { command: string }) => k.command === 'recurse.ask'));
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].title, 'Recurse');
    assert.equal(pkg.contributes.views.recurse[0].type, 'webview');
    assert.equal(vscode.workspace.getConfiguration('recurse').get('provider'), 'openai');
  });
});
