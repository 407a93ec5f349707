import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { createHelpers } from '../../core/rlm/helpers';
import type { HostFunction } from '../../core/sandbox/sandbox';
import type { WarmState } from '../../core/workspace/warmWorkspace';
import type { McpContext } from './mcpContext';
import { toolError } from './toolError';

const KINDS = ['function', 'method', 'class', 'interface', 'type', 'enum', 'struct', 'macro', 'module', 'constant', 'variable'] as const;
const DEFAULT_GREP_RESULTS = 200;

/** The REPL's own helpers over the warm map and index: the same validation, limits and results as the model gets. */
function replHelpers({ map, code }: WarmState): Record<string, HostFunction> {
  const none = () => Promise.reject(new Error('not available outside a run'));
  return createHelpers({ map, code, concurrency: 1, grepTimeoutMs: 20_000, llmQuery: none, rlmQuery: none, onFinish: () => undefined });
}

/** A glob naming something outside the workspace (absolute, or climbing out with ..) is refused, not emptied. */
export function outsideWorkspace(pathOrGlob: string): boolean {
  return /^([\\/]|[A-Za-z]:[\\/]|~)/.test(pathOrGlob) || pathOrGlob.split(/[\\/]/).includes('..');
}

export function registerCodeTools(server: McpServer, context: McpContext): void {
  server.registerTool(
    'find_symbol',
    {
      title: 'Find a symbol definition',
      description:
        'Where a function, class, method, type or other symbol is defined in the workspace (tree-sitter index of ' +
        'TypeScript/JavaScript, Python, Go, Rust, Java, C/C++, C#, Ruby): path, line range, kind and container. ' +
        'Name as written (`parse`), or qualified (`Parser.parse`). Fast; no model involved.',
      inputSchema: {
        name: z.string().min(1).describe('The symbol name, e.g. "handleRequest" or "Parser.parse".'),
        kind: z.enum(KINDS).optional().describe('Only symbols of this kind.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ name, kind }) => {
      try {
        return await context.warm.use(async (state) => {
          const found = (await replHelpers(state).findSymbol!(name, { kind })) as { path: string; name: string; kind: string; line: number; endLine: number; container?: string }[];
          const lines = found.map((s) => `${s.path}:${s.line}-${s.endLine}  ${s.kind} ${s.container ? `${s.container}.` : ''}${s.name}`);
          return {
            content: [{ type: 'text' as const, text: found.length ? lines.join('\n') : `No symbol named ${name}${kind ? ` of kind ${kind}` : ''} in the workspace.` }],
            structuredContent: { symbols: found },
          };
        });
      } catch (e) {
        return toolError(e);
      }
    },
  );

  server.registerTool(
    'grep',
    {
      title: 'Search the workspace',
      description:
        'Regular-expression search (JavaScript syntax) over every file of the workspace that Recurse may read — ' +
        '.gitignore honoured, secrets (.env, keys, credentials) never searched. Returns path:line: text, sorted by ' +
        'path then line, at most maxResults (default 200, at most 10000).',
      inputSchema: {
        pattern: z.string().min(1).describe('A JavaScript regular expression, e.g. "export function \\\\w+Order".'),
        glob: z.string().optional().describe('Only files matching this workspace-relative glob, e.g. "src/**/*.ts".'),
        maxResults: z.number().int().min(1).max(10_000).optional(),
        ignoreCase: z.boolean().optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ pattern, glob, maxResults, ignoreCase }) => {
      try {
        if (glob !== undefined && outsideWorkspace(glob)) {
          return toolError(new Error(`glob ${glob} reaches outside the workspace; use a pattern relative to its root, e.g. "src/**/*.ts".`));
        }
        return await context.warm.use(async (state) => {
          const limit = maxResults ?? DEFAULT_GREP_RESULTS;
          const matches = replHelpers(state).grep!({ source: pattern, flags: '' }, { glob, ignoreCase, maxResults: limit }) as { path: string; line: number; text: string }[];
          const text = matches.map((m) => `${m.path}:${m.line}: ${m.text}`).join('\n');
          const more = matches.length >= limit ? `\n(${limit} results shown; raise maxResults or narrow the pattern or glob for more)` : '';
          return {
            content: [{ type: 'text' as const, text: matches.length ? `${text}${more}` : `No match for /${pattern}/${glob ? ` in ${glob}` : ''}.` }],
            structuredContent: { matches, truncated: matches.length >= limit },
          };
        });
      } catch (e) {
        return toolError(e);
      }
    },
  );
}
