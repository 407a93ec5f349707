import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension } from './helpers';

const COMMANDS = ['recurse.ask', 'recurse.askSelection', 'recurse.configureModel', 'recurse.setApiKey', 'recurse.clearApiKey', 'recurse.cancel', 'recurse.newChat', 'recurse.showLog', 'recurse.exportRun'];
const BUDGET_MS = 50;

describe('activation', () => {
  it('is lazy: not active until its view or a command is used, and declares no "*" activation', () => {
    const ext = extension();
    const events: string[] = ext.packageJSON.activationEvents;
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `activation events: ${events}`);
    assert.ok(events.includes('onView:recurse.chat'));
    for (const c of COMMANDS) assert.ok(events.includes(`onCommand:${c}`), `activates on ${c}`);
    assert.equal(ext.isActive, false, 'nothing activated the extension before the tests');
  });

  it(`activates in under ${BUDGET_MS} ms`, async function () {
    this.timeout(20_000);
    const ext = extension();
    // Mocha starts while the workbench is still coming up (renderer, server and the other extensions busy on the
    // machine's two cores). A user opens the view after that, so the measurement waits for start-up to settle:
    // otherwise it measures the scheduler, not us (a clean-clone CI run saw 9 ms of work take 41 ms of wall time).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const started = performance.now();
    const api = await ext.activate();
    const resolved = performance.now();
    const activateCallMs = resolved - started;
    const t = api.activationTimeline;
    const since = (a?: number, b?: number) => (a !== undefined && b !== undefined ? b - a : undefined);
    const result = {
      activateCallMs,
      // Ours: evaluating dist/extension.js, and activate() itself. The rest of ext.activate() is VS Code's: finding
      // the extension, then preparing its context (storage, secrets) through the renderer, then replying.
      bundleEvalMs: since(t.bundleStart, t.bundleEnd),
      insideActivateMs: api.activationMs,
      bundleCpuMs: t.bundleCpuMs,
      activateCpuMs: t.activateCpuMs,
      vscodeBeforeBundleMs: since(started, t.bundleStart),
      vscodeContextMs: since(t.bundleEnd, t.activateStart),
      vscodeAfterMs: resolved - t.activateEnd,
      budgetMs: BUDGET_MS,
      vscode: vscode.version,
      at: new Date().toISOString(),
    };
    (globalThis as { __recurseActivation?: unknown }).__recurseActivation = result;
    const f = (n?: number) => (n === undefined ? '?' : n.toFixed(1));
    console.log(`      activation: ours ${f((result.bundleEvalMs ?? 0) + api.activationMs)} ms (bundle evaluation ${f(result.bundleEvalMs)} ms` +
      ` + activate() ${f(api.activationMs)} ms); ext.activate() in all ${f(activateCallMs)} ms, of which VS Code ${f(result.vscodeBeforeBundleMs)}` +
      ` ms before loading, ${f(result.vscodeContextMs)} ms preparing the extension context, ${f(result.vscodeAfterMs)} ms after`);
    assert.ok(result.bundleEvalMs !== undefined, 'the bundle records its evaluation time (esbuild banner/footer)');
    if (t.bundleCpuMs !== undefined && t.activateCpuMs !== undefined) {
      // Where Node can tell the thread's CPU time, the budget is what our code costs: wall time here also counts
      // the scheduler (a clean-clone CI run saw 8 ms of bundle work take 43 ms of wall time beside code-server).
      const cpuMs = t.bundleCpuMs + t.activateCpuMs;
      console.log(`      activation CPU time: ${f(cpuMs)} ms (bundle ${f(t.bundleCpuMs)} + activate() ${f(t.activateCpuMs)})`);
      assert.ok(cpuMs < BUDGET_MS, `loading the bundle and activate() took ${cpuMs} ms of CPU time`);
    } else {
      assert.ok(result.bundleEvalMs + api.activationMs < BUDGET_MS, `loading the bundle and activate() took ${result.bundleEvalMs + api.activationMs} ms`);
    }
  });

  it('registers every command', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of COMMANDS) assert.ok(all.has(c), `${c} is registered`);
    const titles = (extension().packageJSON.contributes.commands as { command: string; title: string }[]).map((c) => c.title);
    assert.deepEqual(titles, ['Ask About Workspace', 'Ask About Selection', 'Configure Model…', 'Set API Key', 'Clear API Key', 'Cancel', 'New Chat', 'Show Log',
      'Export Run as HTML…', 'Trace Dependencies', 'Review Changes…', 'Review Working Tree Changes', 'Review Staged Changes', 'Open Diff of Recurse Finding']);
  });
});
