import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI } from '../support/cliRun';
import { startMcp } from '../support/mcpClient';
import { copyFixture } from '../support/scriptedModels';

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

interface ServerConfig {
  type?: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** The README's MCP client configurations: each JSON block of the section, with the client it is for. */
function readmeConfigs(): { client: string; servers: Record<string, ServerConfig>; raw: unknown }[] {
  const section = README.slice(README.indexOf('## Agents: Recurse as an MCP server'), README.indexOf('\n## ', README.indexOf('## Agents: Recurse as an MCP server') + 5));
  const out = [];
  for (const m of section.matchAll(/\n(\w[^\n]*?) — [^\n]*\n\n```json\n([\s\S]*?)\n```/g)) {
    const raw = JSON.parse(m[2]!) as { mcpServers?: Record<string, ServerConfig>; servers?: Record<string, ServerConfig> };
    out.push({ client: m[1]!, servers: raw.mcpServers ?? raw.servers ?? {}, raw });
  }
  return out;
}

/** Runs a configuration as its client would: `recurse` is the bundled CLI, variables are the client's. */
function resolveArgs(args: string[], workspace: string): string[] {
  return args.map((a) => (a === '.' || a === '${workspaceFolder}' ? workspace : a));
}

describe("README's MCP client configurations", () => {
  let fixture: ReturnType<typeof copyFixture>;
  before(() => {
    fixture = copyFixture('shop');
  });
  after(() => fixture.cleanup());

  it('are valid JSON in each client\'s own shape: Claude Code, Cursor and VS Code', () => {
    const configs = readmeConfigs();
    assert.deepEqual(configs.map((c) => c.client), ['Claude Code', 'Cursor', 'VS Code']);
    for (const { client, servers, raw } of configs) {
      const server = servers.recurse;
      assert.ok(server, `${client}: a "recurse" server`);
      assert.equal(server.command, 'recurse');
      assert.deepEqual(server.args.slice(0, 2), ['mcp', '--workspace']);
      if (client === 'VS Code') {
        assert.equal(server.type, 'stdio');
        assert.ok('servers' in (raw as object), 'VS Code reads "servers"');
        const inputs = (raw as { inputs: { id: string; password: boolean }[] }).inputs;
        assert.ok(inputs.some((i) => i.password && server.env?.OPENAI_API_KEY === `\${input:${i.id}}`), 'the key comes from a password input');
      } else {
        assert.ok('mcpServers' in (raw as object), `${client} reads "mcpServers"`);
      }
    }
  });

  it('each starts a server that lists the tools and answers find_symbol', async () => {
    for (const { client, servers } of readmeConfigs()) {
      const server = servers.recurse!;
      const mcp = await startMcp(resolveArgs(server.args.slice(1), fixture.dir), { OPENAI_API_KEY: 'not-used' }, { command: process.execPath, args: [CLI, 'mcp'] });
      try {
        const { tools } = await mcp.client.listTools();
        assert.equal(tools.length, 5, client);
        const found = await mcp.client.callTool({ name: 'find_symbol', arguments: { name: 'priceOrder' } });
        assert.match((found.content as { text: string }[])[0]!.text, /src\/orders\/pricing\.ts:15/, client);
      } finally {
        await mcp.close();
      }
    }
  });
});
