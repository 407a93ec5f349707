import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerAskTool } from './askTool';
import { registerCodeTools } from './codeTools';
import type { McpContext } from './mcpContext';
import { registerReviewTool } from './reviewTool';
import { registerTraceTool } from './traceTool';

export const MCP_INSTRUCTIONS =
  'Recurse answers questions about this whole codebase with verified path:line citations. Use `ask` for questions that ' +
  'span many files; `find_symbol`, `grep` and `trace` for quick exact lookups (no model, milliseconds); `review` for a ' +
  'git change. Secrets and git-ignored files are never read.';

/** The MCP server of `recurse mcp`: Recurse's workflows and helpers as tools over one warm workspace. */
export function createMcpServer(context: McpContext, version: string): McpServer {
  const server = new McpServer({ name: 'recurse', title: 'Recurse', version }, { instructions: MCP_INSTRUCTIONS });
  registerAskTool(server, context);
  registerCodeTools(server, context);
  registerTraceTool(server, context);
  registerReviewTool(server, context);
  return server;
}
