import type { CodeIndex } from '../index/codeIndex';
import { collapseGraph } from './collapse';
import { DependencyWalker, type Step } from './dependencyWalk';
import { findChain } from './traceChain';
import { GraphStore, type TraceDirection, type TraceGraph, type TraceNode, sortEdges } from './traceGraph';
import { type TraceTarget, qualifiedName } from './traceTarget';

/**
 * The deterministic part of a trace: a breadth-first walk from the target, `depth` hops in the chosen
 * direction(s) (see DependencyWalker for what a hop is), capped at `maxNodes` nodes with the rest
 * collapsed; or, given a second target, the chain from one to the other.
 */

export interface TraceGraphOptions {
  direction?: TraceDirection;
  depth?: number;
  maxNodes?: number;
  /** Trace the chain from the target to this one instead of the neighbourhood. */
  to?: TraceTarget;
}

export const DEFAULT_DEPTH = 3;
export const DEFAULT_MAX_NODES = 60;

export async function traceDependencies(code: CodeIndex, target: TraceTarget, options: TraceGraphOptions = {}): Promise<TraceGraph> {
  const direction = options.direction ?? 'out';
  const depth = options.depth ?? DEFAULT_DEPTH;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const graph = await code.graph();
  const walker = new DependencyWalker(code, graph);
  const roots: TraceNode[] =
    target.kind === 'file' ? [walker.fileNode(target.path, 0)] : target.definitions.map((d) => walker.symbolNode(d, 0));
  const notes: string[] = [];
  if (target.kind === 'symbol' && target.ambiguous) {
    notes.push(
      `"${target.input.trim()}" is defined in ${target.definitions.length} places; tracing all of them: ` +
        target.definitions.map((d) => `${qualifiedName(d)} at ${d.path}:${d.line}`).join(', '),
    );
  }
  const base = { target: target.input.trim(), roots: roots.map((r) => r.id), direction, depth, notes };

  if (options.to) {
    const found = await findChain(walker, target, options.to);
    notes.push(...walker.notes);
    if (!found) {
      notes.push(`no chain of imports or references links ${target.input.trim()} and ${options.to.input.trim()} in either direction`);
      return { ...base, nodes: roots, edges: [], collapsed: 0, chain: null };
    }
    if (found.chain.reversed) notes.push(`${target.input.trim()} does not reach ${options.to.input.trim()}; the reverse chain is shown`);
    const extra = roots.filter((r) => !found.chain.nodes.includes(r.id));
    return { ...base, nodes: [...extra, ...found.nodes], edges: found.chain.hops.map(({ text: _text, ...edge }) => edge), collapsed: 0, chain: found.chain };
  }

  const store = new GraphStore();
  for (const r of roots) store.addNode(r);
  const walks: Array<'in' | 'out'> = direction === 'both' ? ['out', 'in'] : [direction];
  for (const way of walks) {
    let frontier = roots;
    const seen = new Set(roots.map((r) => r.id));
    for (let level = 1; level <= depth && frontier.length; level++) {
      const next: TraceNode[] = [];
      for (const node of frontier) {
        for (const step of await expand(walker, node, way, level, roots.includes(node))) {
          const added = store.addNode(step.node);
          store.addEdge(step.edge);
          if (!seen.has(added.id)) {
            seen.add(added.id);
            next.push(added);
          }
        }
      }
      frontier = next;
    }
  }
  notes.push(...walker.notes);
  const { nodes, edges, collapsed } = collapseGraph([...store.nodes.values()], store.edges, base.roots, maxNodes, graph.packages());
  if (collapsed) notes.push(`${collapsed} of ${store.nodes.size} nodes collapsed by package or directory (--max-nodes ${maxNodes})`);
  return { ...base, nodes, edges: sortEdges(edges), collapsed };
}

async function expand(walker: DependencyWalker, node: TraceNode, way: 'in' | 'out', depth: number, isRoot: boolean): Promise<Step[]> {
  if (node.kind === 'file') return way === 'out' ? walker.fileImports(node.path!, node.id, depth) : walker.importers(node.path!, depth);
  if (node.kind !== 'symbol') return [];
  if (way === 'in') return walker.referencingSymbols(node, depth);
  const refs = await walker.referencedSymbols(node, depth);
  return isRoot ? [...refs, ...walker.fileImports(node.path!, node.id, depth)] : refs;
}
