import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RecurseApi } from '../../src/extension/extension';
import { commit, gitIn, initRepoIn } from '../support/gitRepo';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, folder, js, script, waitFor } from './helpers';

function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

const token = () => new vscode.CancellationTokenSource().token;

/** Recurse for other agents in VS Code: its language-model tools, @recurse in the Chat view, its MCP server definition. */
describe('agents: language-model tools, @recurse, MCP server definition', () => {
  let server: ModelServer;
  let recurse: RecurseApi;

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
  });
  after(async () => {
    await server.close();
  });

  it('registers recurse_ask, recurse_findSymbol and recurse_trace in vscode.lm.tools, with input schemas', () => {
    const tools = vscode.lm.tools.filter((t) => t.name.startsWith('recurse_'));
    assert.deepEqual(tools.map((t) => t.name).sort(), ['recurse_ask', 'recurse_findSymbol', 'recurse_trace']);
    for (const t of tools) {
      assert.ok(t.description.length > 80, `${t.name} is described for models`);
      assert.equal((t.inputSchema as { type?: string }).type, 'object');
    }
  });

  it('recurse_findSymbol and recurse_trace answer through vscode.lm.invokeTool, from the real files', async () => {
    const found = textOf(await vscode.lm.invokeTool('recurse_findSymbol', { input: { name: 'priceOrder' }, toolInvocationToken: undefined }, token()));
    assert.match(found, /^src\/orders\/pricing\.ts:15-\d+ {2}function priceOrder/m);
    const traced = textOf(await vscode.lm.invokeTool('recurse_trace', { input: { target: 'src/orders/pricing.ts', direction: 'in' }, toolInvocationToken: undefined }, token()));
    assert.match(traced, /pricing\.ts/);
    const unknown = textOf(await vscode.lm.invokeTool('recurse_trace', { input: { target: 'noSuchThingAnywhere' }, toolInvocationToken: undefined }, token()));
    assert.match(unknown, /noSuchThingAnywhere/);
  });

  it('recurse_ask runs the RLM and returns the answer with its citations checked', async () => {
    const s = script(server, [
      js('print(grep(/export function priceOrder/).map((h) => h.path + ":" + h.line))'),
      js('finish("Orders are priced in src/orders/pricing.ts:15; see also src/orders/missing.ts:3.")'),
    ]);
    const result = textOf(await vscode.lm.invokeTool('recurse_ask', { input: { question: 'Where are orders priced?' }, toolInvocationToken: undefined }, token()));
    s.check();
    assert.match(result, /Orders are priced in src\/orders\/pricing\.ts:15/);
    assert.match(result, /src\/orders\/missing\.ts:3 \[✗ unverified/);
    assert.match(result, /- src\/orders\/pricing\.ts:15 ✓ verified/);
  });

  it('@recurse in the Chat view: VS Code sends it the question, it answers with anchors to verified citations', async () => {
    const s = script(server, [
      js('print(grep(/export function priceOrder/).length)'),
      js('finish("Priced by priceOrder at src/orders/pricing.ts:15-17.")'),
    ]);
    // The Chat view sends requests with a chat model selected: the test provider's (test/vscode/lm-provider).
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@recurse Where are orders priced?',
      modelSelector: { vendor: 'recurse-test', id: 'recurse-test-model' },
    });
    const handled = await waitFor('VS Code to send the question to @recurse', () => recurse.agents.lastChatRequest, 60_000);
    s.check();
    assert.equal(handled.prompt, 'Where are orders priced?');
    const entry = (handled.result.metadata as { entry?: { answer: string; citations: { path: string; valid: boolean }[] } }).entry;
    assert.ok(entry, JSON.stringify(handled.result));
    assert.equal(entry.answer, 'Priced by priceOrder at src/orders/pricing.ts:15-17.');
    assert.deepEqual(entry.citations.map((c) => [c.path, c.valid]), [['src/orders/pricing.ts', true]]);
  });

  it("the participant's handler, given VS Code's request, streams progress, markdown and anchors", async () => {
    const s = script(server, [
      js('print(1)'),
      js('finish("See src/orders/pricing.ts:15 and src/nowhere.ts:1.")'),
    ]);
    const parts: { kind: string; value: unknown }[] = [];
    const stream = {
      markdown: (value: string | vscode.MarkdownString) => parts.push({ kind: 'markdown', value: typeof value === 'string' ? value : value.value }),
      anchor: (value: vscode.Uri | vscode.Location, title?: string) => parts.push({ kind: 'anchor', value: { value, title } }),
      progress: (value: string) => parts.push({ kind: 'progress', value }),
      reference: (value: unknown) => parts.push({ kind: 'reference', value }),
      button: () => undefined,
      filetree: () => undefined,
      push: () => undefined,
    } as unknown as vscode.ChatResponseStream;
    // The request object VS Code made for the previous test, handled again into a stream that records what it gets.
    const real = recurse.agents.lastChatRequest;
    assert.ok(real, 'a request VS Code made (previous test)');
    const result = await recurse.agents.handleChatRequest(real.request, { history: [] }, stream, token());
    s.check();
    assert.equal(result.errorDetails, undefined, JSON.stringify(result));
    assert.ok(parts.some((p) => p.kind === 'progress' && /turn 1\/6/.test(String(p.value))), JSON.stringify(parts));
    const anchor = parts.find((p) => p.kind === 'anchor')!.value as { value: vscode.Location; title: string };
    assert.equal(anchor.title, 'src/orders/pricing.ts:15');
    assert.equal(anchor.value.uri.fsPath, vscode.Uri.joinPath(folder().uri, 'src/orders/pricing.ts').fsPath);
    assert.equal(anchor.value.range.start.line, 14);
    assert.ok(parts.some((p) => p.kind === 'markdown' && /src\/nowhere\.ts:1 \*\[✗ unverified/.test(String(p.value))));
  });

  it('@recurse /trace in the Chat view: the command reaches the participant, which draws the graph without a model', async () => {
    const before = server.chatRequests.length;
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@recurse /trace src/orders/pricing.ts --direction in',
      modelSelector: { vendor: 'recurse-test', id: 'recurse-test-model' },
    });
    const handled = await waitFor('the /trace request', () => recurse.agents.lastChatRequest?.command === 'trace' && recurse.agents.lastChatRequest, 60_000);
    assert.equal(handled.prompt, 'src/orders/pricing.ts --direction in');
    assert.equal(handled.result.errorDetails, undefined, JSON.stringify(handled.result));
    assert.equal(server.chatRequests.length, before, 'no model request for a trace');
  });

  it('@recurse /review staged in the Chat view: the staged change of the real repository is reviewed', async () => {
    const root = folder().uri.fsPath;
    const pricing = path.join(root, 'src', 'orders', 'pricing.ts');
    const original = fs.readFileSync(pricing, 'utf8');
    initRepoIn(root);
    commit(root, 'the shop');
    fs.writeFileSync(pricing, original.replace('BULK_DISCOUNT_RATE = 0.05', 'BULK_DISCOUNT_RATE = 0.5'));
    gitIn(root, 'add', 'src/orders/pricing.ts');
    const findings = { summary: 'A tenfold discount.', findings: [{ severity: 'warning', path: 'src/orders/pricing.ts', line: 4, title: 'Discount rate 0.5', detail: 'was 0.05' }] };
    const s = script(server, [
      (ctx) => {
        assert.match(ctx.messages.map((m) => m.content).join('\n'), /src\/orders\/pricing\.ts/);
        return js("print(diff.files.map((f) => f.status + ' ' + f.path).join('\\n'))");
      },
      js(`finish(${JSON.stringify('Reviewed.\n```json\n' + JSON.stringify(findings) + '\n```')})`),
    ]);
    try {
      await vscode.commands.executeCommand('workbench.action.chat.open', {
        query: '@recurse /review staged',
        modelSelector: { vendor: 'recurse-test', id: 'recurse-test-model' },
      });
      const handled = await waitFor('the /review request', () => recurse.agents.lastChatRequest?.command === 'review' && recurse.agents.lastChatRequest, 60_000);
      s.check();
      assert.equal(handled.result.errorDetails, undefined, JSON.stringify(handled.result));
      const reviewed = server.chatRequests.at(-1)!.body.messages.map((m: { content: string }) => m.content).join('\n');
      assert.match(reviewed, /modified src\/orders\/pricing\.ts/);
    } finally {
      fs.writeFileSync(pricing, original);
      fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
    }
  });

  it('offers its MCP server to VS Code: the definition starts a server that lists the tools', async () => {
    assert.equal(recurse.agents.mcpApi, true, 'this VS Code has the MCP server definition API');
    const definition = recurse.agents.mcpDefinition();
    assert.ok(definition, 'a definition for the open folder');
    assert.match(definition.label, /^Recurse \(/);
    assert.deepEqual(definition.args.slice(1, 4), ['mcp', '--workspace', folder().uri.fsPath]);
    const env = Object.fromEntries(Object.entries({ ...process.env, ...definition.env }).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const client = new Client({ name: 'vscode-test', version: '1' });
    await client.connect(new StdioClientTransport({ command: definition.command, args: definition.args, env, stderr: 'ignore' }));
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['ask', 'find_symbol', 'grep', 'review', 'trace']);
    } finally {
      await client.close();
    }
  });
});
