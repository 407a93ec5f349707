/**
 * The dependency graph a trace produces. An edge always points from the dependent to what it depends on
 * (`from` imports or references `to`), whatever the direction the trace walked; its evidence `path:line`
 * is where that dependency is written (the import line, or the referencing line).
 */

export type TraceDirection = 'in' | 'out' | 'both';

export type TraceNodeKind = 'file' | 'symbol' | 'package' | 'external' | 'collapsed';

export interface TraceNode {
  /** A file's path; `path#Container.name` for a symbol; `external:spec`; `package:name` / `dir:path` for a group. */
  id: string;
  kind: TraceNodeKind;
  /** Workspace path (a group's directory; absent for externals). */
  path?: string;
  line?: number;
  endLine?: number;
  /** A symbol's qualified name, an external specifier, a group's package name or directory. */
  name?: string;
  /** A symbol's kind (function, class…). */
  symbolKind?: string;
  /** Hops from the target (0 for the target itself). */
  depth: number;
  /** For a group: how many nodes it stands for, and the first few of them. */
  count?: number;
  members?: string[];
}

export type TraceEdgeKind = 'import' | 'reference';

export interface TraceEdge {
  from: string;
  to: string;
  kind: TraceEdgeKind;
  /** Where the dependency is written. */
  path: string;
  line: number;
  /** For an import: the specifier as written. */
  specifier?: string;
}

export interface ChainHop extends TraceEdge {
  /** The evidence line's text, trimmed. */
  text: string;
}

export interface TraceChain {
  /** Node ids from the source to the destination. */
  nodes: string[];
  hops: ChainHop[];
  /** How the chain was found: through symbol references, or file imports. */
  via: 'references' | 'imports';
  /** True when only the reverse chain exists (the `--to` target reaches the source). */
  reversed: boolean;
}

export interface TraceGraph {
  target: string;
  /** What the target resolved to: the ids of the root node(s). */
  roots: string[];
  direction: TraceDirection;
  depth: number;
  nodes: TraceNode[];
  edges: TraceEdge[];
  /** How many nodes were folded into package/directory groups to respect the node cap. */
  collapsed: number;
  /** For `--to`: the chain, or null when neither reaches the other. */
  chain?: TraceChain | null;
  /** Things a reader should know (ambiguous target, truncated search…). */
  notes: string[];
}

export function symbolId(path: string, qualifiedName: string): string {
  return `${path}#${qualifiedName}`;
}

export function externalId(specifier: string): string {
  return `external:${specifier}`;
}

/** Nodes and edges deduplicated by id and by (from, to, kind), the first evidence kept. */
export class GraphStore {
  readonly nodes = new Map<string, TraceNode>();
  private readonly edgeKeys = new Map<string, TraceEdge>();

  addNode(node: TraceNode): TraceNode {
    const known = this.nodes.get(node.id);
    if (known) {
      if (node.depth < known.depth) known.depth = node.depth;
      return known;
    }
    this.nodes.set(node.id, node);
    return node;
  }

  addEdge(edge: TraceEdge): void {
    if (edge.from === edge.to) return;
    const key = `${edge.from}\u0000${edge.to}\u0000${edge.kind}`;
    const known = this.edgeKeys.get(key);
    if (!known || (edge.path === known.path && edge.line < known.line)) this.edgeKeys.set(key, edge);
  }

  get edges(): TraceEdge[] {
    return [...this.edgeKeys.values()];
  }
}

/** Stable order for output: by depth, then id. */
export function sortNodes(nodes: TraceNode[]): TraceNode[] {
  return [...nodes].sort((a, b) => a.depth - b.depth || compare(a.id, b.id));
}

export function sortEdges(edges: TraceEdge[]): TraceEdge[] {
  return [...edges].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind));
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
