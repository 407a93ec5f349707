import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import type { ModelServer } from '../support/modelServer';
import { configure, connectModelServer, folder, js, messagesOf, script, waitFor } from './helpers';

describe('asking through the chat', () => {
  let server: ModelServer;
  let recurse: RecurseApi;

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
  });
  after(async () => {
    recurse.cancel();
    await server.close();
  });

  it('streams the run to the webview and answers with verified citations', async () => {
    const s = script(server, [
      'Looking for the pricing code.\n' + js('const hits = grep(/export function priceOrder/);\nprint(hits[0].path + ":" + hits[0].line)'),
      (ctx) => {
        const m = /Cell 1 output:\n```text\n(\S+):(\d+)/.exec(ctx.lastUser);
        assert.ok(m, `the REPL output reaches the model: ${ctx.lastUser.slice(0, 500)}`);
        return js(`finish("Orders are priced by priceOrder in ${m[1]}:${m[2]}-${Number(m[2]) + 2}. See also src/orders/missing.ts:3.")`);
      },
    ]);
    const since = recurse.sentToWebview.length;
    const outcome = await recurse.postFromWebview({ type: 'ask', question: 'Where are orders priced?' });
    s.check();
    assert.ok(outcome && typeof outcome === 'object' && 'status' in outcome);
    assert.equal((outcome as { status: string }).status, 'answered', JSON.stringify(outcome));
    const started = messagesOf(recurse, 'runStarted', since);
    assert.equal(started.length, 1);
    assert.equal(started[0].question, 'Where are orders priced?');
    const kinds = new Set(messagesOf(recurse, 'event', since).map((m) => m.event.type));
    for (const k of ['run-start', 'turn', 'model-delta', 'cell-start', 'cell-output', 'usage', 'finish']) assert.ok(kinds.has(k as never), `streamed ${k}`);
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.ok(answer, 'the answer was posted');
    assert.equal(answer.runId, started[0].runId);
    assert.match(answer.answer, /src\/orders\/pricing\.ts:15-17/);
    const valid = answer.citations.find((c) => c.valid);
    assert.deepEqual(valid && { path: valid.path, start: valid.startLine, end: valid.endLine, folder: valid.folder },
      { path: 'src/orders/pricing.ts', start: 15, end: 17, folder: folder().name });
    const invalid = answer.citations.find((c) => !c.valid);
    assert.ok(invalid && /no such file/.test(invalid.reason ?? ''), `the invented path is marked: ${JSON.stringify(invalid)}`);
    assert.ok(answer.usage.totalTokens > 0 && answer.usage.iterations === 2);
    assert.match(recurse.statusText, /^\$\(search\) Recurse$/, 'the status bar is idle again');
  });

  it('gives the model the code helpers (symbols, outline) over the folder', async () => {
    const s = script(server, [
      js('const defs = await findSymbol("priceOrder");\nprint(defs.map((d) => d.path + ":" + d.line + "-" + d.endLine + " " + d.kind).join("\\n"));\nprint(await outline("src/config.ts"))'),
      (ctx) => {
        assert.match(ctx.lastUser, /src\/orders\/pricing\.ts:15-25 function/, ctx.lastUser.slice(0, 800));
        assert.match(ctx.lastUser, /function loadConfig \(6-11\)/);
        return js('finish("priceOrder is at src/orders/pricing.ts:15-25.")');
      },
    ]);
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: 'Where is priceOrder?' })) as { status: string };
    s.check();
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
  });

  it('applies a settings change to the next question without a reload', async () => {
    await configure({ model: 'renamed-model' });
    const s = script(server, [js('finish("ok")')]);
    const before = server.chatRequests.length;
    const outcome = await recurse.ask('Anything?');
    s.check();
    assert.equal(outcome.status, 'answered');
    assert.equal(server.chatRequests[before].body.model, 'renamed-model');
    await configure({ model: 'root-model' });
  });

  it('runs one question at a time and tells the webview when busy', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    script(server, [async () => {
      await gate;
      return js('finish("first")');
    }]);
    const since = recurse.sentToWebview.length;
    const first = recurse.ask('first question');
    await waitFor('the first model request', () => server.chatRequests.length > 0 && messagesOf(recurse, 'runStarted', since).length === 1);
    const second = await recurse.postFromWebview({ type: 'ask', question: 'second question' });
    assert.equal((second as { status: string }).status, 'busy');
    assert.equal(messagesOf(recurse, 'busy', since).length, 1);
    assert.match(messagesOf(recurse, 'busy', since)[0].message, /already answering/);
    release();
    assert.equal((await first).status, 'answered');
  });

  it('cancels a run within a second', async () => {
    script(server, [{ fault: 'stall', afterText: 'Thinking about' }]);
    const since = recurse.sentToWebview.length;
    const before = server.chatRequests.length;
    const run = recurse.ask('a question the model never finishes');
    await waitFor('the stalled request', () => server.chatRequests.length > before);
    await waitFor('streamed text', () => messagesOf(recurse, 'event', since).some((m) => m.event.type === 'model-delta'), 5000);
    assert.match(recurse.statusText, /sync~spin/, 'the status bar shows a running question');
    const t0 = Date.now();
    await recurse.postFromWebview({ type: 'cancel' });
    const outcome = await run;
    const elapsed = Date.now() - t0;
    assert.equal(outcome.status, 'cancelled');
    assert.ok(elapsed < 1000, `cancelled after ${elapsed} ms`);
    assert.equal(messagesOf(recurse, 'runCancelled', since).length, 1);
    assert.equal(messagesOf(recurse, 'answer', since).length, 0);
    // The chat is free again at once.
    script(server, [js('finish("after cancel")')]);
    assert.equal((await recurse.ask('next')).status, 'answered');
  });

  it('honours files.exclude and sees new files through the file watcher', async () => {
    const listing = () => js('print(files().map((f) => f.path).join("\\n"))');
    let seen = '';
    const s = script(server, [listing(), (ctx) => {
      seen = ctx.lastUser;
      return js('finish("listed")');
    }]);
    await recurse.ask('List the files.');
    s.check();
    assert.match(seen, /src\/orders\/pricing\.ts/);
    assert.doesNotMatch(seen, /generated\/schema\.ts/, 'files.exclude (**/generated) is honoured');
    assert.doesNotMatch(seen, /\.env/, 'secrets are never listed');

    const loads = recurse.fileMapLoads(folder().uri);
    const added = path.join(folder().uri.fsPath, 'src', 'orders', 'refunds.ts');
    fs.writeFileSync(added, 'export function refund(): number {\n  return 0;\n}\n');
    try {
      // The watcher marks the map stale; the next question rebuilds it.
      await new Promise((r) => setTimeout(r, 1500));
      const s2 = script(server, [listing(), (ctx) => {
        seen = ctx.lastUser;
        return js('finish("listed again")');
      }]);
      await recurse.ask('List the files again.');
      s2.check();
      assert.match(seen, /src\/orders\/refunds\.ts/, 'the new file is in the map');
      assert.equal(recurse.fileMapLoads(folder().uri), loads + 1);
    } finally {
      fs.rmSync(added, { force: true });
    }
  });

  it('reports a model failure as a failed run, not a crash', async () => {
    script(server, [{ fault: 'auth' }]);
    const since = recurse.sentToWebview.length;
    const outcome = await recurse.ask('Will this work?');
    assert.equal(outcome.status, 'failed');
    const [failed] = messagesOf(recurse, 'runFailed', since);
    assert.ok(failed, 'runFailed was posted');
    assert.match(failed.message, /key|401|auth/i);
  });

  it('lets vscode settings pick the folder map excludes (recurse.exclude)', async () => {
    await configure({ exclude: ['scripts/'] });
    try {
      let seen = '';
      const s = script(server, [js('print(files().map((f) => f.path).join("\\n"))'), (ctx) => {
        seen = ctx.lastUser;
        return js('finish("ok")');
      }]);
      await recurse.ask('List the files once more.');
      s.check();
      assert.doesNotMatch(seen, /scripts\/report\.py/);
      assert.match(seen, /src\/config\.ts/);
    } finally {
      await configure({ exclude: undefined });
    }
  });

  it('uses vscode.workspace settings for the model name shown in init', async () => {
    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    const [init] = messagesOf(recurse, 'init', since);
    assert.equal(init.model, 'root-model');
    assert.equal(init.provider, 'openai');
    assert.equal(init.configured, true, 'a local endpoint needs no key');
    assert.equal(init.setupReason, undefined);
    assert.equal(init.workspaceName, vscode.workspace.name);
  });
  it('reads and greps what the editor shows, unsaved changes included', async () => {
    // VS Code for the Web saves after a delay by default: this test needs the change to stay unsaved.
    const files = vscode.workspace.getConfiguration('files');
    const autoSave = files.inspect('autoSave')?.globalValue;
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    const uri = vscode.Uri.joinPath(folder().uri, 'src', 'config.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), 'export const typedButNotSaved = 42;\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(doc.isDirty);
    try {
      const s = script(server, [
        js('const hits = grep(/typedButNotSaved/);\nprint(JSON.stringify(hits.map((h) => h.path + ":" + h.line + " " + h.text)));\nprint(read("src/config.ts", 1, 1))'),
        (ctx) => {
          assert.match(ctx.lastUser, /\["src\/config\.ts:1 export const typedButNotSaved = 42;"\]/, ctx.lastUser.slice(0, 600));
          assert.match(ctx.lastUser, /export const typedButNotSaved = 42;/);
          return js('finish("It is typedButNotSaved in src/config.ts:1.")');
        },
      ]);
      const outcome = await recurse.ask('What did I just add?');
      s.check();
      assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
      assert.ok(!fs.readFileSync(uri.fsPath, 'utf8').includes('typedButNotSaved'), 'nothing was written to disk');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await files.update('autoSave', autoSave, vscode.ConfigurationTarget.Global);
    }
    // Reverted: the next question sees the file as saved.
    const s = script(server, [
      js('print(JSON.stringify(grep(/typedButNotSaved/)))'),
      (ctx) => {
        assert.match(ctx.lastUser, /Cell 1 output:\n```text\n\[\]/, ctx.lastUser.slice(0, 600));
        return js('finish("gone")');
      },
    ]);
    const again = await recurse.ask('Still there?');
    s.check();
    assert.equal(again.status, 'answered');
  });

  it('greps with the ripgrep VS Code ships, and hands it to the MCP server', () => {
    const definition = recurse.agents.mcpDefinition();
    if (!definition) return; // a VS Code without the MCP definition API
    const rg = definition.env.RECURSE_RIPGREP;
    assert.equal(typeof rg, 'string', JSON.stringify(definition.env));
    assert.ok((rg as string).startsWith(vscode.env.appRoot), `${rg} is under ${vscode.env.appRoot}`);
    fs.accessSync(rg as string, fs.constants.X_OK);
  });
});
