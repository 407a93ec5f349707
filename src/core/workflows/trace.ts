import { CodeIndex } from '../index/codeIndex';
import { resolveScope, type ScopeInfo, scopeInfo } from '../index/scope';
import type { SymbolIndexOptions } from '../index/symbols/symbolIndex';
import type { ChatModel } from '../llm/chatModel';
import type { BudgetLimits } from '../rlm/budget';
import type { RlmEventListener } from '../rlm/events';
import { traceDependencies } from '../trace/traceDependencies';
import { traceMarkdown } from '../trace/traceFormat';
import type { TraceDirection, TraceGraph } from '../trace/traceGraph';
import { limitGraphToScope, limitTargetToScope } from '../trace/traceScope';
import { type TraceTarget, type UnknownTarget, resolveTraceTarget } from '../trace/traceTarget';
import { FileMap, type FileMapOptions } from '../workspace/fileMap';
import { type AskResult, ask } from './ask';

/**
 * Trace: what a file or symbol depends on, what depends on it, or how it reaches another — a graph
 * computed from the import graph and the symbol index, with no model. With `explain`, the RLM then
 * answers a question built from the target and that graph, and its citations are checked like any answer.
 * The CLI and the extension both call this.
 */

export interface TraceOptions {
  workspace: string;
  /** A workspace path, or a symbol name (`name`, `Container.name`, `path#name`). */
  target: string;
  to?: string;
  direction?: TraceDirection;
  depth?: number;
  maxNodes?: number;
  fileMap?: FileMapOptions;
  map?: FileMap;
  code?: CodeIndex;
  symbolIndex?: SymbolIndexOptions;
  /** Limit target resolution, the graph and the explanation to a directory or a package (monorepo scoping). */
  scope?: string;
  explain?: {
    rootModel: ChatModel;
    subModel?: ChatModel;
    limits?: Partial<BudgetLimits>;
    concurrency?: number;
    prices?: Record<string, { input: number; output: number }>;
    onEvent?: RlmEventListener;
  };
  signal?: AbortSignal;
}

export type TraceResult =
  | { ok: true; graph: TraceGraph; explanation?: AskResult; scope?: ScopeInfo }
  | { ok: false; error: UnknownTarget & { which: 'target' | 'to' } };

export async function trace(options: TraceOptions): Promise<TraceResult> {
  const map = options.map ?? (await FileMap.load(options.workspace, { ...options.fileMap, signal: options.signal }));
  const ownCode = options.code ? undefined : new CodeIndex(map, { symbols: options.symbolIndex });
  const code = options.code ?? ownCode!;
  // A walk looks up every name a symbol's body uses: with the index building (instantly, from a warm cache) those
  // lookups read the index instead of each searching the workspace.
  ownCode?.start();
  try {
    // A scope error (unknown directory or package) is thrown as a ScopeError, like ask's.
    const scope = options.scope ? scopeInfo(await resolveScope(map, options.scope, () => code.graph())) : undefined;
    const resolve = async (input: string): Promise<TraceTarget | UnknownTarget> => {
      const found = await resolveTraceTarget(code, input);
      return scope ? limitTargetToScope(found, scope) : found;
    };
    const target = await resolve(options.target);
    if (target.kind === 'unknown') return { ok: false, error: { ...target, which: 'target' } };
    let to;
    if (options.to !== undefined) {
      to = await resolve(options.to);
      if (to.kind === 'unknown') return { ok: false, error: { ...to, which: 'to' } };
    }
    const whole = await traceDependencies(code, target, { direction: options.direction, depth: options.depth, maxNodes: options.maxNodes, to });
    const graph = scope ? limitGraphToScope(whole, scope) : whole;
    const scoped = scope ? { scope } : {};
    if (!options.explain) return { ok: true, graph, ...scoped };
    const explanation = await ask({
      workspace: options.workspace,
      question: explainQuestion(graph, options.to),
      map,
      code,
      scope: options.scope,
      signal: options.signal,
      ...options.explain,
    });
    return { ok: true, graph, explanation, ...scoped };
  } finally {
    ownCode?.dispose();
  }
}

/** The question the RLM answers for `--explain`: the computed graph is given, the model checks and explains it. */
export function explainQuestion(graph: TraceGraph, to?: string): string {
  const ask =
    to !== undefined
      ? `Explain how \`${graph.target}\` reaches \`${to}\`: what each hop of the chain below does and why the dependency exists.`
      : graph.direction === 'in'
        ? `Explain what depends on \`${graph.target}\` and what would break if it changed.`
        : graph.direction === 'out'
          ? `Explain what \`${graph.target}\` depends on and what each dependency is used for.`
          : `Explain what \`${graph.target}\` depends on and what depends on it.`;
  return (
    `${ask}\n\nA static analysis of imports and references computed this dependency graph (read the cited lines to ` +
    `confirm each hop; the graph may miss dynamic dependencies or include a same-named symbol by mistake):\n\n` +
    `${traceMarkdown(graph)}\nCite every claim as path:line.`
  );
}
