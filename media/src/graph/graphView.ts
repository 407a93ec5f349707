/**
 * The graph panel's page: a header (target, direction, depth, counts, Explain in chat), the graph drawn by cytoscape,
 * a legend, and under it the chain's hops (or every dependency) and the nodes as lists with `path:line` links — the
 * canvas is not readable by a screen reader or searchable, the lists are. Everything is built with textContent.
 */
import cytoscape from 'cytoscape';
import type { GraphHostMessage, GraphWebviewMessage } from '../../../src/extension/trace/graphProtocol';
import type { TraceEdge, TraceGraph, TraceNode } from '../../../src/core/trace/traceGraph';
import { graphElements, isGroup, isOpenable, nodeDescription } from './graphElements';
import { graphStylesheet, readPalette } from './graphStyle';

type GraphMessage = Extract<GraphHostMessage, { type: 'graph' }>;

const DIRECTION_TEXT = { out: 'what it depends on', in: 'what depends on it', both: 'both ways' } as const;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class GraphView {
  private readonly title = el('h1');
  private readonly meta = el('p', 'meta');
  private readonly status = el('div', 'status');
  private readonly notes = el('ul', 'notes');
  private readonly canvas = el('div', 'graph');
  private readonly details = el('div', 'details');
  private readonly explainButton = el('button', 'primary', 'Explain in chat');
  private readonly fitButton = el('button', 'secondary', 'Fit');
  private cy: cytoscape.Core | undefined;
  private current: GraphMessage | undefined;

  constructor(
    root: HTMLElement,
    private readonly post: (message: GraphWebviewMessage) => void,
  ) {
    const header = el('header');
    const actions = el('div', 'actions');
    this.explainButton.type = 'button';
    this.fitButton.type = 'button';
    this.explainButton.disabled = true;
    this.explainButton.title = 'Ask the Recurse chat to explain this graph, with verified citations';
    this.explainButton.addEventListener('click', () => this.post({ type: 'explain' }));
    this.fitButton.addEventListener('click', () => this.cy?.fit(undefined, 30));
    actions.append(this.explainButton, this.fitButton);
    this.title.textContent = 'Dependencies';
    this.meta.textContent = 'Waiting for a trace…';
    header.append(this.title, actions, this.meta);
    this.status.setAttribute('role', 'status');
    this.status.hidden = true;
    this.notes.hidden = true;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Dependency graph');
    const legend = el('div', 'legend');
    for (const [cls, text] of [
      ['root', 'target'],
      ['import', 'import'],
      ['reference', 'reference'],
      ['group', 'collapsed group'],
      ['external', 'external'],
    ]) {
      const item = el('span', `legend-item ${cls}`);
      item.append(el('span', 'swatch'), document.createTextNode(text));
      legend.append(item);
    }
    this.details.addEventListener('click', (e) => this.onDetailsClick(e));
    root.append(header, this.status, this.notes, this.canvas, legend, this.details);
    // VS Code changes the body's class when the colour theme changes.
    new MutationObserver(() => this.cy?.style(graphStylesheet(readPalette()))).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** The cytoscape instance (tests and debugging reach it as window.__recurseGraph). */
  get instance(): cytoscape.Core | undefined {
    return this.cy;
  }

  showStatus(message: string, kind: 'info' | 'error'): void {
    this.status.hidden = false;
    this.status.className = `status ${kind}`;
    this.status.textContent = message;
  }

  render(message: GraphMessage): void {
    this.current = message;
    const { graph, to } = message;
    this.status.hidden = true;
    this.explainButton.disabled = false;
    this.title.replaceChildren();
    if (to !== undefined) this.title.append('How ', el('code', '', graph.target), ' reaches ', el('code', '', to));
    else this.title.append('Dependencies of ', el('code', '', graph.target));
    const counts = [
      to !== undefined ? (graph.chain ? `chain of ${graph.chain.hops.length} hop${graph.chain.hops.length === 1 ? '' : 's'} through ${graph.chain.via}` : 'no chain found') : `direction: ${graph.direction} (${DIRECTION_TEXT[graph.direction]})`,
      to !== undefined ? '' : `depth ${graph.depth}`,
      `${graph.nodes.length} node${graph.nodes.length === 1 ? '' : 's'}`,
      `${graph.edges.length} edge${graph.edges.length === 1 ? '' : 's'}`,
      graph.collapsed ? `${graph.collapsed} collapsed into groups` : '',
    ].filter(Boolean);
    this.meta.textContent = counts.join(' · ');
    this.notes.replaceChildren(...graph.notes.map((n) => el('li', '', n)));
    this.notes.hidden = graph.notes.length === 0;
    this.draw(graph);
    this.renderDetails(graph);
  }

  private draw(graph: TraceGraph): void {
    this.cy?.destroy();
    const { nodes, edges } = graphElements(graph);
    const cy = cytoscape({
      container: this.canvas,
      elements: { nodes, edges },
      style: graphStylesheet(readPalette()),
      layout: { name: 'preset', fit: true, padding: 30 },
      minZoom: 0.1,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: false,
    });
    // A lone node would be blown up to the maximum zoom.
    if (cy.zoom() > 1.5) cy.zoom(1.5), cy.center();
    cy.on('tap', 'node', (e) => {
      const data = e.target.data() as { path?: string; line?: number };
      if (data.path) this.open(data.path, data.line ?? 1);
    });
    cy.on('mouseover', 'node.openable', () => this.canvas.classList.add('pointer'));
    cy.on('mouseout', 'node', () => this.canvas.classList.remove('pointer'));
    this.cy = cy;
    (window as unknown as { __recurseGraph?: cytoscape.Core }).__recurseGraph = cy;
  }

  private open(path: string, line: number): void {
    this.post({ type: 'openNode', path, line, ...(this.current ? { folder: this.current.folder } : {}) });
  }

  private link(path: string, line: number, text = `${path}:${line}`): HTMLButtonElement {
    const b = el('button', 'link', text);
    b.type = 'button';
    b.dataset.path = path;
    b.dataset.line = String(line);
    b.title = `Open ${path} at line ${line}`;
    return b;
  }

  private nodeItem(node: TraceNode | undefined, id: string): HTMLElement {
    if (!node) return el('code', '', id);
    if (isOpenable(node)) return this.link(node.path, node.line ?? 1, node.kind === 'symbol' ? `${node.name} (${node.path}:${node.line ?? 1})` : node.path);
    return el('span', isGroup(node) ? 'group-name' : 'plain', nodeDescription(node));
  }

  private hop(edge: TraceEdge, byId: Map<string, TraceNode>, text?: string): HTMLLIElement {
    const li = el('li', `hop ${edge.kind}`);
    li.append(this.nodeItem(byId.get(edge.from), edge.from), ` ${edge.kind === 'import' ? 'imports' : 'references'} `, this.nodeItem(byId.get(edge.to), edge.to), ' at ', this.link(edge.path, edge.line));
    if (edge.specifier) li.append(' ', el('code', '', edge.specifier));
    if (text) li.append(el('pre', 'evidence', text));
    return li;
  }

  private renderDetails(graph: TraceGraph): void {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const sections: HTMLElement[] = [];
    if (graph.chain) {
      const s = el('section', 'chain');
      s.append(el('h2', '', `Chain (${graph.chain.via}, ${graph.chain.hops.length} hop${graph.chain.hops.length === 1 ? '' : 's'}${graph.chain.reversed ? ', reversed' : ''})`));
      const ol = el('ol');
      for (const h of graph.chain.hops) ol.append(this.hop(h, byId, h.text));
      s.append(ol);
      sections.push(s);
    } else if (graph.edges.length) {
      const s = el('section', 'edges');
      s.append(el('h2', '', `Dependencies (${graph.edges.length})`));
      const ul = el('ul');
      for (const e of graph.edges) ul.append(this.hop(e, byId));
      s.append(ul);
      sections.push(s);
    }
    const s = el('section', 'nodes');
    s.append(el('h2', '', `Nodes (${graph.nodes.length})`));
    const ul = el('ul');
    for (const n of graph.nodes) {
      const li = el('li', `node ${n.kind}${graph.roots.includes(n.id) ? ' root' : ''}${isGroup(n) ? ' group' : ''}`);
      li.dataset.id = n.id;
      li.append(this.nodeItem(n, n.id));
      if (isGroup(n) && n.members?.length) {
        li.append(el('span', 'members', ` — ${n.members.join(', ')}${(n.count ?? 0) > n.members.length ? ', …' : ''}`));
      }
      if (!isGroup(n) && n.depth > 0) li.append(el('span', 'depth', ` ${n.depth} hop${n.depth === 1 ? '' : 's'}`));
      ul.append(li);
    }
    s.append(ul);
    sections.push(s);
    this.details.replaceChildren(...sections);
  }

  private onDetailsClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button.link') : null;
    if (!target) return;
    e.preventDefault();
    const line = Number(target.dataset.line);
    if (target.dataset.path && Number.isInteger(line) && line >= 1) this.open(target.dataset.path, line);
  }
}
