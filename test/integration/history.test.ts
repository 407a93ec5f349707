import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ChatHistory, HISTORY_KEY, IN_FLIGHT_KEY, INTERRUPTED_MESSAGE, capHistory } from '../../src/extension/chat/chatHistory';
import type { RecurseApi } from '../../src/extension/extension';
import type { HistoryRun } from '../../src/extension/chat/protocol';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, js, messagesOf, script } from './helpers';

describe('chat history per workspace', () => {
  let server: ModelServer;
  let recurse: RecurseApi;

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
    await vscode.commands.executeCommand('recurse.newChat');
    await recurse.history.flushed();
  });
  after(async () => {
    recurse.cancel();
    await server.close();
  });

  const stored = () => recurse.workspaceState.get<HistoryRun[]>(HISTORY_KEY);

  it('keeps an answered run in workspaceState and sends it after the ready handshake', async () => {
    const s = script(server, [
      'Finding it.\n' + js('print(grep(/export function priceOrder/)[0].line)'),
      js('finish("Orders are priced in src/orders/pricing.ts:15-17 (not src/orders/nowhere.ts:1).")'),
    ]);
    const outcome = await recurse.ask('Where are orders priced, for the history?');
    s.check();
    assert.equal(outcome.status, 'answered');
    await recurse.history.flushed();

    const runs = stored();
    assert.ok(runs, 'the history is in workspaceState');
    const run = runs.at(-1)!;
    assert.equal(run.runId, outcome.status === 'answered' ? outcome.runId : '');
    assert.equal(run.question, 'Where are orders priced, for the history?');
    assert.equal(run.status, 'answered');
    assert.match(run.answer ?? '', /src\/orders\/pricing\.ts:15-17/);
    assert.deepEqual(run.citations?.map((c) => [c.path, c.startLine, c.endLine, c.valid]),
      [['src/orders/pricing.ts', 15, 17, true], ['src/orders/nowhere.ts', 1, 1, false]]);
    assert.ok((run.usage?.totalTokens ?? 0) > 0 && run.usage?.iterations === 2);
    assert.ok(run.durationMs >= 0 && run.startedAt <= Date.now());
    assert.equal(run.forced, false);
    // The trajectory summary: both turns, the first with its cell's code and output.
    assert.deepEqual(run.turns?.map((t) => t.turn), [1, 2]);
    assert.match(run.turns?.[0].cells[0].code ?? '', /grep\(\/export function priceOrder\/\)/);
    assert.match(run.turns?.[0].cells[0].output ?? '', /^15\b/);

    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    const sent = recurse.sentToWebview.slice(since).map((m) => m.type);
    assert.deepEqual(sent.slice(0, 2), ['init', 'history'], 'history follows init');
    const [history] = messagesOf(recurse, 'history', since);
    assert.deepEqual(history.runs.at(-1), run);
    assert.equal(history.active, undefined, 'nothing is running');
  });

  it('keeps failed and cancelled runs too', async () => {
    script(server, [{ fault: 'auth' }]);
    const failed = await recurse.ask('This one fails');
    assert.equal(failed.status, 'failed');
    script(server, [{ fault: 'stall', afterText: 'Hmm' }]);
    const before = server.chatRequests.length;
    const pending = recurse.ask('This one is cancelled');
    while (server.chatRequests.length === before) await new Promise((r) => setTimeout(r, 20));
    recurse.cancel();
    assert.equal((await pending).status, 'cancelled');
    await recurse.history.flushed();
    const last = stored()!.slice(-2).map((r) => [r.question, r.status, r.error !== undefined]);
    assert.deepEqual(last, [['This one fails', 'failed', true], ['This one is cancelled', 'cancelled', false]]);
  });

  it('tells a webview that connects mid-run which run is still going', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    script(server, [async () => {
      await gate;
      return js('finish("done")');
    }]);
    const before = server.chatRequests.length;
    const pending = recurse.ask('Still running during the handshake');
    while (server.chatRequests.length === before) await new Promise((r) => setTimeout(r, 20));
    await recurse.history.flushed();
    assert.equal(recurse.workspaceState.get<{ question: string }>(IN_FLIGHT_KEY)?.question, 'Still running during the handshake');
    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    const [history] = messagesOf(recurse, 'history', since);
    assert.equal(history.active?.question, 'Still running during the handshake');
    assert.ok(!history.runs.some((r) => r.runId === history.active?.runId));
    release();
    assert.equal((await pending).status, 'answered');
    await recurse.history.flushed();
    assert.equal(recurse.workspaceState.get(IN_FLIGHT_KEY), undefined, 'the in-flight mark is gone once it ended');
  });

  it('records a run that a reload cut off as interrupted, not running', async () => {
    // What the next extension host finds after a reload in the middle of a run.
    await recurse.workspaceState.update(IN_FLIGHT_KEY, { runId: 'cut-off', question: 'Cut off by a reload', startedAt: Date.now() - 5000 });
    const next = new ChatHistory(recurse.workspaceState);
    await next.flushed();
    const last = next.runs.at(-1)!;
    assert.deepEqual([last.runId, last.question, last.status, last.error], ['cut-off', 'Cut off by a reload', 'failed', INTERRUPTED_MESSAGE]);
    assert.ok(last.durationMs >= 5000);
    assert.equal(recurse.workspaceState.get(IN_FLIGHT_KEY), undefined);
    assert.equal(stored()!.at(-1)!.runId, 'cut-off');
  });

  it('caps the history by count and size, dropping old trajectories before old runs', () => {
    const run = (i: number, big = 0): HistoryRun => ({
      runId: `r${i}`, question: `q${i}`, startedAt: i, durationMs: 1, status: 'answered', answer: 'a',
      turns: [{ turn: 1, text: 'x'.repeat(big), cells: [] }],
    });
    assert.deepEqual(capHistory(Array.from({ length: 40 }, (_, i) => run(i))).map((r) => r.runId),
      Array.from({ length: 30 }, (_, i) => `r${i + 10}`));
    const sized = capHistory([run(1, 600), run(2, 600), run(3, 600)], 30, 1700);
    assert.deepEqual(sized.map((r) => [r.runId, !!r.turns]), [['r1', false], ['r2', true], ['r3', true]]);
    const bigAnswer = (i: number): HistoryRun => ({ ...run(i), answer: 'y'.repeat(900) });
    assert.deepEqual(capHistory([bigAnswer(1), bigAnswer(2)], 30, 1000).map((r) => [r.runId, !!r.turns]), [['r2', false]]);
  });

  it('New Chat clears the stored history and what the next handshake sends', async () => {
    assert.ok((stored()?.length ?? 0) > 0);
    await vscode.commands.executeCommand('recurse.newChat');
    await recurse.history.flushed();
    assert.equal(stored(), undefined);
    assert.equal(recurse.history.runs.length, 0);
    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    assert.deepEqual(messagesOf(recurse, 'history', since)[0].runs, []);
  });

  it('Copy answer puts the text on the clipboard through the extension', async () => {
    const text = 'Orders are priced in src/orders/pricing.ts:15-17.\n\n- copied by the host';
    assert.equal(await recurse.postFromWebview({ type: 'copy', text }), true);
    assert.equal(await vscode.env.clipboard.readText(), text);
    assert.equal(await recurse.postFromWebview({ type: 'copy', text: 42 }), undefined, 'a malformed copy is dropped');
  });
});
