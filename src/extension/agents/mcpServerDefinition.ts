import * as vscode from 'vscode';
import type { ApiKeyStore } from '../models/apiKeyStore';
import { readSettings } from '../settings';
import { WorkspaceMaps } from '../workspace/workspaceMaps';
import { vscodeRipgrep } from '../workspace/vscodeRipgrep';

/**
 * Recurse's MCP server (`recurse mcp`, the CLI bundled in the extension) offered to VS Code through
 * `contributes.mcpServerDefinitionProviders`, so it is listed among the MCP servers with no hand-written mcp.json.
 * The API is VS Code 1.101's; on an older VS Code (the extension supports 1.95) nothing is registered.
 */
export const MCP_PROVIDER_ID = 'recurse.mcpServers';

/** The parts of the 1.101 API used here (the extension compiles against 1.95's types). */
interface McpStdioServerDefinition {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string | number | null>;
  version?: string;
}
interface McpApi {
  registerMcpServerDefinitionProvider(id: string, provider: {
    onDidChangeMcpServerDefinitions?: vscode.Event<void>;
    provideMcpServerDefinitions(token: vscode.CancellationToken): vscode.ProviderResult<McpStdioServerDefinition[]>;
    resolveMcpServerDefinition?(server: McpStdioServerDefinition, token: vscode.CancellationToken): vscode.ProviderResult<McpStdioServerDefinition>;
  }): vscode.Disposable;
}
type McpStdioServerDefinitionClass = new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => McpStdioServerDefinition;

export function mcpApiAvailable(): boolean {
  return typeof (vscode.lm as unknown as Partial<McpApi>).registerMcpServerDefinitionProvider === 'function' &&
    typeof (vscode as unknown as { McpStdioServerDefinition?: unknown }).McpStdioServerDefinition === 'function';
}

/**
 * The definition for the workspace's folder: node (the extension host's own runtime, run as node) on dist/cli.js,
 * with the model settings as flags. The API key is added from SecretStorage only when VS Code starts the server.
 */
export function recurseMcpDefinition(extensionUri: vscode.Uri, version: string): McpStdioServerDefinition | undefined {
  const folder = WorkspaceMaps.pickFolder();
  if (!folder) return undefined;
  const settings = readSettings(folder);
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  const args = [cli, 'mcp', '--workspace', folder.uri.fsPath];
  if (settings.provider === 'openai') {
    args.push('--base-url', settings.baseUrl);
    if (settings.model) args.push('--model', settings.model);
    if (settings.subModel) args.push('--sub-model', settings.subModel);
  }
  if (settings.maxIterations) args.push('--max-iterations', String(settings.maxIterations));
  if (settings.contextWindow) args.push('--context-window', String(settings.contextWindow));
  if (settings.subContextWindow) args.push('--sub-context-window', String(settings.subContextWindow));
  const Definition = (vscode as unknown as { McpStdioServerDefinition: McpStdioServerDefinitionClass }).McpStdioServerDefinition;
  // The server greps with VS Code's own ripgrep: the installed extension carries no binaries.
  const rg = vscodeRipgrep();
  const env = { ELECTRON_RUN_AS_NODE: '1', ...(rg ? { RECURSE_RIPGREP: rg } : {}) };
  return new Definition(`Recurse (${folder.name})`, process.execPath, args, env, version);
}

export function registerMcpServerDefinitionProvider(extensionUri: vscode.Uri, version: string, keys: ApiKeyStore): vscode.Disposable {
  if (!mcpApiAvailable()) return new vscode.Disposable(() => undefined);
  const changed = new vscode.EventEmitter<void>();
  const api = vscode.lm as unknown as McpApi;
  const registration = api.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const definition = recurseMcpDefinition(extensionUri, version);
      return definition ? [definition] : [];
    },
    resolveMcpServerDefinition: async (server) => {
      const settings = readSettings(WorkspaceMaps.pickFolder());
      const key = settings.provider === 'openai' ? await keys.get(settings.baseUrl) : undefined;
      if (key) server.env = { ...server.env, OPENAI_API_KEY: key };
      return server;
    },
  });
  const watch = vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('recurse') && changed.fire()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
  );
  return vscode.Disposable.from(registration, watch, changed);
}
