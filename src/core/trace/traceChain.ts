import { dirOf } from '../index/imports/paths';
import type { DependencyWalker } from './dependencyWalk';
import type { ChainHop, TraceChain, TraceEdge, TraceNode } from './traceGraph';
import type { TraceTarget } from './traceTarget';

/**
 * "How does A reach B": the shortest chain of dependencies from A to B, each hop with the line that
 * creates it. Between symbols the chain follows references first (A's body names X, X's body names B…);
 * otherwise, or when references find none, it follows imports between their files (ImportGraph's
 * shortest path). When A does not reach B but B reaches A, that chain is returned, marked reversed.
 */

export interface ChainResult {
  chain: TraceChain;
  nodes: TraceNode[];
}

const MAX_REFERENCE_LEVELS = 6;
const MAX_REFERENCE_NODES = 400;

export async function findChain(walker: DependencyWalker, from: TraceTarget, to: TraceTarget): Promise<ChainResult | null> {
  return (await oneWay(walker, from, to, false)) ?? (await oneWay(walker, to, from, true));
}

async function oneWay(walker: DependencyWalker, from: TraceTarget, to: TraceTarget, reversed: boolean): Promise<ChainResult | null> {
  if (from.kind === 'symbol') {
    const found = await viaReferences(walker, from, to, reversed);
    if (found) return found;
  }
  return viaImports(walker, from, to, reversed);
}

async function viaReferences(walker: DependencyWalker, from: TraceTarget & { kind: 'symbol' }, to: TraceTarget, reversed: boolean): Promise<ChainResult | null> {
  const goal =
    to.kind === 'file'
      ? (n: TraceNode) => n.path === to.path
      : (n: TraceNode) => to.definitions.some((d) => d.path === n.path && d.line === n.line);
  const parent = new Map<string, { node: TraceNode; via?: TraceEdge }>();
  let frontier = from.definitions.map((d) => walker.symbolNode(d, 0));
  for (const n of frontier) parent.set(n.id, { node: n });
  for (let level = 1; level <= MAX_REFERENCE_LEVELS && frontier.length && parent.size < MAX_REFERENCE_NODES; level++) {
    const next: TraceNode[] = [];
    for (const u of frontier) {
      for (const step of await walker.referencedSymbols(u, level, true)) {
        if (parent.has(step.node.id)) continue;
        parent.set(step.node.id, { node: step.node, via: step.edge });
        if (goal(step.node)) return build(walker, parent, step.node.id, 'references', reversed);
        next.push(step.node);
      }
    }
    frontier = next;
  }
  return null;
}

async function viaImports(walker: DependencyWalker, from: TraceTarget, to: TraceTarget, reversed: boolean): Promise<ChainResult | null> {
  const sources = from.kind === 'file' ? [from.path] : [...new Set(from.definitions.map((d) => d.path))];
  const dests = to.kind === 'file' ? [to.path] : [...new Set(to.definitions.map((d) => d.path))];
  let best: string[] | null = null;
  for (const s of sources) {
    for (const d of dests) {
      const path = walker.graph.dependencyPath(s, d);
      if (path && path.length > 1 && (!best || path.length < best.length)) best = path;
    }
  }
  if (!best) return null;
  const parent = new Map<string, { node: TraceNode; via?: TraceEdge }>();
  parent.set(best[0], { node: walker.fileNode(best[0], 0) });
  for (let i = 1; i < best.length; i++) {
    const u = best[i - 1];
    const v = best[i];
    const edges = walker.graph.imports(u).filter((e) => e.to !== undefined);
    const e = edges.find((x) => x.to === v) ?? edges.find((x) => dirOf(x.to!) === dirOf(v));
    if (!e) return null;
    parent.set(v, { node: walker.fileNode(v, i), via: { from: u, to: v, kind: 'import', path: u, line: e.line, specifier: e.specifier } });
  }
  return build(walker, parent, best[best.length - 1], 'imports', reversed);
}

async function build(
  walker: DependencyWalker,
  parent: Map<string, { node: TraceNode; via?: TraceEdge }>,
  last: string,
  via: TraceChain['via'],
  reversed: boolean,
): Promise<ChainResult> {
  const nodes: TraceNode[] = [];
  const hops: ChainHop[] = [];
  for (let id: string | undefined = last; id !== undefined; ) {
    const entry: { node: TraceNode; via?: TraceEdge } = parent.get(id)!;
    nodes.unshift(entry.node);
    if (entry.via) {
      const text = (await walker.code.map.readLines(entry.via.path, entry.via.line, entry.via.line)).text.trim();
      hops.unshift({ ...entry.via, text });
    }
    id = entry.via?.from;
  }
  nodes.forEach((n, i) => (n.depth = i));
  return { chain: { nodes: nodes.map((n) => n.id), hops, via, reversed }, nodes };
}
