import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Citation } from '../../core/citations/citations';
import { ask } from '../../core/workflows/ask';
import { markInvalidCitations } from '../cliCommon';
import type { McpContext } from './mcpContext';
import { toolError } from './toolError';
import { ToolProgress } from './toolProgress';

const citationShape = z.object({ path: z.string(), startLine: z.number(), endLine: z.number(), valid: z.boolean(), reason: z.string().optional() });

/** `ask`: the whole RLM run over the workspace; the answer with its citations checked against the files. */
export function registerAskTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'ask',
    {
      title: 'Ask Recurse about the codebase',
      description:
        'Answer a question about the whole workspace with a Recursive Language Model: it explores the code in a sandboxed ' +
        'REPL (grep, symbols, imports, reading line ranges, sub-model calls) and answers in markdown with path:line ' +
        'citations, each checked against the files. Use it for questions that need many files (how does X work, where is ' +
        'Y handled, what calls Z). Citations marked "✗ unverified" point at lines that do not exist or say otherwise: do ' +
        'not present them as fact. Takes from seconds to minutes; reports progress.',
      inputSchema: {
        question: z.string().min(1).describe('The question, in plain language.'),
        scope: z.string().optional().describe('Limit the question to a directory (e.g. "packages/api") or a package name.'),
      },
      outputSchema: {
        answer: z.string(),
        citations: z.array(citationShape),
        usage: z.object({ totalTokens: z.number(), iterations: z.number(), subCalls: z.number(), cost: z.number().optional() }),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ question, scope }, extra) => {
      const progress = new ToolProgress(extra, 'ask');
      try {
        const models = await context.models();
        progress.note('ask: loading the workspace');
        return await context.warm.use(async ({ map, code }) => {
          const result = await ask({
            ...context.runOptions(models, extra.signal, progress.onEvent),
            question,
            map,
            code,
            scope: scope ?? context.scope,
          });
          const citations = result.citations.map(citationJson);
          const marked = markInvalidCitations(result.answer, result.citations);
          const verified = citations.filter((c) => c.valid).length;
          const footer = `\n\n---\nCitations: ${verified} verified${citations.length > verified ? `, ${citations.length - verified} unverified (marked ✗)` : ''}.`;
          return {
            content: [{ type: 'text' as const, text: `${marked}${citations.length ? footer : ''}` }],
            structuredContent: {
              answer: result.answer,
              citations,
              usage: { totalTokens: result.usage.totalTokens, iterations: result.usage.iterations, subCalls: result.usage.subCalls, ...(result.usage.cost !== undefined ? { cost: result.usage.cost } : {}) },
            },
          };
        });
      } catch (e) {
        return toolError(e);
      }
    },
  );
}

function citationJson(c: Citation): z.infer<typeof citationShape> {
  return { path: c.resolvedPath ?? c.path, startLine: c.startLine, endLine: c.endLine, valid: c.valid, ...(c.reason ? { reason: c.reason } : {}) };
}
