import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecurseApi, RunOutcome } from '../../src/extension/extension';
import { commit, gitIn, initRepoIn } from '../support/gitRepo';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, folder, js, messagesOf, script, waitFor } from './helpers';

/**
 * Review Changes in a real VS Code: the test workspace becomes a real git repository, the scripted model reads the
 * diff through the REPL helpers and finishes with findings, and the user-visible results are checked — the chat
 * answer, the "Recurse Review" diagnostics, and the diff editor a finding opens.
 */

const PRICING = 'src/orders/pricing.ts';
const CONFIG = 'src/config.ts';
const REPORT = 'scripts/report.py';

function finishWith(summary: string, findings: object[]): string {
  return js(`finish(${JSON.stringify(`Done.\n\`\`\`json\n${JSON.stringify({ summary, findings })}\n\`\`\``)})`);
}

function answered(outcome: unknown): Extract<RunOutcome, { status: 'answered' }> {
  const o = outcome as RunOutcome;
  assert.equal(o?.status, 'answered', JSON.stringify(o));
  return o as Extract<RunOutcome, { status: 'answered' }>;
}

function diffTab(): vscode.TabInputTextDiff {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  assert.ok(input instanceof vscode.TabInputTextDiff, `the active tab is a diff editor: ${JSON.stringify(input)}`);
  return input;
}

async function text(uri: vscode.Uri): Promise<string> {
  return (await vscode.workspace.openTextDocument(uri)).getText();
}

describe('review changes', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  let root: string;
  const originals = new Map<string, string>();
  const file = (p: string) => path.join(root, p);
  const uriOf = (p: string) => vscode.Uri.joinPath(folder().uri, ...p.split('/'));

  before(async function () {
    this.timeout(60_000);
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
    root = folder().uri.fsPath;
    for (const p of [PRICING, CONFIG, REPORT]) originals.set(p, fs.readFileSync(file(p), 'utf8'));
    initRepoIn(root);
    commit(root, 'the shop');
    // Staged: the bulk discount rate on line 4. Unstaged: the port default on line 8 of the config.
    fs.writeFileSync(file(PRICING), originals.get(PRICING)!.replace('BULK_DISCOUNT_RATE = 0.05', 'BULK_DISCOUNT_RATE = 0.5'));
    gitIn(root, 'add', PRICING);
    fs.writeFileSync(file(CONFIG), originals.get(CONFIG)!.replace('Number(process.env.PORT ?? 8080)', 'Number(process.env.PORT)'));
  });

  after(async () => {
    recurse.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.close();
    for (const [p, content] of originals) fs.writeFileSync(file(p), content);
    fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
  });

  it('reviews the staged changes: the answer in the chat, diagnostics, and the diff at the finding', async () => {
    const s = script(server, [
      js("print(diff.files.map((f) => f.status + ' ' + f.path).join('\\n'));\nprint(hunks('src/orders/pricing.ts'))"),
      (ctx) => {
        assert.match(ctx.lastUser, /modified src\/orders\/pricing\.ts/);
        assert.doesNotMatch(ctx.lastUser, /src\/config\.ts/, 'an unstaged change is not part of the staged review');
        assert.match(ctx.lastUser, /\+\s+4 \| export const BULK_DISCOUNT_RATE = 0\.5;/);
        return finishWith('The bulk discount became ten times larger.', [
          { severity: 'error', path: PRICING, line: 4, title: 'Bulk discount of 50%', detail: 'A typo: 0.05 became 0.5.', suggestion: 'Use 0.05' },
          { severity: 'warning', path: PRICING, line: 20, title: 'Outside the diff', detail: 'Line 20 did not change.' },
        ]);
      },
    ]);
    const since = recurse.sentToWebview.length;
    const outcome = answered(await vscode.commands.executeCommand('recurse.review', { kind: 'staged' }));
    s.check();

    // The chat: a run with progress, then the review's markdown with verified citations tagged with the review.
    const [started] = messagesOf(recurse, 'runStarted', since);
    assert.equal(started.question, 'Review the staged changes');
    assert.ok(messagesOf(recurse, 'event', since).some((m) => m.event.type === 'cell-output'), 'progress streamed');
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.equal(answer.runId, outcome.runId);
    assert.match(answer.answer, /# Review: staged changes vs HEAD/);
    assert.match(answer.answer, /\*\*src\/orders\/pricing\.ts:4\*\* — Bulk discount of 50%/);
    assert.match(answer.answer, /location not in the diff/, 'the finding outside the diff is flagged, not dropped');
    assert.match(answer.answer, /## Reviewed \(1\)\n\n- src\/orders\/pricing\.ts/);
    const cited = answer.citations.find((c) => c.path === PRICING && c.startLine === 4);
    assert.ok(cited?.valid, JSON.stringify(answer.citations));
    assert.equal(cited.review, outcome.runId);
    await recurse.history.flushed();
    assert.equal(recurse.history.runs.at(-1)?.question, 'Review the staged changes');

    // The Problems panel: only the finding inside the diff, at its line, with its severity.
    const diagnostics = recurse.review.diagnostics();
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const [uri, [diagnostic, ...more]] = diagnostics[0];
    assert.equal(uri.toString(), uriOf(PRICING).toString());
    assert.equal(more.length, 0);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostic.source, 'Recurse Review');
    assert.equal(diagnostic.range.start.line, 3);
    assert.match(diagnostic.message, /Bulk discount of 50%\nA typo/);
    const seen = vscode.languages.getDiagnostics(uriOf(PRICING)).filter((d) => d.source === 'Recurse Review');
    assert.equal(seen.length, 1, 'VS Code holds the diagnostic for the file');

    // Its link (the diagnostic's code) runs recurse.openReviewDiff: the diff editor, cursor on the finding's line.
    const code = diagnostic.code as { value: string; target: vscode.Uri };
    assert.equal(code.target.scheme, 'command');
    assert.equal(code.target.path, 'recurse.openReviewDiff');
    await vscode.commands.executeCommand(code.target.path, ...(JSON.parse(code.target.query) as unknown[]));
    await waitFor('the diff editor', () => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff);
    const tab = diffTab();
    assert.equal(tab.original.scheme, 'recurse-git');
    assert.match(await text(tab.original), /BULK_DISCOUNT_RATE = 0\.05;/, 'the left side is HEAD');
    assert.match(await text(tab.modified), /BULK_DISCOUNT_RATE = 0\.5;/, 'the right side is the index');
    await waitFor('the cursor on line 4', () => vscode.window.activeTextEditor?.selection.active.line === 3);

    // The same diff from the Quick Fix on the diagnostic, and from the chat's citation.
    await vscode.workspace.openTextDocument(uriOf(PRICING)); // code actions are asked of an open document
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uriOf(PRICING), diagnostic.range);
    const action = actions.find((a) => a.title === 'Open Diff of Recurse Finding');
    assert.ok(action?.command, `a Quick Fix opens the diff: ${actions.map((a) => a.title).join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    assert.equal(diffTab().modified.toString(), tab.modified.toString());

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const opened = (await recurse.postFromWebview({ type: 'openCitation', path: PRICING, startLine: 4, endLine: 4, folder: folder().name, review: cited.review })) as { opened: boolean; kind: string };
    assert.deepEqual({ opened: opened.opened, kind: opened.kind }, { opened: true, kind: 'diff' });
    assert.equal(diffTab().original.toString(), tab.original.toString());
    await waitFor('the cursor on line 4', () => vscode.window.activeTextEditor?.selection.active.line === 3);
  });

  it('reviews the working tree, lists what it never looked at, and replaces the last review\'s diagnostics', async () => {
    const s = script(server, [
      js("print(diff.files.map((f) => f.path).join('\\n'));\nprint(hunks('src/config.ts'))"),
      (ctx) => {
        assert.match(ctx.lastUser, /src\/orders\/pricing\.ts\nsrc\/config\.ts|src\/config\.ts\nsrc\/orders\/pricing\.ts/, 'staged and unstaged changes');
        return finishWith('The port has no default any more.', [
          { severity: 'warning', path: CONFIG, line: 8, title: 'No default port', detail: 'Number(undefined) is NaN.' },
        ]);
      },
    ]);
    const since = recurse.sentToWebview.length;
    answered(await vscode.commands.executeCommand('recurse.review', { kind: 'worktree' }));
    s.check();
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.match(answer.answer, /## Reviewed \(1\)\n\n- src\/config\.ts/);
    assert.match(answer.answer, /## Unreviewed \(1\)\n\nThe review never looked at these changed files:\n\n- src\/orders\/pricing\.ts/);

    const diagnostics = recurse.review.diagnostics();
    assert.deepEqual(diagnostics.map(([u, ds]) => [u.toString(), ds.map((d) => [d.range.start.line, d.severity])]),
      [[uriOf(CONFIG).toString(), [[7, vscode.DiagnosticSeverity.Warning]]]], 'only the new review\'s findings');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('recurse.openReviewDiff', { path: CONFIG, line: 8 });
    const tab = diffTab();
    assert.equal(tab.modified.toString(), uriOf(CONFIG).toString(), 'the right side is the file on disk');
    assert.match(await text(tab.original), /PORT \?\? 8080/);
    await waitFor('the cursor on line 8', () => vscode.window.activeTextEditor?.selection.active.line === 7);
  });

  it('follows the chat\'s scope: only changes inside it are reviewed, the rest listed as out of scope', async () => {
    const set = (await recurse.postFromWebview({ type: 'setScope', kind: 'directory', folder: folder().name, spec: 'src/orders' })) as { ok: boolean };
    assert.equal(set.ok, true, JSON.stringify(set));
    try {
      const s = script(server, [
        js("print(diff.files.map((f) => f.path).join('\\n'))"),
        (ctx) => {
          assert.match(ctx.lastUser, /src\/orders\/pricing\.ts/);
          assert.doesNotMatch(ctx.lastUser, /src\/config\.ts/, 'the change outside the scope is not given to the model');
          return finishWith('One rate changed.', [{ severity: 'info', path: PRICING, line: 4, title: 'Rate', detail: 'Changed.' }]);
        },
      ]);
      const since = recurse.sentToWebview.length;
      const outcome = answered(await vscode.commands.executeCommand('recurse.review', { kind: 'worktree' }));
      s.check();
      assert.equal(outcome.scope?.label, 'src/orders');
      const [answer] = messagesOf(recurse, 'answer', since);
      assert.equal(answer.scope?.label, 'src/orders', 'the chat shows the scope with the review');
      assert.match(answer.answer, /## Out of scope \(1\)[\s\S]*- src\/config\.ts/);
    } finally {
      await recurse.postFromWebview({ type: 'setScope', kind: 'workspace' });
    }
  });

  it('opens the base content for a finding in a deleted file (a commit review)', async () => {
    fs.rmSync(file(REPORT));
    const c2 = commit(root, 'remove the report, change pricing and config');
    const s = script(server, [
      js("print(diff.files.map((f) => f.status + ' ' + f.path).join('\\n'));\nprint(hunks('scripts/report.py').slice(0, 300))"),
      (ctx) => {
        assert.match(ctx.lastUser, /deleted scripts\/report\.py/);
        return finishWith('The daily report is gone.', [
          { severity: 'info', path: REPORT, line: 1, title: 'Report removed', detail: 'Nothing produces the daily revenue report now.' },
        ]);
      },
    ]);
    const since = recurse.sentToWebview.length;
    answered(await vscode.commands.executeCommand('recurse.review', { kind: 'commit', ref: c2 }));
    s.check();
    const [answer] = messagesOf(recurse, 'answer', since);
    const cited = answer.citations.find((c) => c.path === REPORT);
    assert.ok(cited?.valid, `a deleted file's citation is checked against the base: ${JSON.stringify(answer.citations)}`);

    const [[uri, [diagnostic]]] = recurse.review.diagnostics();
    assert.equal(uri.scheme, 'recurse-git', 'the finding sits on the base side');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Information);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const opened = (await recurse.postFromWebview({ type: 'openCitation', path: REPORT, startLine: 1, endLine: 1, review: cited.review })) as { kind: string };
    assert.equal(opened.kind, 'base');
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.scheme, 'recurse-git');
    assert.equal(editor?.document.getText(), originals.get(REPORT));
  });

  it('cancels a review, refuses a question meanwhile, and New Chat clears the diagnostics', async () => {
    assert.equal(recurse.review.diagnostics().length, 1, 'the last review\'s finding is shown');
    fs.writeFileSync(file(CONFIG), `${originals.get(CONFIG)}// changed again\n`);
    script(server, [{ fault: 'stall', afterText: 'Reading the diff' }]);
    const since = recurse.sentToWebview.length;
    const before = server.chatRequests.length;
    const run = vscode.commands.executeCommand('recurse.review', { kind: 'worktree' }) as Thenable<RunOutcome>;
    await waitFor('the stalled request', () => server.chatRequests.length > before, 20_000);
    assert.equal(recurse.review.diagnostics().length, 0, 'a new review clears the last one\'s diagnostics');
    assert.equal((await recurse.ask('anything?')).status, 'busy');
    assert.match(recurse.statusText, /sync~spin/);
    const t0 = Date.now();
    assert.equal(await vscode.commands.executeCommand('recurse.cancel'), true);
    const outcome = await run;
    assert.equal(outcome.status, 'cancelled');
    assert.ok(Date.now() - t0 < 1000, `cancelled in ${Date.now() - t0} ms`);
    assert.equal(messagesOf(recurse, 'runCancelled', since).length, 1);
    assert.equal(messagesOf(recurse, 'answer', since).length, 0);

    // A finished review's diagnostics go away with New Chat.
    const s = script(server, [finishWith('Fine.', [{ severity: 'warning', path: CONFIG, line: 12, title: 'A trailing comment', detail: 'Noise.' }])]);
    answered(await vscode.commands.executeCommand('recurse.review', { kind: 'worktree' }));
    s.check();
    assert.equal(recurse.review.diagnostics().length, 1);
    await vscode.commands.executeCommand('recurse.newChat');
    assert.equal(recurse.review.diagnostics().length, 0);
    assert.equal(vscode.languages.getDiagnostics(uriOf(CONFIG)).filter((d) => d.source === 'Recurse Review').length, 0);
  });

  it('reports an unknown ref as a failed run in the chat', async () => {
    const since = recurse.sentToWebview.length;
    const requests = server.chatRequests.length;
    const outcome = (await vscode.commands.executeCommand('recurse.review', { kind: 'range', base: 'no-such-ref', head: 'HEAD' })) as RunOutcome;
    assert.equal(outcome.status, 'failed');
    const [failed] = messagesOf(recurse, 'runFailed', since);
    assert.match(failed.message, /unknown git ref "no-such-ref"/);
    assert.equal(server.chatRequests.length, requests, 'no model was asked');
  });

  it('checks a range review\'s citations and opens its diffs against the reviewed commits, not the checkout', async () => {
    const [head, base] = gitIn(root, 'rev-list', '-n', '2', 'HEAD').split('\n');
    fs.writeFileSync(file(PRICING), 'export {};\n');
    commit(root, 'pricing shrinks to one line after the reviewed range');
    const s = script(server, [
      js("print(hunks('src/orders/pricing.ts'))"),
      finishWith('The rate changed.', [{ severity: 'warning', path: PRICING, line: 4, title: 'Rate changed', detail: 'Check it.' }]),
    ]);
    const since = recurse.sentToWebview.length;
    answered(await vscode.commands.executeCommand('recurse.review', { kind: 'range', base, head }));
    s.check();
    const [answer] = messagesOf(recurse, 'answer', since);
    const cited = answer.citations.find((c) => c.path === PRICING && c.startLine === 4);
    assert.ok(cited?.valid, `line 4 exists in the reviewed commit though the checkout has one line: ${JSON.stringify(answer.citations)}`);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await recurse.postFromWebview({ type: 'openCitation', path: PRICING, startLine: 4, endLine: 4, review: cited.review });
    const tab = diffTab();
    assert.equal(tab.modified.scheme, 'recurse-git');
    assert.match(await text(tab.modified), /BULK_DISCOUNT_RATE = 0\.5;/, 'the right side is the reviewed head commit');
    await waitFor('the cursor on line 4', () => vscode.window.activeTextEditor?.selection.active.line === 3);

    // Line 4 of the reviewed commit is not line 4 of the one-line file on disk: the diagnostic sits on the diff's right side.
    const [[uri, [diagnostic]], ...others] = recurse.review.diagnostics();
    assert.equal(others.length, 0);
    assert.equal(uri.toString(), tab.modified.toString(), 'the diagnostic is on the reviewed version the diff editor shows');
    assert.equal(diagnostic.range.start.line, 3);
    assert.equal(vscode.languages.getDiagnostics(uriOf(PRICING)).filter((d) => d.source === 'Recurse Review').length, 0, 'nothing on the file on disk');
    assert.equal(vscode.languages.getDiagnostics(tab.modified).filter((d) => d.source === 'Recurse Review').length, 1);
  });

  it('puts a commit review\'s findings on the file on disk only when it is the reviewed version, and its link opens the diff', async () => {
    // HEAD shrank pricing to one line and added a comment as line 12 of the config; the config changes again on disk.
    const reviewedConfig = fs.readFileSync(file(CONFIG), 'utf8');
    assert.equal(reviewedConfig.split('\n')[11], '// changed again');
    fs.writeFileSync(file(CONFIG), `// a new first line\n${reviewedConfig}`);
    const s = script(server, [
      js("print(diff.files.map((f) => f.status + ' ' + f.path).join('\\n'))"),
      finishWith('Two changes.', [
        { severity: 'warning', path: PRICING, line: 1, title: 'Pricing emptied', detail: 'Nothing is exported.' },
        { severity: 'info', path: CONFIG, line: 12, title: 'A stray comment', detail: 'Noise.' },
      ]),
    ]);
    answered(await vscode.commands.executeCommand('recurse.review', { kind: 'commit', ref: 'HEAD' }));
    s.check();
    const byPath = new Map(recurse.review.diagnostics().map(([u, ds]) => [u.path, { uri: u, lines: ds.map((d) => d.range.start.line) }]));
    const pricing = byPath.get(uriOf(PRICING).path);
    assert.ok(pricing, `pricing.ts on disk is the reviewed version, so its finding is there: ${JSON.stringify([...byPath.keys()])}`);
    assert.equal(pricing.uri.scheme, 'file');
    assert.deepEqual(pricing.lines, [0]);
    const config = byPath.get('/src/config.ts');
    assert.ok(config, 'the config\'s finding sits on its reviewed version');
    assert.equal(config.uri.scheme, 'recurse-git');
    assert.deepEqual(config.lines, [11]);
    assert.match(config.uri.query, /side=head/);
    assert.equal((await text(config.uri)).split('\n')[11], '// changed again', 'line 12 of that document is the line the finding is about');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const [diagnostic] = vscode.languages.getDiagnostics(config.uri).filter((d) => d.source === 'Recurse Review');
    const code = diagnostic.code as { target: vscode.Uri };
    await vscode.commands.executeCommand(code.target.path, ...(JSON.parse(code.target.query) as unknown[]));
    await waitFor('the diff editor', () => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff);
    assert.equal(diffTab().modified.toString(), config.uri.toString(), 'the diff\'s right side is the document holding the diagnostic');
    await waitFor('the cursor on line 12', () => vscode.window.activeTextEditor?.selection.active.line === 11);
  });

  it('keeps the review across a window reload: diagnostics come back, its citations open the diff; New Chat clears it', async () => {
    const review = recurse.review.current;
    assert.ok(review);
    await recurse.review.flushed();
    assert.equal(recurse.workspaceState.get<{ current?: string }>('recurse.reviews')?.current, review.id, 'the review is kept in workspaceState');
    const before = recurse.review.diagnostics().map(([u, ds]) => [u.toString(), ds.map((d) => [d.range.start.line, d.message])]);
    assert.equal(before.length, 2);
    // pricing.ts is edited before the reload: it is no longer the reviewed version, so its finding moves there.
    const pricingOnDisk = fs.readFileSync(file(PRICING), 'utf8');
    fs.writeFileSync(file(PRICING), `${pricingOnDisk}// edited after the review\n`);
    try {
      const restored = await recurse.review.reload();
      assert.equal(restored?.id, review.id);
      const after = recurse.review.diagnostics();
      assert.equal(after.length, 2, JSON.stringify(after));
      assert.ok(after.every(([u]) => u.scheme === 'recurse-git'), `both findings on the reviewed versions now: ${after.map(([u]) => u.toString())}`);
      assert.deepEqual(after.map(([u, ds]) => [u.path, ds.map((d) => d.range.start.line)]).sort(), [['/src/config.ts', [11]], ['/src/orders/pricing.ts', [0]]]);
      assert.equal(vscode.languages.getDiagnostics(uriOf(PRICING)).filter((d) => d.source === 'Recurse Review').length, 0);

      // The restored chat history's citation of the review opens its diff, not the file.
      const run = recurse.history.runs.at(-1);
      const cited = run?.citations?.find((c) => c.path === CONFIG && c.startLine === 12 && c.review === review.id);
      assert.ok(cited?.valid, JSON.stringify(run?.citations));
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const opened = (await recurse.postFromWebview({ type: 'openCitation', path: CONFIG, startLine: 12, endLine: 12, folder: folder().name, review: cited.review })) as { kind?: string };
      assert.equal(opened.kind, 'diff', JSON.stringify(opened));
      const tab = diffTab();
      assert.equal(tab.modified.scheme, 'recurse-git');
      assert.equal((await text(tab.modified)).split('\n')[11], '// changed again');
      await waitFor('the cursor on line 12', () => vscode.window.activeTextEditor?.selection.active.line === 11);

      // New Chat forgets it for good: nothing comes back after the next reload.
      await vscode.commands.executeCommand('recurse.newChat');
      assert.equal(recurse.review.diagnostics().length, 0);
      await recurse.review.flushed();
      assert.equal(recurse.workspaceState.get('recurse.reviews'), undefined);
      assert.equal(await recurse.review.reload(), undefined);
      assert.equal(recurse.review.diagnostics().length, 0);
      assert.equal(recurse.review.current, undefined);
    } finally {
      fs.writeFileSync(file(PRICING), pricingOnDisk);
    }
  });
});
