import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OpenResult, RecurseApi } from '../../src/extension/extension';
import type { CitationView } from '../../src/extension/chat/protocol';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, js, messagesOf, script, waitFor } from './helpers';

/**
 * "Whole workspace" in a real multi-root VS Code window (test/vscode/runExtensionTests.mjs opens a .code-workspace
 * with the folders `shop` and `web` for this suite only): one question over both folders, citations opening in
 * the right folder.
 */
describe('multi-root workspace', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  const named = (name: string) => {
    const f = vscode.workspace.workspaceFolders?.find((w) => w.name === name);
    if (!f) throw new Error(`no workspace folder ${name}`);
    return f;
  };
  const firstPromptMetadata = (messages: { role: string; content: string }[]) => {
    const first = messages.find((m) => m.role === 'user')!.content;
    const meta = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(first)?.[1] ?? 'null');
    assert.ok(meta, first.slice(0, 1500));
    return { first, meta };
  };

  before(async () => {
    assert.deepEqual(vscode.workspace.workspaceFolders?.map((f) => f.name), ['shop', 'web'], 'the runner opens the two-folder workspace');
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
  });
  after(async () => {
    await recurse.postFromWebview({ type: 'setScope', kind: 'workspace' });
    recurse.cancel();
    await server.close();
  });

  it('offers the whole workspace first, then each folder', async () => {
    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    const scopes = await waitFor('a scopes message', () => messagesOf(recurse, 'scopes', since)[0]);
    assert.equal(scopes.current, 'workspace');
    const [whole, ...rest] = scopes.choices;
    assert.deepEqual({ ...whole, detail: undefined }, { id: 'workspace', kind: 'workspace', label: 'Whole workspace', detail: undefined });
    assert.match(whole.detail ?? '', /^all 2 folders \(shop, web\); reviews and traces use the active editor's folder$/);
    assert.deepEqual(rest.filter((c) => c.kind === 'folder').map((c) => [c.id, c.label, c.folder]), [
      ['folder:shop', 'shop', 'shop'],
      ['folder:web', 'web', 'web'],
    ]);
  });

  let citations: CitationView[] = [];

  it('asks one question over both folders: metadata and helpers see both, each citation is verified', async () => {
    const since = recurse.sentToWebview.length;
    const s = script(server, [
      (ctx) => {
        const { first, meta } = firstPromptMetadata(ctx.messages);
        assert.deepEqual(meta.folders, ['shop', 'web']);
        assert.match(meta.outline, /^shop\/ \(\d+\)$/m);
        assert.match(meta.outline, /^web\/ \(4\)$/m, 'web: package.json, .gitignore and two sources; not .env, not build/');
        assert.doesNotMatch(first, /SECRET|BUILD_MARKER/);
        return js(
          "print(grep(/export function (priceOrder|listProducts)/).map((m) => m.path + ':' + m.line).join(' '));\n" +
            "print('hidden', grep(/SECRET|BUILD_MARKER/).length, files('**/.env*').length, files('web/build/**').length);",
        );
      },
      (ctx) => {
        assert.match(ctx.lastUser, /shop\/src\/orders\/pricing\.ts:15 web\/src\/catalog\.ts:6\nhidden 0 0 0/);
        return js('finish("Orders are priced in shop/src/orders/pricing.ts:15 and products listed in web/src/catalog.ts:6-8; see also web/src/missing.ts:1.")');
      },
    ]);
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: 'Where are orders priced and products listed?' })) as { status: string };
    s.check();
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.deepEqual(answer.scope, { kind: 'workspace', label: 'Whole workspace' });
    assert.deepEqual(answer.citations.map((c) => [c.folder, c.path, c.startLine, c.endLine, c.valid]), [
      ['shop', 'src/orders/pricing.ts', 15, 15, true],
      ['web', 'src/catalog.ts', 6, 8, true],
      [undefined, 'web/src/missing.ts', 1, 1, false],
    ]);
    citations = answer.citations;
  });

  it('opens each citation in its own folder at the cited lines', async () => {
    assert.equal(citations.length, 3, 'the previous test answered');
    for (const [c, file, text] of [
      [citations[0], path.join(named('shop').uri.fsPath, 'src', 'orders', 'pricing.ts'), /export function priceOrder/],
      [citations[1], path.join(named('web').uri.fsPath, 'src', 'catalog.ts'), /export function listProducts/],
    ] as const) {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const result = (await recurse.postFromWebview({
        type: 'openCitation', path: c.path, startLine: c.startLine, endLine: c.endLine, ...(c.folder ? { folder: c.folder } : {}),
      })) as OpenResult;
      assert.deepEqual(result.opened && result.range, [c.startLine, c.endLine]);
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor, 'an editor is active');
      assert.equal(editor.document.uri.fsPath, file);
      assert.equal(editor.selection.start.line, c.startLine - 1);
      assert.equal(editor.selection.end.line, c.endLine - 1);
      assert.match(editor.document.getText(editor.selection), text);
    }
    // The combined path is not a path of either folder: nothing opens for it.
    const refused = (await recurse.postFromWebview({ type: 'openCitation', path: 'web/src/catalog.ts', startLine: 1, endLine: 1, folder: 'shop' })) as OpenResult;
    assert.equal(refused.opened, false);
  });

  it('a single folder still limits the question to that folder', async () => {
    const set = (await recurse.postFromWebview({ type: 'setScope', kind: 'folder', folder: 'web' })) as { ok: boolean };
    assert.equal(set.ok, true);
    const since = recurse.sentToWebview.length;
    const s = script(server, [
      (ctx) => {
        const { meta } = firstPromptMetadata(ctx.messages);
        assert.equal(meta.files, 4);
        assert.equal(meta.folders, undefined);
        return js('finish("Listed in src/catalog.ts:6.")');
      },
    ]);
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: 'Where are products listed?' })) as { status: string };
    s.check();
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.deepEqual(answer.scope, { kind: 'folder', label: 'web', folder: 'web' });
    assert.deepEqual(answer.citations.map((c) => [c.folder, c.path, c.valid]), [['web', 'src/catalog.ts', true]]);
  });
});
