import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { DiffSource } from '../../core/review/diffSource';
import { toJson, toMarkdown } from '../../core/review/reviewReport';
import { review } from '../../core/workflows/review';
import type { McpContext } from './mcpContext';
import { toolError } from './toolError';
import { ToolProgress } from './toolProgress';

/** `review`: a git change reviewed by the RLM, findings with locations checked against the files. */
export function registerReviewTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'review',
    {
      title: 'Review a git change',
      description:
        'Review a change of the workspace\'s git repository with a Recursive Language Model that reads the diff and the ' +
        'code around it: findings (error, warning, info) with file:line locations checked against the files. Default: ' +
        'the working tree against HEAD; `staged` for the index; `base` alone for a branch as its pull request shows it ' +
        '(against the merge-base); `base` and `head` for a range. Takes minutes on a large change; reports progress.',
      inputSchema: {
        base: z.string().optional().describe('A git ref: the branch or commit the change is compared with.'),
        head: z.string().optional().describe('With base: the other end of the range (default HEAD).'),
        staged: z.boolean().optional().describe('Review the staged changes.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ base, head, staged }, extra) => {
      const progress = new ToolProgress(extra, 'review');
      try {
        if (staged && (base || head)) return toolError(new Error('staged reviews the index against HEAD: give it alone, or base/head without it.'));
        if (head && !base) return toolError(new Error('head needs a base: the range base..head is reviewed.'));
        const source: DiffSource = staged ? { kind: 'staged' } : base && head ? { kind: 'range', base, head } : base ? { kind: 'branch', base } : { kind: 'worktree' };
        const models = await context.models();
        const report = await review({ ...context.runOptions(models, extra.signal, progress.onEvent), source, scope: context.scope });
        return { content: [{ type: 'text' as const, text: toMarkdown(report) }], structuredContent: JSON.parse(toJson(report)) as Record<string, unknown> };
      } catch (e) {
        return toolError(e);
      }
    },
  );
}
