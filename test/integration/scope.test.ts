import * as assert from 'node:assert/strict';
import type { RecurseApi } from '../../src/extension/extension';
import { SCOPE_KEY, ScopeController } from '../../src/extension/scope/scopeController';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, folder, js, messagesOf, script, waitFor } from './helpers';

/** The chat's scope picker in a real VS Code: setScope from the webview, then questions limited to the scope. */
describe('chat scope', () => {
  let server: ModelServer;
  let recurse: RecurseApi;

  before(async () => {
    ({ server, recurse } = await connectModelServer({ subModel: '', maxIterations: 6 }));
  });
  after(async () => {
    await recurse.postFromWebview({ type: 'setScope', kind: 'workspace' });
    recurse.cancel();
    await server.close();
  });

  it('sends the choices after the ready handshake, whole workspace first', async () => {
    const since = recurse.sentToWebview.length;
    await recurse.postFromWebview({ type: 'ready', version: 1 });
    const scopes = await waitFor('a scopes message', () => messagesOf(recurse, 'scopes', since)[0]);
    assert.equal(scopes.current, 'workspace');
    assert.deepEqual(scopes.choices[0], { id: 'workspace', kind: 'workspace', label: 'Whole workspace', detail: folder().name });
    assert.ok(scopes.choices.some((c) => c.id === 'pick-directory' && c.kind === 'directory' && c.folder === folder().name), JSON.stringify(scopes));
  });

  it('limits a question to the chosen directory: metadata, helpers, citations, and the answer says so', async () => {
    const since = recurse.sentToWebview.length;
    const set = (await recurse.postFromWebview({ type: 'setScope', kind: 'directory', folder: folder().name, spec: 'src/orders' })) as {
      ok: boolean;
      scope?: { label: string };
    };
    assert.deepEqual(set, { ok: true, scope: { kind: 'directory', label: 'src/orders', folder: folder().name, spec: 'src/orders' } });
    const scopes = await waitFor('the updated choices', () => messagesOf(recurse, 'scopes', since).at(-1));
    assert.equal(scopes.current, `directory:${folder().name}:src/orders`);
    assert.ok(scopes.choices.some((c) => c.id === scopes.current && c.label === 'src/orders'));

    const s = script(server, [
      (ctx) => {
        const first = ctx.messages.find((m) => m.role === 'user')!.content;
        const meta = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(first)?.[1] ?? 'null');
        assert.ok(meta, first.slice(0, 1500));
        assert.equal(meta.files, 2, 'only the two files of src/orders');
        assert.deepEqual(meta.scope, { spec: 'src/orders', dir: 'src/orders' });
        assert.doesNotMatch(first, /scripts|README|server\.ts/);
        return js('print(files().map((f) => f.path).join(","))');
      },
      (ctx) => {
        assert.match(ctx.lastUser, /src\/orders\/order\.ts,src\/orders\/pricing\.ts\n/);
        return js('finish("Priced in src/orders/pricing.ts:15; served from src/api/server.ts:1.")');
      },
    ]);
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: 'Where are orders priced?' })) as { status: string };
    s.check();
    assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.deepEqual(answer.scope, { kind: 'directory', label: 'src/orders', folder: folder().name, spec: 'src/orders' });
    assert.deepEqual(answer.citations.map((c) => [c.path, c.valid]), [
      ['src/orders/pricing.ts', true],
      ['src/api/server.ts', false],
    ]);
    await recurse.history.flushed();
    assert.deepEqual(recurse.history.runs.at(-1)?.scope, answer.scope, 'the history keeps the scope');
  });

  it('keeps the scope in workspaceState, so a new session asks in it too', async () => {
    assert.deepEqual(recurse.workspaceState.get(SCOPE_KEY), { kind: 'directory', folder: folder().name, spec: 'src/orders' });
    const next = new ScopeController({ state: recurse.workspaceState, maps: undefined as never, log: undefined as never, post: () => undefined });
    assert.equal(next.folder()?.name, folder().name);
    assert.equal(next.spec(folder()), 'src/orders');
  });

  it('refuses a scope that does not exist, with a clear message, and keeps the current one', async () => {
    const since = recurse.sentToWebview.length;
    const result = (await recurse.postFromWebview({ type: 'setScope', kind: 'directory', spec: 'no/such/dir' })) as { ok: boolean; error?: string };
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /unknown scope "no\/such\/dir": not a directory with files/);
    const status = messagesOf(recurse, 'status', since).at(-1);
    assert.match(status?.message ?? '', /^Scope not changed: unknown scope "no\/such\/dir"/);
    assert.equal(recurse.workspaceState.get<{ spec: string }>(SCOPE_KEY)?.spec, 'src/orders');
    // Outside the workspace: dropped by the protocol before the host sees it.
    assert.equal(await recurse.postFromWebview({ type: 'setScope', kind: 'directory', spec: '../outside' }), undefined);
    assert.equal(await recurse.postFromWebview({ type: 'setScope', kind: 'folder', folder: 'no-such-folder' }).then((r) => (r as { ok: boolean }).ok), false);
  });

  it('back to the whole workspace: the next answer sees every file', async () => {
    const set = (await recurse.postFromWebview({ type: 'setScope', kind: 'workspace' })) as { ok: boolean };
    assert.equal(set.ok, true);
    assert.equal(recurse.workspaceState.get(SCOPE_KEY), undefined);
    const since = recurse.sentToWebview.length;
    const s = script(server, [
      (ctx) => {
        assert.doesNotMatch(ctx.lastUser, /"scope"/);
        return js('finish("See src/api/server.ts:1.")');
      },
    ]);
    const outcome = (await recurse.postFromWebview({ type: 'ask', question: 'Where is the server?' })) as { status: string };
    s.check();
    assert.equal(outcome.status, 'answered');
    const [answer] = messagesOf(recurse, 'answer', since);
    assert.deepEqual(answer.scope, { kind: 'workspace', label: 'Whole workspace' });
    assert.equal(answer.citations[0]?.valid, true);
  });
});
