import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import { ModelServer } from '../support/modelServer';
import { answerInput, api, configure, inputTitled as inputTitledIn, js, messagesOf } from './helpers';

/**
 * First run: the no-model state and "Configure Model…", driven through VS Code's own quick input (the flow's
 * pick or input box on screen gets its value, then workbench.action.acceptSelectedQuickOpenItem accepts it, as
 * Enter does), against real HTTP endpoints.
 */
describe('first run: no model, then Configure Model…', () => {
  let recurse: RecurseApi;
  const servers: ModelServer[] = [];
  const envKey = process.env.OPENAI_API_KEY;

  before(async () => {
    recurse = await api();
    // A new user: the default OpenAI endpoint, no key anywhere.
    delete process.env.OPENAI_API_KEY;
    await configure({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', subModel: undefined });
    await vscode.commands.executeCommand('recurse.clearApiKey');
  });
  after(async () => {
    if (envKey !== undefined) process.env.OPENAI_API_KEY = envKey;
    await configure({ subModel: undefined });
    for (const s of servers) await s.close();
  });

  async function server(options: Parameters<typeof ModelServer.start>[0] = {}): Promise<ModelServer> {
    const s = await ModelServer.start(options);
    servers.push(s);
    return s;
  }

  const inputTitled = (title: RegExp) => inputTitledIn(recurse, title);
  const answer = (title: RegExp, value: string | RegExp) => answerInput(recurse, title, value);

  it('with no model configured, the chat says so and a question runs nothing (it is kept)', async () => {
    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    const [init] = messagesOf(recurse, 'init', since);
    assert.equal(init.configured, false);
    assert.match(init.setupReason ?? '', /No API key is set for https:\/\/api\.openai\.com\/v1/);
    assert.ok(!recurse.setup.contextKeys.includes('recurse.modelConfigured'), 'the walkthrough\'s model step is not done');

    const outcome = await recurse.ask('Where is tax computed?');
    assert.equal(outcome.status, 'unconfigured');
    const [needs] = messagesOf(recurse, 'needsModel', since);
    assert.equal(needs.question, 'Where is tax computed?');
    assert.equal(messagesOf(recurse, 'runStarted', since).length, 0, 'no run started');
    assert.equal(recurse.history.runs.some((r) => r.question === 'Where is tax computed?'), false, 'nothing went into the history');
  });

  it('an endpoint that refuses the key says so in its own words; the key is entered again, then models are picked and tested', async () => {
    const s = await server({ models: ['root-model', 'sub-model', 'embed-model'], apiKey: 'sk-good-0042' });
    s.setHandler(() => 'ok');
    const since = recurse.sentToWebview.length;
    const flow = vscode.commands.executeCommand<unknown>('recurse.configureModel');
    await answer(/Configure Model/, /^Other OpenAI-compatible endpoint$/);
    await answer(/base URL/, s.url);
    await answer(/API key for/, 'sk-wrong-0001');
    // The listing was refused: the pick says why (the endpoint's own message) and offers the key again.
    const refused = await inputTitled(/root model/) as vscode.QuickPick<vscode.QuickPickItem>;
    assert.match(refused.placeholder ?? '', /Incorrect API key provided: sk-\*+01/);
    await answer(/root model/, /Enter the API key again/);
    await answer(/API key for/, 'sk-good-0042');
    const models = await inputTitled(/root model/) as vscode.QuickPick<vscode.QuickPickItem>;
    assert.deepEqual(models.items.map((i) => i.label), ['embed-model', 'root-model', 'sub-model'], 'the endpoint\'s /models, sorted');
    await answer(/root model/, /^root-model$/);
    await answer(/sub-model/, /^sub-model$/);
    const outcome = await flow as RecurseApi['setup']['lastOutcome'];

    assert.equal(outcome?.status, 'saved');
    assert.ok(outcome?.status === 'saved' && outcome.test.ok, JSON.stringify(outcome));
    const tests = s.chatRequests;
    assert.equal(tests.length, 1, 'one test call');
    assert.equal(tests[0]!.body.max_tokens, 1);
    assert.equal(tests[0]!.headers.authorization, 'Bearer sk-good-0042');
    const config = vscode.workspace.getConfiguration('recurse');
    assert.deepEqual([config.get('provider'), config.get('baseUrl'), config.get('model'), config.get('subModel')], ['openai', s.url, 'root-model', 'sub-model']);
    const status = messagesOf(recurse, 'status', since).map((m) => m.message);
    assert.ok(status.some((m) => /^Model ready: root-model at .* answered the test call in \d+ ms\.$/.test(m)), status.join('\n'));

    // Configured now: the chat's notice goes, the walkthrough's step is done, and a question is answered with the stored key.
    const ready = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    assert.equal(messagesOf(recurse, 'init', ready)[0]!.configured, true);
    assert.ok(recurse.setup.contextKeys.includes('recurse.modelConfigured'));
    s.setHandler(() => js('finish("Tax is computed in src/orders/pricing.ts:3.")'));
    const asked = await recurse.ask('Where is tax computed?');
    assert.equal(asked.status, 'answered');
    assert.ok(s.chatRequests.slice(1).every((r) => r.headers.authorization === 'Bearer sk-good-0042'));
    assert.ok(recurse.setup.contextKeys.includes('recurse.walkthrough.asked'), 'the walkthrough\'s ask step is done');
  });

  it('a chat model installed in VS Code: picked from VS Code\'s own list, tested, saved with no key', async function () {
    const ext = vscode.extensions.getExtension<{ setHandler(fn: () => string): void; requests: unknown[] }>('recurse-test.lm-test-provider');
    if (!ext) this.skip();
    const lm = ext!.isActive ? ext!.exports : await ext!.activate();
    lm.setHandler(() => 'ok');
    const asked = lm.requests.length;
    const flow = vscode.commands.executeCommand<unknown>('recurse.configureModel');
    await answer(/Configure Model/, /^A chat model installed in VS Code$/);
    const models = await inputTitled(/root model/) as vscode.QuickPick<vscode.QuickPickItem>;
    assert.ok(models.items.some((i) => i.label === 'recurse-test-model'), models.items.map((i) => i.label).join(' | '));
    await answer(/root model/, /^recurse-test-model$/);
    await answer(/sub-model/, /^Same as the root model/);
    const outcome = await flow as RecurseApi['setup']['lastOutcome'];
    assert.ok(outcome?.status === 'saved' && outcome.test.ok, JSON.stringify(outcome));
    assert.equal(lm.requests.length, asked + 1, 'one test call through VS Code\'s Language Model API');
    const config = vscode.workspace.getConfiguration('recurse');
    assert.deepEqual([config.get('provider'), config.get('model'), config.get('subModel')], ['vscode-lm', 'recurse-test-model', '']);
    await configure({ provider: 'openai' });
  });

  it('a test call that fails shows the endpoint\'s error and saves nothing unless asked to', async () => {
    const s = await server({ models: ['rate-limited-model'] });
    s.setHandler(() => ({ fault: 'rate-limit' }));
    const before = vscode.workspace.getConfiguration('recurse').get('model');
    const flow = vscode.commands.executeCommand<unknown>('recurse.configureModel');
    await answer(/Configure Model/, /^vLLM$/);
    await answer(/base URL/, s.url);
    await answer(/API key for/, '');
    await answer(/root model/, /^rate-limited-model$/);
    await answer(/sub-model/, /^Same as the root model/);
    const failed = await inputTitled(/the test call failed/) as vscode.QuickPick<vscode.QuickPickItem>;
    assert.match(failed.placeholder ?? '', /rate limiting \(429\): .*Rate limit reached/);
    assert.equal(s.chatRequests.length, 1, 'the test call is not retried');
    failed.hide();
    const outcome = await flow as RecurseApi['setup']['lastOutcome'];
    assert.equal(outcome?.status, 'cancelled');
    assert.equal(vscode.workspace.getConfiguration('recurse').get('model'), before, 'nothing saved');
  });
});
