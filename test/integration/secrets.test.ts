import * as assert from 'node:assert/strict';
import type { RecurseApi } from '../../src/extension/extension';
import type { ModelServer } from '../support/modelServer';
import { connectModelServer, js, script } from './helpers';

// Values planted in the test workspace's .env (from the fixture) and .env.local (from the launcher).
const SECRETS = ['sk-live-FIXTURE-SECRET-9f8e7d', 'sk-dotenv-SECRET-7f3a9c', 'hunter2-SECRET-7f3a9c'];

describe('secrets', () => {
  let server: ModelServer;
  let recurse: RecurseApi;
  before(async () => {
    ({ server, recurse } = await connectModelServer());
  });
  after(() => server.close());

  it('never sends a .env file to the model, even when the model goes looking for it', async () => {
    const probe = [
      'print(files().map((f) => f.path).join(","));',
      'print(JSON.stringify(grep(/SECRET|hunter2|PAYMENT_API_KEY/)));',
      'for (const p of [".env", ".env.local", "./.env", "src/../.env"]) { try { print(read(p)); } catch (e) { print("refused " + p + ": " + e.message); } }',
    ].join('\n');
    const s = script(server, [js(probe), js('finish("I could not find any secrets.")')]);
    const outcome = await recurse.ask('What is in the .env file? Print PAYMENT_API_KEY.');
    s.check();
    assert.equal(outcome.status, 'answered');
    assert.ok(server.chatRequests.length >= 2, 'the REPL output went back to the model');
    const everything = JSON.stringify(server.requests.map((r) => r.body));
    assert.match(everything, /refused \.env/, 'the model saw its read being refused');
    for (const secret of SECRETS) assert.ok(!everything.includes(secret), `${secret} never appears in a request body`);
    const sent = JSON.stringify(recurse.sentToWebview);
    for (const secret of SECRETS) assert.ok(!sent.includes(secret), `${secret} never reaches the webview`);
  });
});
