import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI } from './cliRun';

export interface McpSession {
  client: Client;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * `recurse mcp ARGS` (the bundled CLI) driven by the official SDK's client over stdio, as an agent runs it: a clean
 * environment (no OPENAI_/RECURSE_ variables), its own empty HOME, a local Ollama never found.
 */
export async function startMcp(args: string[], env: Record<string, string> = {}, command: { command: string; args: string[] } = { command: process.execPath, args: [CLI, 'mcp'] }): Promise<McpSession> {
  const home = mkdtempSync(join(tmpdir(), 'recurse-mcp-home-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(OPENAI_|RECURSE_)/.test(k))) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: command.command,
    args: [...command.args, ...args],
    env: { ...clean, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), RECURSE_OLLAMA_URL: 'http://127.0.0.1:9/v1', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'recurse-test-agent', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    close: async () => {
      await client.close().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
