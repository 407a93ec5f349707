import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, js, script } from './helpers';

/** The chat view's "Export Run as HTML…": the last run (or a named one) as one self-contained page. */
describe('export a run as HTML', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  let dir: string;

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-export-'));
  });
  after(async () => {
    recurse.cancel();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the last run: question, answer, its turns, cells and outputs, with no script', async () => {
    const s = script(server, [
      { reasoning: 'Grep for the pricing function first.', text: 'Looking.\n' + js('print(grep(/export function priceOrder/).map((h) => h.path + ":" + h.line))') },
      js('finish("Orders are priced by `priceOrder` in src/orders/pricing.ts:15.")'),
    ]);
    const outcome = await recurse.ask('Where are orders priced, for the export?');
    s.check();
    assert.equal(outcome.status, 'answered');

    const target = vscode.Uri.file(path.join(dir, 'run.html'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('recurse.exportRun', { target });
    assert.equal(written?.fsPath, target.fsPath);
    const page = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(page, /<h1>Where are orders priced, for the export\?<\/h1>/);
    assert.match(page, /Orders are priced by <code>priceOrder<\/code> in src\/orders\/pricing\.ts:15\./);
    assert.match(page, /src\/orders\/pricing\.ts:15 verified/);
    assert.match(page, /Turn 1/);
    assert.match(page, /print\(grep\(\/export function priceOrder\/\)/);
    assert.match(page, /\[\s*&quot;src\/orders\/pricing\.ts:15&quot;\s*\]|src\/orders\/pricing\.ts:15\n/, 'the cell output');
    assert.match(page, /Grep for the pricing function first\./, 'the thinking, folded');
    assert.doesNotMatch(page, /<script/);
    assert.match(page, /Content-Security-Policy/);

    // By run id too: the one of this answer.
    const byId = vscode.Uri.file(path.join(dir, 'by-id.html'));
    await vscode.commands.executeCommand('recurse.exportRun', { target: byId, runId: outcome.status === 'answered' ? outcome.runId : '' });
    assert.match(fs.readFileSync(byId.fsPath, 'utf8'), /for the export\?/);
  });

  it('is in the chat view title menu and the command palette', () => {
    const pkg = vscode.extensions.all.find((e) => e.packageJSON?.name === 'recurse')?.packageJSON;
    assert.ok(pkg, 'the extension is installed');
    const command = pkg.contributes.commands.find((c: { command: string }) => c.command === 'recurse.exportRun');
    assert.equal(command?.title, 'Export Run as HTML…');
    assert.ok(pkg.contributes.menus['view/title'].some((m: { command: string; when: string }) => m.command === 'recurse.exportRun' && m.when === 'view == recurse.chat'));
  });
});
