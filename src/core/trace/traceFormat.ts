import type { TraceEdge, TraceGraph, TraceNode } from './traceGraph';

/**
 * A trace as a person or a tool reads it: markdown (a tree per direction, or the chain, every claim with a
 * `path:line` citation the citation checker can verify), JSON (the graph itself), or Graphviz DOT.
 */

export type TraceFormat = 'markdown' | 'json' | 'dot';

export function formatTrace(trace: TraceGraph, format: TraceFormat): string {
  if (format === 'json') return `${JSON.stringify(traceJson(trace), null, 2)}\n`;
  if (format === 'dot') return traceDot(trace);
  return traceMarkdown(trace);
}

export function traceJson(trace: TraceGraph): object {
  return {
    target: trace.target,
    roots: trace.roots,
    direction: trace.direction,
    depth: trace.depth,
    nodes: trace.nodes,
    edges: trace.edges,
    collapsed: trace.collapsed,
    ...(trace.chain !== undefined ? { chain: trace.chain } : {}),
    notes: trace.notes,
  };
}

function location(node: TraceNode): string {
  if (node.path === undefined || node.line === undefined) return node.path ?? '';
  return node.endLine !== undefined && node.endLine !== node.line ? `${node.path}:${node.line}-${node.endLine}` : `${node.path}:${node.line}`;
}

export function nodeLabel(node: TraceNode): string {
  switch (node.kind) {
    case 'file':
      return node.path!;
    case 'symbol':
      return `\`${node.name}\` (${node.symbolKind}, ${location(node)})`;
    case 'external':
      return `external \`${node.name}\``;
    default: {
      const what = node.kind === 'package' ? `package \`${node.name}\`` : node.id === 'external:*' ? 'external imports' : `directory ${node.name}/`;
      const more = node.count! > node.members!.length ? ', …' : '';
      return `${what} — ${node.count} collapsed (${node.members!.join(', ')}${more})`;
    }
  }
}

function evidence(edge: TraceEdge): string {
  return edge.kind === 'import'
    ? `imports \`${edge.specifier ?? ''}\` at ${edge.path}:${edge.line}`
    : `referenced at ${edge.path}:${edge.line}`;
}

export function traceMarkdown(trace: TraceGraph): string {
  const byId = new Map(trace.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  const roots = trace.roots.map((id) => byId.get(id)).filter((n): n is TraceNode => n !== undefined);
  out.push(`# Trace: \`${trace.target}\``, '');
  for (const r of roots) out.push(`- target: ${nodeLabel(r)}`);
  out.push('');
  for (const note of trace.notes) out.push(`> ${note}`, '');
  if (trace.chain !== undefined) {
    if (trace.chain === null) out.push('No chain found.');
    else {
      const c = trace.chain;
      out.push(`## Chain (${c.via}${c.reversed ? ', reversed' : ''}, ${c.hops.length} hop${c.hops.length === 1 ? '' : 's'})`, '');
      c.nodes.forEach((id, i) => {
        out.push(`${i + 1}. ${byId.get(id) ? nodeLabel(byId.get(id)!) : id}`);
        const hop = c.hops[i];
        if (hop) out.push(`   - ${evidence(hop)}: \`${hop.text.replace(/`/g, "'")}\``);
      });
    }
    return `${out.join('\n').trimEnd()}\n`;
  }
  const sections: Array<['out' | 'in', string]> = [];
  if (trace.direction !== 'in') sections.push(['out', 'What it depends on (out)']);
  if (trace.direction !== 'out') sections.push(['in', 'What depends on it (in)']);
  for (const [way, title] of sections) {
    out.push(`## ${title}, depth ${trace.depth}`, '');
    const children = new Map<string, TraceEdge[]>();
    for (const e of trace.edges) {
      const [parent] = way === 'out' ? [e.from] : [e.to];
      const list = children.get(parent) ?? [];
      list.push(e);
      children.set(parent, list);
    }
    const shown = new Set<string>();
    let lines = 0;
    const walk = (id: string, indent: string, level: number) => {
      for (const e of children.get(id) ?? []) {
        const childId = way === 'out' ? e.to : e.from;
        const child = byId.get(childId);
        if (!child || trace.roots.includes(childId)) continue;
        const again = shown.has(childId);
        out.push(`${indent}- ${nodeLabel(child)} — ${evidence(e)}${again ? ' (see above)' : ''}`);
        lines++;
        if (again) continue;
        shown.add(childId);
        if (level < trace.depth) walk(childId, `${indent}  `, level + 1);
      }
    };
    for (const r of roots) walk(r.id, '', 1);
    if (lines === 0) out.push('(nothing)');
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const SHAPES: Record<TraceNode['kind'], string> = {
  file: 'box',
  symbol: 'ellipse',
  external: 'plaintext',
  package: 'folder',
  collapsed: 'folder',
};

export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function dotLabel(node: TraceNode): string {
  switch (node.kind) {
    case 'file':
      return node.path!;
    case 'symbol':
      return `${node.name}\n${node.path}:${node.line}`;
    case 'external':
      return node.name!;
    default:
      return `${node.name} (${node.count} collapsed)`;
  }
}

export function traceDot(trace: TraceGraph): string {
  const roots = new Set(trace.roots);
  const lines = [`digraph ${dotString(`trace ${trace.target}`)} {`, '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const n of trace.nodes) {
    const attrs = [`label=${dotString(dotLabel(n))}`, `shape=${SHAPES[n.kind]}`];
    if (n.path !== undefined) attrs.push(`tooltip=${dotString(location(n))}`);
    if (roots.has(n.id)) attrs.push('penwidth=2');
    lines.push(`  ${dotString(n.id)} [${attrs.join(', ')}];`);
  }
  for (const e of trace.edges) {
    const style = e.kind === 'reference' ? ', style=dashed' : '';
    lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(`${e.kind} :${e.line}`)}, tooltip=${dotString(`${e.path}:${e.line}`)}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
