/**
 * A trace graph as the panel draws it: labels, classes and positions for cytoscape. Positions are computed here (a
 * preset layout) so the picture reads like the trace: what depends on the target to its left, what it depends on to
 * its right, one column per hop; a chain is drawn as one row from source to destination.
 */
import type { TraceEdge, TraceGraph, TraceNode } from '../../../src/core/trace/traceGraph';

export interface NodeData {
  id: string;
  label: string;
  kind: TraceNode['kind'];
  /** What clicking opens, for files and symbols. */
  path?: string;
  line?: number;
}

export interface DrawnNode {
  data: NodeData;
  classes: string;
  position: { x: number; y: number };
}

export interface DrawnEdge {
  data: { id: string; source: string; target: string; kind: TraceEdge['kind']; path: string; line: number };
  classes: string;
}

const COLUMN = 240;
const ROW = 64;

export function isGroup(node: TraceNode): boolean {
  return node.count !== undefined;
}

/** Whether clicking the node can open something: a workspace file or a symbol in one. */
export function isOpenable(node: TraceNode): node is TraceNode & { path: string } {
  return (node.kind === 'file' || node.kind === 'symbol') && !!node.path && !isGroup(node);
}

function tail(path: string, segments = 2): string {
  const parts = path.split('/');
  return parts.length > segments ? `…/${parts.slice(-segments).join('/')}` : path;
}

/** What the node is called on the canvas: short, with a group's member count. */
export function nodeLabel(node: TraceNode): string {
  if (isGroup(node)) {
    const what = node.kind === 'package' ? `package ${node.name ?? node.path ?? ''}` : node.id === 'external:*' ? 'external imports' : `${node.name ?? node.path ?? ''}/`;
    return `${what} (${node.count})`;
  }
  switch (node.kind) {
    case 'symbol':
      return `${node.name ?? node.id}\n${tail(node.path ?? '', 1)}${node.line ? `:${node.line}` : ''}`;
    case 'file':
      return tail(node.path ?? node.id);
    case 'external':
      return node.name ?? node.id.replace(/^external:/, '');
    default:
      return node.name ?? node.id;
  }
}

/** The node as the lists under the graph describe it (full path, kind, line). */
export function nodeDescription(node: TraceNode): string {
  if (isGroup(node)) {
    const what = node.kind === 'package' ? `package ${node.name}` : node.id === 'external:*' ? 'external imports' : `directory ${node.name}`;
    return `${what}: ${node.count} collapsed node${node.count === 1 ? '' : 's'}`;
  }
  switch (node.kind) {
    case 'symbol':
      return `${node.symbolKind ?? 'symbol'} ${node.name} in ${node.path}${node.line ? `:${node.line}` : ''}`;
    case 'file':
      return node.path ?? node.id;
    case 'external':
      return `external ${node.name ?? node.id.replace(/^external:/, '')}`;
    default:
      return node.name ?? node.id;
  }
}

/** Which side of the target each node sits on: reachable along edges (out), against them (in), or both. */
function sides(graph: TraceGraph): Map<string, 'in' | 'out'> {
  const walk = (forward: boolean) => {
    const next = new Map<string, string[]>();
    for (const e of graph.edges) {
      const [a, b] = forward ? [e.from, e.to] : [e.to, e.from];
      (next.get(a) ?? next.set(a, []).get(a)!).push(b);
    }
    const seen = new Set(graph.roots);
    const queue = [...graph.roots];
    while (queue.length) for (const n of next.get(queue.shift()!) ?? []) if (!seen.has(n)) (seen.add(n), queue.push(n));
    return seen;
  };
  const out = walk(true);
  const inward = walk(false);
  const side = new Map<string, 'in' | 'out'>();
  // A node on both sides (a cycle) goes where the trace was looking.
  const prefer = graph.direction === 'in' ? 'in' : 'out';
  for (const n of graph.nodes) {
    const o = out.has(n.id);
    const i = inward.has(n.id);
    side.set(n.id, o && i ? prefer : o ? 'out' : i ? 'in' : prefer);
  }
  return side;
}

function positions(graph: TraceGraph): Map<string, { x: number; y: number }> {
  const at = new Map<string, { x: number; y: number }>();
  const roots = new Set(graph.roots);
  if (graph.chain) {
    graph.chain.nodes.forEach((id, i) => at.set(id, { x: i * COLUMN, y: 0 }));
    let row = 1;
    for (const n of graph.nodes) if (!at.has(n.id)) at.set(n.id, { x: 0, y: -ROW * 1.5 * row++ });
    return at;
  }
  const side = sides(graph);
  const columns = new Map<number, string[]>();
  for (const n of graph.nodes) {
    const column = roots.has(n.id) ? 0 : (side.get(n.id) === 'in' ? -1 : 1) * Math.max(1, n.depth);
    (columns.get(column) ?? columns.set(column, []).get(column)!).push(n.id);
  }
  for (const [column, ids] of columns) ids.forEach((id, i) => at.set(id, { x: column * COLUMN, y: (i - (ids.length - 1) / 2) * ROW }));
  return at;
}

export function graphElements(graph: TraceGraph): { nodes: DrawnNode[]; edges: DrawnEdge[] } {
  const roots = new Set(graph.roots);
  const onChain = new Set(graph.chain?.nodes ?? []);
  const at = positions(graph);
  const known = new Set(graph.nodes.map((n) => n.id));
  const nodes = graph.nodes.map((n): DrawnNode => ({
    data: {
      id: n.id,
      label: nodeLabel(n),
      kind: n.kind,
      ...(isOpenable(n) ? { path: n.path, line: n.line ?? 1 } : {}),
    },
    classes: [n.kind, isGroup(n) ? 'group' : '', roots.has(n.id) ? 'root' : '', onChain.has(n.id) ? 'chain' : '', isOpenable(n) ? 'openable' : '']
      .filter(Boolean)
      .join(' '),
    position: at.get(n.id) ?? { x: 0, y: 0 },
  }));
  const edges = graph.edges
    .filter((e) => known.has(e.from) && known.has(e.to))
    .map((e, i): DrawnEdge => ({
      data: { id: `e${i}`, source: e.from, target: e.to, kind: e.kind, path: e.path, line: e.line },
      classes: e.kind,
    }));
  return { nodes, edges };
}
