import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI } from '../support/cliRun';
import { commit, initRepoIn, write } from '../support/gitRepo';
import { type McpSession, startMcp } from '../support/mcpClient';
import { copyFixture, js, startScriptedModels } from '../support/scriptedModels';

/** `recurse mcp` driven by the official MCP SDK client over stdio, against real files and the test model server. */
describe('recurse mcp', () => {
  let fixture: ReturnType<typeof copyFixture>;
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    fixture = copyFixture('shop');
    mkdirSync(join(fixture.dir, 'deploy'), { recursive: true });
    writeFileSync(join(fixture.dir, 'deploy', 'server.pem'), '-----BEGIN MCP-SECRET-pem-----');
    writeFileSync(join(fixture.dir, '.env.local'), 'TOKEN=MCP-SECRET-env');
    mkdirSync(join(fixture.dir, 'build'), { recursive: true });
    writeFileSync(join(fixture.dir, 'build', 'out.js'), 'const MCP_IGNORED_marker = 1; // build/ is in .gitignore');
  });
  after(() => fixture.cleanup());

  describe('without a model', () => {
    let mcp: McpSession;
    before(async () => {
      mcp = await startMcp(['--workspace', fixture.dir]);
    });
    after(() => mcp.close());

    it('lists its tools with input schemas and descriptions an agent can act on', async () => {
      const { tools } = await mcp.client.listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      assert.deepEqual(Object.keys(byName).sort(), ['ask', 'find_symbol', 'grep', 'review', 'trace']);
      assert.deepEqual(byName.ask!.inputSchema.required, ['question']);
      assert.ok(byName.ask!.outputSchema, 'ask declares its structured output');
      assert.deepEqual(Object.keys(byName.grep!.inputSchema.properties ?? {}).sort(), ['glob', 'ignoreCase', 'maxResults', 'pattern']);
      assert.deepEqual(Object.keys(byName.trace!.inputSchema.properties ?? {}).sort(), ['depth', 'direction', 'target', 'to']);
      assert.deepEqual(Object.keys(byName.review!.inputSchema.properties ?? {}).sort(), ['base', 'head', 'staged']);
      for (const tool of tools) assert.ok((tool.description ?? '').length > 80, `${tool.name} is described`);
      assert.match(mcp.client.getInstructions() ?? '', /verified path:line citations/);
    });

    it('find_symbol finds a definition over the real files', async () => {
      const result = await mcp.client.callTool({ name: 'find_symbol', arguments: { name: 'priceOrder' } });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.match((result.content as { text: string }[])[0]!.text, /^src\/orders\/pricing\.ts:15-\d+ {2}function priceOrder/m);
      const symbols = (result.structuredContent as { symbols: { path: string; line: number }[] }).symbols;
      assert.deepEqual(symbols.map((s) => [s.path, s.line]), [['src/orders/pricing.ts', 15]]);
    });

    it('grep searches what the map may read: never a secret or an ignored file, nothing outside the workspace', async () => {
      const hit = await mcp.client.callTool({ name: 'grep', arguments: { pattern: 'export function \\w+Order', glob: 'src/**/*.ts' } });
      assert.match((hit.content as { text: string }[])[0]!.text, /src\/orders\/pricing\.ts:15: export function priceOrder/);
      const secret = await mcp.client.callTool({ name: 'grep', arguments: { pattern: 'MCP-SECRET' } });
      assert.ok(!secret.isError);
      assert.match((secret.content as { text: string }[])[0]!.text, /^No match/);
      assert.deepEqual((secret.structuredContent as { matches: unknown[] }).matches, []);
      const ignored = await mcp.client.callTool({ name: 'grep', arguments: { pattern: 'MCP_IGNORED' } });
      assert.deepEqual((ignored.structuredContent as { matches: unknown[] }).matches, [], 'a git-ignored file is never searched');
      const outside = await mcp.client.callTool({ name: 'grep', arguments: { pattern: 'root', glob: '../../etc/*' } });
      assert.equal(outside.isError, true);
      assert.match((outside.content as { text: string }[])[0]!.text, /outside the workspace/);
      const bad = await mcp.client.callTool({ name: 'grep', arguments: { pattern: '(' } });
      assert.equal(bad.isError, true);
      assert.match((bad.content as { text: string }[])[0]!.text, /grep/);
    });

    it('trace draws what depends on a file; a path outside the workspace is refused', async () => {
      const result = await mcp.client.callTool({ name: 'trace', arguments: { target: 'src/orders/pricing.ts', direction: 'in' } });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.match((result.content as { text: string }[])[0]!.text, /pricing\.ts/);
      assert.ok(Array.isArray((result.structuredContent as { nodes?: unknown[] }).nodes));
      const outside = await mcp.client.callTool({ name: 'trace', arguments: { target: '/etc/passwd' } });
      assert.equal(outside.isError, true);
      assert.match((outside.content as { text: string }[])[0]!.text, /outside the workspace/);
      const unknown = await mcp.client.callTool({ name: 'trace', arguments: { target: 'noSuchSymbolAnywhere' } });
      assert.equal(unknown.isError, true);
    });

    it('ask without a configured model says how to configure one, and the server keeps serving', async () => {
      const result = await mcp.client.callTool({ name: 'ask', arguments: { question: 'What is here?' } });
      assert.equal(result.isError, true);
      assert.match((result.content as { text: string }[])[0]!.text, /OPENAI_API_KEY/);
      const after = await mcp.client.callTool({ name: 'find_symbol', arguments: { name: 'priceOrder' } });
      assert.ok(!after.isError);
    });

    it('keeps the workspace warm and sees a change on the next call', async () => {
      writeFileSync(join(fixture.dir, 'src', 'orders', 'refunds.ts'), 'export function refundOrder(id: string): boolean {\n  return id.length > 0;\n}\n');
      let found: unknown[] = [];
      for (let i = 0; i < 40 && found.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const result = await mcp.client.callTool({ name: 'find_symbol', arguments: { name: 'refundOrder' } });
        found = (result.structuredContent as { symbols: unknown[] }).symbols;
      }
      assert.equal(found.length, 1, 'the new file was indexed');
    });
  });

  describe('with a model', () => {
    it('ask: the answer with verified and marked citations, structured content, and progress while it runs', async () => {
      const models = await startScriptedModels({
        rootSteps: [
          js('const hits = grep(/export function priceOrder/);\nprint(hits)'),
          js('finish("Orders are priced by `priceOrder` in src/orders/pricing.ts:15; totals come from src/api/server.ts:99.")'),
        ],
      });
      const mcp = await startMcp(['--workspace', fixture.dir, '--base-url', models.server.url, '--model', 'root-model'], { OPENAI_API_KEY: 'test-key' });
      try {
        const progress: string[] = [];
        const result = await mcp.client.callTool({ name: 'ask', arguments: { question: 'Where are orders priced?' } }, undefined, {
          onprogress: (p) => progress.push(p.message ?? ''),
        });
        assert.ok(!result.isError, JSON.stringify(result));
        const text = (result.content as { text: string }[])[0]!.text;
        assert.match(text, /src\/orders\/pricing\.ts:15/);
        assert.match(text, /src\/api\/server\.ts:99 \[✗ unverified/);
        assert.match(text, /Citations: 1 verified, 1 unverified/);
        const structured = result.structuredContent as { answer: string; citations: { path: string; startLine: number; valid: boolean }[]; usage: { iterations: number } };
        assert.deepEqual(structured.citations.map((c) => [c.path, c.startLine, c.valid]), [['src/orders/pricing.ts', 15, true], ['src/api/server.ts', 99, false]]);
        assert.equal(structured.usage.iterations, 2);
        assert.ok(progress.some((m) => /ask: turn 2\/20 · 1 cells · 0 sub-calls · [\d,]+ tokens/.test(m)), progress.join('\n'));
      } finally {
        await mcp.close();
        await models.close();
      }
    });

    it('a cancelled ask stops its in-flight sub-calls within a second, and the next call works', async () => {
      const models = await startScriptedModels({
        rootSteps: [
          // The run never gets further: it is cancelled while these sub-calls hang.
          js('const answers = await llm_query_batched(["a", "b", "c"]);\nprint(answers)'),
        ],
        subSteps: [{ fault: 'stall' }, { fault: 'stall' }, { fault: 'stall' }],
      });
      const mcp = await startMcp(['--workspace', fixture.dir, '--base-url', models.server.url, '--model', 'root-model', '--sub-model', 'sub-model'], { OPENAI_API_KEY: 'test-key' });
      try {
        const controller = new AbortController();
        const call = mcp.client.callTool({ name: 'ask', arguments: { question: 'Slow one' } }, undefined, { signal: controller.signal });
        const subCalls = () => models.server.chatRequests.filter((r) => r.body?.model === 'sub-model');
        for (let i = 0; i < 100 && subCalls().length < 3; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(subCalls().length, 3, 'the sub-calls are in flight');
        const cancelledAt = Date.now();
        controller.abort();
        await assert.rejects(call);
        for (let i = 0; i < 30 && subCalls().some((r) => r.abortedAt === undefined); i++) await new Promise((r) => setTimeout(r, 50));
        for (const r of subCalls()) {
          assert.ok(r.abortedAt !== undefined && r.abortedAt - cancelledAt < 1_000, `sub-call closed ${r.abortedAt ? r.abortedAt - cancelledAt : 'never'} ms after cancel`);
        }
        // The server keeps serving, the model too.
        models.rootSteps.push(js('finish("Still here: src/orders/pricing.ts:15.")'));
        const next = await mcp.client.callTool({ name: 'ask', arguments: { question: 'Still there?' } });
        assert.ok(!next.isError, JSON.stringify(next));
        assert.match((next.content as { text: string }[])[0]!.text, /Still here/);
      } finally {
        await mcp.close();
        models.rootSteps.length = 0;
        await models.close().catch(() => undefined);
      }
    });

    it('ask never sends a secret, even when the model asks for one', async () => {
      const models = await startScriptedModels({
        rootSteps: [
          js("print(read('.env.local'))"),
          (ctx) => {
            assert.doesNotMatch(ctx.lastUser, /MCP-SECRET/);
            return js('finish("No secrets here: src/orders/pricing.ts:15.")');
          },
        ],
      });
      const mcp = await startMcp(['--workspace', fixture.dir, '--base-url', models.server.url, '--model', 'root-model'], { OPENAI_API_KEY: 'test-key' });
      try {
        const result = await mcp.client.callTool({ name: 'ask', arguments: { question: 'What is in .env.local?' } });
        assert.ok(!result.isError, JSON.stringify(result));
        assert.ok(models.server.chatRequests.every((r) => !JSON.stringify(r.body).includes('MCP-SECRET')));
      } finally {
        await mcp.close();
        await models.close();
      }
    });

    it('review: a commit range of a real git repository, findings checked against the files', async () => {
      const repo = copyFixture('shop');
      initRepoIn(repo.dir);
      const base = commit(repo.dir, 'base');
      write(repo.dir, { 'src/orders/discount.ts': 'export function discount(total: number): number {\n  return total > 100 ? total * 0.9 : total;\n}\n' });
      commit(repo.dir, 'add discount');
      const findings = { summary: 'One new function.', findings: [{ severity: 'info', path: 'src/orders/discount.ts', line: 2, title: 'Magic numbers', detail: '100 and 0.9 are unnamed' }] };
      const models = await startScriptedModels({
        rootSteps: [js('print(diff.files.map((f) => f.path))'), js(`finish(${JSON.stringify('Reviewed.\n```json\n' + JSON.stringify(findings) + '\n```')})`)],
      });
      const mcp = await startMcp(['--workspace', repo.dir, '--base-url', models.server.url, '--model', 'root-model'], { OPENAI_API_KEY: 'test-key' });
      try {
        const result = await mcp.client.callTool({ name: 'review', arguments: { base, head: 'HEAD' } });
        assert.ok(!result.isError, JSON.stringify(result));
        assert.match((result.content as { text: string }[])[0]!.text, /Magic numbers/);
        const report = result.structuredContent as { findings: { path: string; line: number; valid: boolean }[] };
        assert.deepEqual(report.findings.map((f) => [f.path, f.line, f.valid]), [['src/orders/discount.ts', 2, true]]);
        const bad = await mcp.client.callTool({ name: 'review', arguments: { head: 'HEAD' } });
        assert.equal(bad.isError, true);
      } finally {
        await mcp.close();
        await models.close();
        repo.cleanup();
      }
    });
  });
});
