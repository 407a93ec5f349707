import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ScopeError, scopeLabel } from '../core/index/scope';
import { ChatModelError } from '../core/llm/chatModel';
import { RlmCancelledError } from '../core/rlm/rlm';
import { DEFAULT_DEPTH, DEFAULT_MAX_NODES } from '../core/trace/traceDependencies';
import { type TraceFormat, formatTrace } from '../core/trace/traceFormat';
import type { TraceDirection } from '../core/trace/traceGraph';
import { trace } from '../core/workflows/trace';
import { EXIT, markInvalidCitations } from './cliCommon';
import { type CliArgs, MODEL_OPTIONS, type ModelFlags, parseFlags, readScope, positiveInt, readModelFlags, UsageError } from './args';
import { createCliModels } from './models';
import { createProgressPrinter } from './progress';
import { cliRipgrep } from './ripgrepBinary';

/** `recurse trace`: a dependency graph on stdout (markdown, JSON or DOT); with --explain, the model's explanation after it. */

export const TRACE_USAGE = `Usage:
  recurse trace <symbol|path> [options]   what a file or symbol depends on, what depends on it, or how it
                                          reaches another; symbols as name, Container.name or path#name

Options for trace:
  -w, --workspace DIR      workspace root (default: current directory)
      --to <symbol|path>   show the shortest chain from the target to this one, each hop with its line
      --direction D        out (what it depends on, default), in (what depends on it), both
      --depth N            hops to follow (default ${DEFAULT_DEPTH})
      --max-nodes N        nodes shown before the rest collapse by package or directory (default ${DEFAULT_MAX_NODES})
      --scope DIR|PACKAGE  resolve the target and draw the graph only inside a directory or a package
      --format F           markdown (default), json, dot
      --explain            also ask the model to explain the graph (model options as for ask:
                           -m/--model, --sub-model, --base-url, --api-key, --config, --max-iterations)
      --exclude GLOB       extra ignore pattern (repeatable)
  -q, --quiet              no progress on stderr

Exit codes: 0 traced, 1 failed, 2 usage error or unknown target, 130 cancelled.`;

const FORMATS: TraceFormat[] = ['markdown', 'json', 'dot'];
const DIRECTIONS: TraceDirection[] = ['in', 'out', 'both'];

type TraceArgs = ModelFlags &
  Pick<CliArgs, 'workspace' | 'maxIterations' | 'exclude' | 'scope' | 'quiet'> & {
    target: string;
    to?: string;
    direction: TraceDirection;
    depth: number;
    maxNodes: number;
    format: TraceFormat;
    explain: boolean;
  };

export function parseTraceArgs(argv: string[]): TraceArgs | 'help' {
  const parsed = parseFlags({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      to: { type: 'string' },
      direction: { type: 'string' },
      depth: { type: 'string' },
      'max-nodes': { type: 'string' },
      format: { type: 'string' },
      explain: { type: 'boolean' },
      exclude: { type: 'string', multiple: true },
      scope: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      ...MODEL_OPTIONS,
      'max-iterations': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length ? `trace takes one target, got ${positionals.length}: ${positionals.join(' ')}` : 'trace needs a target: a workspace path or a symbol name');
  }
  const direction = (v.direction ?? 'out') as TraceDirection;
  if (!DIRECTIONS.includes(direction)) throw new UsageError(`--direction must be one of ${DIRECTIONS.join(', ')}, got "${v.direction}"`);
  const format = (v.format ?? 'markdown') as TraceFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${v.format}"`);
  return {
    target: positionals[0],
    workspace: v.workspace ?? process.cwd(),
    to: v.to,
    direction,
    depth: positiveInt('depth', v.depth) ?? DEFAULT_DEPTH,
    maxNodes: positiveInt('max-nodes', v['max-nodes']) ?? DEFAULT_MAX_NODES,
    format,
    explain: Boolean(v.explain),
    exclude: v.exclude ?? [],
    scope: readScope(v),
    quiet: Boolean(v.quiet),
    ...readModelFlags(v),
    maxIterations: positiveInt('max-iterations', v['max-iterations']),
  };
}

function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function runTrace(argv: string[], signal: AbortSignal): Promise<number> {
  try {
    const args = parseTraceArgs(argv);
    if (args === 'help') {
      process.stdout.write(`${TRACE_USAGE}\n`);
      return EXIT.ok;
    }
    const root = resolve(args.workspace);
    if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new UsageError(`workspace is not a directory: ${root}`);
    const explain = args.explain ? await explainModels(args, root) : undefined;
    const result = await trace({
      workspace: root,
      target: args.target,
      to: args.to,
      direction: args.direction,
      depth: args.depth,
      maxNodes: args.maxNodes,
      fileMap: { exclude: args.exclude, snapshot: true, ripgrep: cliRipgrep() },
      scope: args.scope,
      signal,
      explain: explain && { ...explain, onEvent: args.quiet ? undefined : createProgressPrinter(err), limits: { maxIterations: args.maxIterations } },
    });
    if (!result.ok) {
      err(`recurse trace: ${result.error.which === 'to' ? '--to: ' : ''}${result.error.message}`);
      return EXIT.usage;
    }
    if (!args.quiet) for (const note of result.graph.notes) err(`note: ${note}`);
    if (!args.quiet && result.scope) err(`scope: ${scopeLabel(result.scope)}`);
    let graphText = formatTrace(result.graph, args.format);
    if (args.format === 'json' && result.scope) graphText = `${JSON.stringify({ ...JSON.parse(graphText), scope: result.scope }, null, 2)}\n`;
    else if (args.format === 'markdown' && result.scope) graphText = graphText.replace(/\n\n/, `\n\nScope: ${scopeLabel(result.scope)}\n\n`);
    const explanation = result.explanation;
    if (args.format === 'json' && explanation) {
      const json = JSON.parse(graphText);
      json.explanation = {
        answer: explanation.answer,
        citations: explanation.citations.map((c) => ({ path: c.resolvedPath ?? c.path, startLine: c.startLine, endLine: c.endLine, valid: c.valid })),
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(graphText);
      if (explanation) {
        const text = markInvalidCitations(explanation.answer, explanation.citations).trimEnd();
        // DOT output stays parseable: the explanation goes to stderr there.
        if (args.format === 'dot') err(text);
        else process.stdout.write(`\n## Explanation\n\n${text}\n`);
      }
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`recurse trace: ${e.message}\n\n${TRACE_USAGE}`);
      return EXIT.usage;
    }
    if ((e instanceof ChatModelError && e.kind === 'config') || e instanceof ScopeError) {
      err(`recurse trace: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof RlmCancelledError || signal.aborted) {
      err('recurse trace: cancelled');
      return EXIT.cancelled;
    }
    err(`recurse trace: ${(e as Error).message}`);
    return EXIT.failed;
  }
}

async function explainModels(args: TraceArgs, root: string) {
  const { config, rootModel, subModel, label } = await createCliModels(args, root);
  if (!args.quiet) err(`recurse: ${label}`);
  return { rootModel, subModel, prices: config.prices };
}
