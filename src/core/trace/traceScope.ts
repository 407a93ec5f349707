import { inScopeDir, type ScopeInfo, scopeLabel } from '../index/scope';
import type { TraceGraph } from './traceGraph';
import type { TraceTarget, UnknownTarget } from './traceTarget';

/**
 * A trace limited to a scope (a directory or a package of a monorepo). The index stays whole, so a target is
 * resolved as usual and then held to the scope: a file outside it, or a symbol defined only outside it, is
 * refused with where it is; a name defined both inside and outside keeps only its definitions inside.
 */
export function limitTargetToScope(target: TraceTarget | UnknownTarget, scope: ScopeInfo): TraceTarget | UnknownTarget {
  if (target.kind === 'unknown') return target;
  const label = scopeLabel(scope);
  const unknown = (message: string): UnknownTarget => ({ kind: 'unknown', input: target.input, message, suggestions: [] });
  if (target.kind === 'file') {
    return inScopeDir(scope.dir, target.path) ? target : unknown(`${target.path} is outside the scope ${label}`);
  }
  const inside = target.definitions.filter((d) => inScopeDir(scope.dir, d.path));
  if (inside.length === 0) {
    const where = target.definitions.slice(0, 5).map((d) => `${d.path}:${d.line}`);
    return unknown(`"${target.input.trim()}" is defined only outside the scope ${label} (at ${where.join(', ')})`);
  }
  return { ...target, definitions: inside, ambiguous: inside.length > 1 };
}

/**
 * The graph without what lies outside the scope: nodes whose path is outside are left out with their edges,
 * and so is whatever was reached only through them; externals (packages outside the workspace) stay. A
 * chain (`--to`) is kept whole — a chain with a gap would explain nothing — and a note says where it leaves
 * the scope. Either way a note says what was left out.
 */
export function limitGraphToScope(graph: TraceGraph, scope: ScopeInfo): TraceGraph {
  const label = scopeLabel(scope);
  const inside = (n: TraceGraph['nodes'][number]) => n.path === undefined || inScopeDir(scope.dir, n.path);
  const outside = graph.nodes.filter((n) => !inside(n));
  if (outside.length === 0) return graph;
  const names = outside.slice(0, 5).map((n) => n.id);
  const more = outside.length > names.length ? ` and ${outside.length - names.length} more` : '';
  if (graph.chain) {
    return { ...graph, notes: [...graph.notes, `the chain leaves the scope ${label} through ${names.join(', ')}${more}`] };
  }
  const kept = new Set(graph.nodes.filter(inside).map((n) => n.id));
  const edges = graph.edges.filter((e) => kept.has(e.from) && kept.has(e.to));
  // Keep only what is still connected to a root (in either direction) once the outside is gone.
  const reached = new Set(graph.roots.filter((r) => kept.has(r)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) {
      if (reached.has(e.from) !== reached.has(e.to)) {
        reached.add(e.from);
        reached.add(e.to);
        grew = true;
      }
    }
  }
  const nodes = graph.nodes.filter((n) => reached.has(n.id));
  const dropped = graph.nodes.length - nodes.length;
  return {
    ...graph,
    nodes,
    edges: edges.filter((e) => reached.has(e.from) && reached.has(e.to)),
    notes: [...graph.notes, `${dropped} nodes outside the scope ${label} left out (${names.join(', ')}${more})`],
  };
}
