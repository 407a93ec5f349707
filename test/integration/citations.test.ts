import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OpenResult, RecurseApi } from '../../src/extension/extension';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, folder, js, messagesOf, script } from './helpers';

describe('opening citations', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  const outside = () => path.join(path.dirname(folder().uri.fsPath), 'outside.ts');

  before(async () => {
    ({ server, recurse } = await connectModelServer());
    fs.writeFileSync(outside(), 'export const OUTSIDE = 1;\n');
    // A question builds the folder's file map, which is what open requests are checked against.
    const s = script(server, [js('finish("See src/config.ts:1.")')]);
    assert.equal((await recurse.ask('Where is the config?')).status, 'answered');
    s.check();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    fs.rmSync(outside(), { force: true });
    await server.close();
  });

  const open = async (message: Record<string, unknown>) => (await recurse.postFromWebview({ type: 'openCitation', ...message })) as OpenResult | undefined;

  it('opens the file with the cited range revealed and selected', async () => {
    const result = await open({ path: 'src/orders/pricing.ts', startLine: 15, endLine: 17, folder: folder().name });
    assert.deepEqual(result && result.opened && result.range, [15, 17]);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is active');
    assert.equal(editor.document.uri.fsPath, path.join(folder().uri.fsPath, 'src', 'orders', 'pricing.ts'));
    assert.equal(editor.selection.start.line, 14);
    assert.equal(editor.selection.start.character, 0);
    assert.equal(editor.selection.end.line, 16);
    assert.equal(editor.selection.end.character, editor.document.lineAt(16).text.length);
    assert.equal(editor.selection.active.line, 14, 'the cursor is on the first cited line');
    assert.match(editor.document.getText(editor.selection), /export function priceOrder/);
    assert.ok(editor.visibleRanges.some((r) => r.contains(new vscode.Position(14, 0))), 'the range is revealed');
  });

  it('clamps a range past the end of the file instead of failing', async () => {
    const result = await open({ path: 'src/config.ts', startLine: 5, endLine: 999 });
    assert.ok(result?.opened);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.selection.end.line, editor.document.lineCount - 1);
  });

  for (const [label, p] of [
    ['a path outside the folder', '../outside.ts'],
    ['an absolute path outside the workspace', '/etc/passwd'],
    ['a secret', '.env'],
    ['another secret', '.env.local'],
    ['a files.exclude\'d file', 'generated/schema.ts'],
    ['a file that does not exist', 'src/orders/nothing.ts'],
    ['a traversal hidden in a path', 'src/../../outside.ts'],
  ] as const) {
    it(`refuses ${label}`, async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const since = recurse.sentToWebview.length;
      const result = await open({ path: p, startLine: 1, endLine: 1 });
      assert.equal(result?.opened, false, `${p} must not open`);
      assert.equal(vscode.window.activeTextEditor, undefined, 'no editor was opened');
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath.endsWith('outside.ts') || d.uri.fsPath === '/etc/passwd'));
      assert.match(messagesOf(recurse, 'status', since)[0]?.message ?? '', /Cannot open/);
    });
  }

  it('refuses a folder name that is not in the workspace', async () => {
    const result = await open({ path: 'src/config.ts', startLine: 1, endLine: 1, folder: 'not-a-folder' });
    assert.equal(result?.opened, false);
  });

  it('drops malformed open requests before they reach the handler', async () => {
    for (const bad of [
      { type: 'openCitation', path: 'src/config.ts', startLine: 0, endLine: 1 },
      { type: 'openCitation', path: 'src/config.ts', startLine: 3, endLine: 2 },
      { type: 'openCitation', path: 42, startLine: 1, endLine: 1 },
      { type: 'openCitation', path: 'src/config.ts\0', startLine: 1, endLine: 1 },
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      'openCitation',
      null,
    ]) {
      assert.equal(await recurse.postFromWebview(bad), undefined, JSON.stringify(bad));
    }
  });
});
