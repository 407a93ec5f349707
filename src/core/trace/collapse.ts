import type { PackageInfo } from '../index/imports/importGraph';
import { dirOf } from '../index/imports/paths';
import { type TraceEdge, type TraceNode, compare, sortNodes } from './traceGraph';

/**
 * Keeps a large graph readable: the `maxNodes` nodes nearest the target (the target always among them)
 * stay as they are, every other node folds into one node for its package (the innermost manifest
 * directory holding it, the workspace root's own manifest excepted) or, outside any package, its
 * directory; externals fold into one group. Edges are rewired to the groups, deduplicated, and edges
 * inside one group dropped.
 */

export interface Collapsed {
  nodes: TraceNode[];
  edges: TraceEdge[];
  /** How many original nodes now live inside groups. */
  collapsed: number;
}

const MAX_MEMBERS = 5;

export function collapseGraph(nodes: TraceNode[], edges: TraceEdge[], roots: string[], maxNodes: number, packages: PackageInfo[]): Collapsed {
  if (nodes.length <= maxNodes) return { nodes: sortNodes(nodes), edges, collapsed: 0 };
  const rootSet = new Set(roots);
  const ordered = sortNodes(nodes).sort((a, b) => Number(rootSet.has(b.id)) - Number(rootSet.has(a.id)));
  const keep = ordered.slice(0, Math.max(maxNodes, roots.length));
  const rest = ordered.slice(keep.length);
  const scoped = packages.filter((p) => p.path !== '').sort((a, b) => b.path.length - a.path.length);
  const groupOf = new Map<string, string>();
  const groups = new Map<string, TraceNode>();
  for (const node of rest) {
    const group = groupFor(node, scoped);
    groupOf.set(node.id, group.id);
    const known = groups.get(group.id);
    if (known) {
      known.count! += 1;
      known.depth = Math.min(known.depth, node.depth);
      if (known.members!.length < MAX_MEMBERS) known.members!.push(node.id);
    } else {
      groups.set(group.id, { ...group, depth: node.depth, count: 1, members: [node.id] });
    }
  }
  const rewired = new Map<string, TraceEdge>();
  for (const e of edges) {
    const from = groupOf.get(e.from) ?? e.from;
    const to = groupOf.get(e.to) ?? e.to;
    if (from === to) continue;
    const key = `${from}\u0000${to}\u0000${e.kind}`;
    if (!rewired.has(key)) rewired.set(key, { ...e, from, to });
  }
  const groupNodes = [...groups.values()].sort((a, b) => compare(a.id, b.id));
  return { nodes: [...sortNodes(keep), ...groupNodes], edges: [...rewired.values()], collapsed: rest.length };
}

function groupFor(node: TraceNode, packages: PackageInfo[]): Omit<TraceNode, 'depth'> {
  if (node.kind === 'external' || node.path === undefined) return { id: 'external:*', kind: 'collapsed', name: 'external imports' };
  const pkg = packages.find((p) => node.path!.startsWith(`${p.path}/`));
  if (pkg) return { id: `package:${pkg.name}`, kind: 'package', path: pkg.path, name: pkg.name };
  const dir = dirOf(node.path);
  return { id: `dir:${dir || '.'}`, kind: 'collapsed', path: dir, name: dir || '.' };
}
