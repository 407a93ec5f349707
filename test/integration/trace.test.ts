import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OpenResult, RecurseApi, RunOutcome } from '../../src/extension/extension';
import type { GraphHostMessage } from '../../src/extension/trace/graphProtocol';
import type { TraceOutcome } from '../../src/extension/trace/traceController';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, folder, js, messagesOf, script, waitFor } from './helpers';

type GraphMessage = Extract<GraphHostMessage, { type: 'graph' }>;

describe('trace dependencies', () => {
  let server: ModelServer;
  let recurse: RecurseApi;

  const trace = (args?: unknown, second?: unknown) => vscode.commands.executeCommand<TraceOutcome>('recurse.traceDependencies', args, second);
  const lastGraph = (since = 0) => recurse.trace.sentToGraph.slice(since).filter((m): m is GraphMessage => m.type === 'graph').at(-1);
  const traced = (o: TraceOutcome | undefined) => {
    assert.equal(o?.status, 'traced', JSON.stringify(o));
    return o as Extract<TraceOutcome, { status: 'traced' }>;
  };

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 4 }));
  });
  after(async () => {
    recurse.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.close();
  });

  it('traces a symbol from command arguments and shows the graph in the Dependencies panel', async () => {
    const since = recurse.trace.sentToGraph.length;
    const outcome = traced(await trace({ target: 'priceOrder', direction: 'in', depth: 2 }));
    assert.deepEqual(outcome.graph.roots, ['src/orders/pricing.ts#priceOrder']);
    assert.equal(outcome.graph.direction, 'in');
    assert.equal(outcome.graph.depth, 2);
    const dependent = outcome.graph.nodes.find((n) => n.id === 'src/api/server.ts#server');
    assert.ok(dependent, `server depends on priceOrder: ${outcome.graph.nodes.map((n) => n.id).join(', ')}`);
    assert.ok(outcome.graph.edges.some((e) => e.from === 'src/api/server.ts#server' && e.to === 'src/orders/pricing.ts#priceOrder' && e.path === 'src/api/server.ts' && e.line === 14));
    const shown = lastGraph(since);
    assert.ok(shown, 'the graph was sent to the panel');
    assert.deepEqual(shown.graph, outcome.graph);
    assert.equal(shown.folder, folder().name);
    assert.equal(recurse.trace.graphTitle, 'Dependencies: priceOrder');
    // The real page (media/dist/graph.js under the panel's CSP) loaded and answered the handshake.
    await waitFor('the graph page to say ready', () => recurse.trace.graphReady, 20_000);
  });

  it('reuses the panel for the next trace, and traces "how does A reach B"', async () => {
    const since = recurse.trace.sentToGraph.length;
    const outcome = traced(await trace({ target: 'src/api/server.ts', to: 'src/orders/order.ts' }));
    assert.ok(outcome.graph.chain, `a chain is found: ${outcome.graph.notes.join('; ')}`);
    assert.equal(outcome.graph.chain.nodes[0], 'src/api/server.ts');
    assert.equal(outcome.graph.chain.nodes.at(-1), 'src/orders/order.ts');
    assert.ok(outcome.graph.chain.hops.every((h) => h.path && h.line >= 1 && h.text));
    assert.equal(lastGraph(since)?.to, 'src/orders/order.ts');
    assert.equal(recurse.trace.graphTitle, 'Dependencies: src/api/server.ts → src/orders/order.ts');
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Dependencies'));
    assert.equal(panels.length, 1, 'one Dependencies panel, reused');
  });

  it('clicking a node opens its file at the symbol line', async () => {
    traced(await trace({ target: 'priceOrder', direction: 'in' }));
    const result = (await recurse.trace.postFromGraph({ type: 'openNode', path: 'src/api/server.ts', line: 8, folder: folder().name })) as OpenResult;
    assert.ok(result.opened, JSON.stringify(result));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is active');
    assert.equal(editor.document.uri.fsPath, path.join(folder().uri.fsPath, 'src', 'api', 'server.ts'));
    assert.equal(editor.selection.active.line, 7);
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /export const server/);
  });

  it('refuses to open what is not a file of the workspace map, and drops malformed messages', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const since = recurse.trace.sentToGraph.length;
    const result = (await recurse.trace.postFromGraph({ type: 'openNode', path: '.env', line: 1 })) as OpenResult;
    assert.equal(result.opened, false);
    assert.equal(vscode.window.activeTextEditor, undefined);
    const status = recurse.trace.sentToGraph.slice(since).find((m) => m.type === 'status');
    assert.match(status && status.type === 'status' ? status.message : '', /Cannot open \.env/);
    for (const bad of [{ type: 'openNode', path: 'src/config.ts', line: 0 }, { type: 'openNode', path: 5, line: 1 }, { type: 'runCommand' }, null]) {
      assert.equal(await recurse.trace.postFromGraph(bad), undefined, JSON.stringify(bad));
    }
  });

  it('an unknown target is an error with suggestions, and no graph', async () => {
    const since = recurse.trace.sentToGraph.length;
    const outcome = await trace({ target: 'priceOrdr' });
    assert.equal(outcome?.status, 'unknownTarget', JSON.stringify(outcome));
    const unknown = outcome as Extract<TraceOutcome, { status: 'unknownTarget' }>;
    assert.equal(unknown.which, 'target');
    assert.match(unknown.message, /"priceOrdr" is neither a workspace file nor a symbol/);
    assert.ok(unknown.suggestions.some((s) => s.startsWith('priceOrder (src/orders/pricing.ts:15)')), unknown.suggestions.join(', '));
    assert.equal(lastGraph(since), undefined);
    const bad = await trace({ target: 'priceOrder', direction: 'sideways' });
    assert.equal(bad?.status, 'invalid');
  });

  it('from the editor: traces the symbol under the cursor after the direction and depth picks', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'src', 'orders', 'pricing.ts');
    const editor = await vscode.window.showTextDocument(uri);
    const at = new vscode.Position(14, 'export function pri'.length);
    editor.selection = new vscode.Selection(at, at);
    let settled = false;
    // The editor menu passes the document's URI; the quick picks are answered with their default (first) items.
    const running = Promise.resolve(trace(uri)).finally(() => (settled = true));
    for (let i = 0; i < 100 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const outcome = traced(await running);
    assert.equal(outcome.target, 'src/orders/pricing.ts#priceOrder');
    assert.equal(outcome.graph.direction, 'out');
    assert.equal(outcome.graph.depth, 3);
  });

  /** Runs the command the way a menu or the palette does, accepting each quick pick / input box with its default. */
  const traceInteractively = async (...args: unknown[]) => {
    let settled = false;
    const running = Promise.resolve(vscode.commands.executeCommand<TraceOutcome>('recurse.traceDependencies', ...args)).finally(() => (settled = true));
    for (let i = 0; i < 100 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    return running;
  };

  it('from the Explorer: traces the file', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'src', 'config.ts');
    // The Explorer menu passes the clicked file and the selection.
    const outcome = traced(await traceInteractively(uri, [uri]));
    assert.equal(outcome.target, 'src/config.ts');
    assert.deepEqual(outcome.graph.roots, ['src/config.ts']);
    assert.equal(recurse.trace.graphTitle, 'Dependencies: src/config.ts');
  });

  it('from the palette: the input box offers the symbol under the cursor', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'src', 'config.ts');
    const editor = await vscode.window.showTextDocument(uri);
    const at = new vscode.Position(5, 'export function load'.length);
    editor.selection = new vscode.Selection(at, at);
    const outcome = traced(await traceInteractively());
    assert.equal(outcome.target, 'src/config.ts#loadConfig');
  });

  it('/trace in the chat opens the graph, then the chat explains it', async () => {
    const s = script(server, [
      (ctx) => {
        assert.match(ctx.messages.map((m) => m.content).join('\n'), /Explain what depends on `priceOrder`/);
        return js('finish("priceOrder is called by the quote endpoint at src/api/server.ts:14.")');
      },
    ]);
    const graphsBefore = recurse.trace.sentToGraph.length;
    const since = recurse.sentToWebview.length;
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: '/trace priceOrder --direction in --depth 1' })) as TraceOutcome;
    s.check();
    const done = traced(outcome);
    assert.equal(done.graph.depth, 1);
    assert.ok(lastGraph(graphsBefore), 'the graph panel got the graph');
    assert.equal(recurse.trace.graphTitle, 'Dependencies: priceOrder');
    const explanation = done.explanation as RunOutcome;
    assert.equal(explanation?.status, 'answered', JSON.stringify(explanation));
    const started = messagesOf(recurse, 'runStarted', since);
    assert.equal(started.length, 1);
    assert.match(started[0].question, /^Explain what depends on `priceOrder`/);
    assert.doesNotMatch(started[0].question, /static analysis/, 'the chat shows the request, not the whole graph given to the model');
    assert.match(JSON.stringify(server.chatRequests[server.chatRequests.length - 1]), /static analysis of imports and references/);
    const answer = messagesOf(recurse, 'answer', since)[0];
    assert.ok(answer.citations.some((c) => c.path === 'src/api/server.ts' && c.startLine === 14 && c.valid));
  });

  it('/trace with an unknown target says so in the chat and asks nothing', async () => {
    const since = recurse.sentToWebview.length;
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: '/trace noSuchThing' })) as TraceOutcome;
    assert.equal(outcome.status, 'unknownTarget');
    assert.match(messagesOf(recurse, 'status', since)[0]?.message ?? '', /Cannot trace: "noSuchThing"/);
    assert.equal(messagesOf(recurse, 'prefill', since)[0]?.question, '/trace noSuchThing', 'the command is put back to fix');
    assert.equal(messagesOf(recurse, 'runStarted', since).length, 0);
    const malformed = (await recurse.postFromWebview({ type: 'ask', question: '/trace' })) as TraceOutcome;
    assert.equal(malformed.status, 'invalid');
  });

  it('Explain in chat (the panel button) asks the chat about the graph shown', async () => {
    traced(await trace({ target: 'src/api/server.ts', direction: 'out', depth: 1 }));
    const s = script(server, [js('finish("server.ts imports pricing at src/api/server.ts:4.")')]);
    const since = recurse.sentToWebview.length;
    const outcome = (await recurse.trace.postFromGraph({ type: 'explain' })) as RunOutcome;
    s.check();
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    assert.match(messagesOf(recurse, 'runStarted', since)[0].question, /^Explain what `src\/api\/server.ts` depends on/);
  });

  it('a Dependencies panel restored after a window reload shows its graph again; its nodes open and Explain works', async () => {
    const outcome = traced(await trace({ target: 'priceOrder', direction: 'in', depth: 2 }));
    // What the page keeps with setState (media/src/graph/main.ts) is the graph message it drew, through JSON.
    const kept = JSON.parse(JSON.stringify({ graph: lastGraph() })) as unknown;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the panel to close', () => recurse.trace.graphTitle === undefined);

    // After a reload VS Code creates the panel itself and hands it, with that state, to the registered serializer.
    const panel = vscode.window.createWebviewPanel('recurse.graph', 'Dependencies: priceOrder', vscode.ViewColumn.Active, {});
    const since = recurse.trace.sentToGraph.length;
    assert.equal(await recurse.trace.deserializePanel(panel, kept), true);
    assert.equal(recurse.trace.graphTitle, 'Dependencies: priceOrder');
    assert.deepEqual(lastGraph(since)?.graph, outcome.graph, 'the graph is sent to the restored page');
    assert.equal(panel.webview.options.enableScripts, true);
    await waitFor('the restored page to say ready', () => recurse.trace.graphReady, 20_000);

    const result = (await recurse.trace.postFromGraph({ type: 'openNode', path: 'src/api/server.ts', line: 14, folder: folder().name })) as OpenResult;
    assert.ok(result.opened, JSON.stringify(result));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(folder().uri.fsPath, 'src', 'api', 'server.ts'));
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, 13);

    const s = script(server, [js('finish("The quote endpoint calls priceOrder at src/api/server.ts:14.")')]);
    const asked = recurse.sentToWebview.length;
    const explained = (await recurse.trace.postFromGraph({ type: 'explain' })) as RunOutcome;
    s.check();
    assert.equal(explained.status, 'answered', JSON.stringify(explained));
    assert.match(messagesOf(recurse, 'runStarted', asked)[0].question, /^Explain what depends on `priceOrder`/, 'the restored graph is the one explained');

    // The next trace reuses the restored panel.
    traced(await trace({ target: 'src/config.ts' }));
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Dependencies'));
    assert.equal(panels.length, 1, 'one Dependencies panel');
    assert.equal(recurse.trace.graphTitle, 'Dependencies: src/config.ts');

    // A state that is not a graph (an older page, a tampered one) is not drawn: the panel says what to do.
    const broken = vscode.window.createWebviewPanel('recurse.graph', 'Dependencies: ?', vscode.ViewColumn.Active, {});
    const before = recurse.trace.sentToGraph.length;
    assert.equal(await recurse.trace.deserializePanel(broken, { graph: { type: 'graph', graph: { target: 1 } } }), false);
    const sent = recurse.trace.sentToGraph.slice(before);
    assert.equal(sent.filter((m) => m.type === 'graph').length, 0);
    assert.match(sent.find((m) => m.type === 'status')?.type === 'status' ? (sent.find((m) => m.type === 'status') as { message: string }).message : '', /Trace Dependencies again/);
  });
});
