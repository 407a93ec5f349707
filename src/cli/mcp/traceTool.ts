import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_DEPTH } from '../../core/trace/traceDependencies';
import { traceJson, traceMarkdown } from '../../core/trace/traceFormat';
import { trace } from '../../core/workflows/trace';
import { outsideWorkspace } from './codeTools';
import type { McpContext } from './mcpContext';
import { toolError } from './toolError';

/** `trace`: the dependency graph of a file or symbol, from the import graph and the symbol index (no model). */
export function registerTraceTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'trace',
    {
      title: 'Trace dependencies',
      description:
        'What a file or symbol depends on (direction "out"), what depends on it ("in"), or both; with `to`, the ' +
        'shortest chain from the target to another file or symbol, each hop with its line. Targets: a workspace path ' +
        '("src/api/server.ts") or a symbol ("handleRequest", "Server.start", "src/api/server.ts#start"). No model involved.',
      inputSchema: {
        target: z.string().min(1).describe('A workspace-relative path or a symbol name.'),
        to: z.string().optional().describe('Another path or symbol: show how the target reaches it.'),
        direction: z.enum(['out', 'in', 'both']).optional(),
        depth: z.number().int().min(1).max(10).optional().describe(`Hops to follow (default ${DEFAULT_DEPTH}).`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ target, to, direction, depth }, extra) => {
      try {
        for (const input of [target, to]) {
          if (input !== undefined && outsideWorkspace(input)) {
            return toolError(new Error(`${input} is outside the workspace; name a workspace-relative path or a symbol.`));
          }
        }
        return await context.warm.use(async ({ map, code }) => {
          const result = await trace({ workspace: context.root, target, to, direction, depth, map, code, scope: context.scope, signal: extra.signal });
          if (!result.ok) {
            const { message, suggestions } = result.error;
            return toolError(new Error(`${result.error.which === 'to' ? 'to: ' : ''}${message}${suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : ''}`));
          }
          return {
            content: [{ type: 'text' as const, text: traceMarkdown(result.graph) }],
            structuredContent: traceJson(result.graph) as Record<string, unknown>,
          };
        });
      } catch (e) {
        return toolError(e);
      }
    },
  );
}
