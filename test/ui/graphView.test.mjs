// Component tests of the dependency-graph panel (media/dist/graph.js, cytoscape inside) in a real Chromium, under the
// same CSP as in VS Code. The host is played by posting the graph protocol's messages into the page; assertions read
// what a user sees (the drawn graph through cytoscape's own instance, the lists, the header) and what the page posts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { THEMES, useGraph } from './graphHarness.mjs';

const ROOT = 'src/orders/pricing.ts#priceOrder';

/** priceOrder traced both ways (as the core computes it on the shop fixture), plus a collapsed directory group. */
const BOTH = {
  target: 'priceOrder',
  roots: [ROOT],
  direction: 'both',
  depth: 3,
  nodes: [
    { id: ROOT, kind: 'symbol', path: 'src/orders/pricing.ts', line: 15, endLine: 25, name: 'priceOrder', symbolKind: 'function', depth: 0 },
    { id: 'src/api/server.ts#server', kind: 'symbol', path: 'src/api/server.ts', line: 8, endLine: 20, name: 'server', symbolKind: 'constant', depth: 1 },
    { id: 'src/orders/order.ts', kind: 'file', path: 'src/orders/order.ts', depth: 1 },
    { id: 'src/orders/order.ts#Order', kind: 'symbol', path: 'src/orders/order.ts', line: 7, endLine: 12, name: 'Order', symbolKind: 'interface', depth: 1 },
    { id: 'src/api/server.ts', kind: 'file', path: 'src/api/server.ts', depth: 2 },
    { id: 'external:node:http', kind: 'external', name: 'node:http', depth: 3 },
    { id: 'dir:src/util', kind: 'collapsed', path: 'src/util', name: 'src/util', depth: 2, count: 12, members: ['src/util/a.ts', 'src/util/b.ts'] },
  ],
  edges: [
    { from: 'src/api/server.ts', to: 'src/api/server.ts#server', kind: 'reference', path: 'src/api/server.ts', line: 22 },
    { from: 'src/api/server.ts#server', to: ROOT, kind: 'reference', path: 'src/api/server.ts', line: 14 },
    { from: ROOT, to: 'src/orders/order.ts#Order', kind: 'reference', path: 'src/orders/pricing.ts', line: 15 },
    { from: ROOT, to: 'src/orders/order.ts', kind: 'import', path: 'src/orders/pricing.ts', line: 1, specifier: './order' },
    { from: 'src/api/server.ts', to: 'external:node:http', kind: 'import', path: 'src/api/server.ts', line: 1, specifier: 'node:http' },
    { from: 'src/orders/order.ts', to: 'dir:src/util', kind: 'import', path: 'src/orders/order.ts', line: 2, specifier: '../util' },
  ],
  collapsed: 12,
  notes: [],
};

/** "How does server.ts reach pricing.ts": one import hop. */
const CHAIN = {
  target: 'src/api/server.ts',
  roots: ['src/api/server.ts'],
  direction: 'out',
  depth: 3,
  nodes: [
    { id: 'src/api/server.ts', kind: 'file', path: 'src/api/server.ts', depth: 0 },
    { id: 'src/orders/pricing.ts', kind: 'file', path: 'src/orders/pricing.ts', depth: 1 },
  ],
  edges: [{ from: 'src/api/server.ts', to: 'src/orders/pricing.ts', kind: 'import', path: 'src/api/server.ts', line: 4, specifier: '../orders/pricing' }],
  collapsed: 0,
  chain: {
    nodes: ['src/api/server.ts', 'src/orders/pricing.ts'],
    hops: [{ from: 'src/api/server.ts', to: 'src/orders/pricing.ts', kind: 'import', path: 'src/api/server.ts', line: 4, specifier: '../orders/pricing',
      text: "import { priceOrder } from '../orders/pricing';" }],
    via: 'imports',
    reversed: false,
  },
  notes: [],
};

const graphMessage = (graph, extra = {}) => ({ type: 'graph', version: 1, graph, folder: 'shop', ...extra });

/** What cytoscape drew: each node's id, label, classes, and its on-screen centre in page coordinates. */
async function drawn(page) {
  return page.evaluate(() => {
    const cy = window.__recurseGraph;
    const box = cy.container().getBoundingClientRect();
    return cy.nodes().map((n) => {
      const p = n.renderedPosition();
      // Cytoscape writes colours without spaces: rgb(0,127,212).
      const borderColor = n.style('border-color').replace(/,/g, ', ');
      return { id: n.id(), label: n.data('label'), classes: n.classes(), x: box.left + p.x, y: box.top + p.y, borderColor };
    });
  });
}

/** Shows the BOTH graph and returns what cytoscape drew once the node list is up. */
async function showBoth(g) {
  await g.send(graphMessage(BOTH));
  await g.page.locator('.nodes li').first().waitFor();
  return drawn(g.page);
}

const graphs = useGraph();

describe('dependency graph panel', () => {
  test('says ready, draws every node and edge of the trace, and describes it', async () => {
    const g = await graphs.open();
    try {
      const { page } = g;
      assert.deepEqual(await g.posted(), [{ type: 'ready', version: 1 }]);
      await g.send(graphMessage(BOTH));
      await page.getByRole('heading', { name: 'Dependencies of priceOrder' }).waitFor();
      const nodes = await drawn(page);
      assert.deepEqual(nodes.map((n) => n.id).sort(), BOTH.nodes.map((n) => n.id).sort());
      assert.equal(await page.evaluate(() => window.__recurseGraph.edges().length), BOTH.edges.length);
      const edgeKinds = await page.evaluate(() => window.__recurseGraph.edges().map((e) => [e.data('kind'), e.style('line-style')]));
      assert.ok(edgeKinds.some(([k, s]) => k === 'import' && s === 'solid'), 'imports are solid lines');
      assert.ok(edgeKinds.some(([k, s]) => k === 'reference' && s === 'dashed'), 'references are dashed lines');
      const meta = await page.locator('header .meta').textContent();
      assert.match(meta, /direction: both/);
      assert.match(meta, /depth 3/);
      assert.match(meta, /7 nodes · 6 edges · 12 collapsed into groups/);
      // Dependents to the left of the target, dependencies to its right.
      const at = Object.fromEntries(nodes.map((n) => [n.id, n]));
      assert.ok(at['src/api/server.ts#server'].x < at[ROOT].x, 'what depends on the target is on its left');
      assert.ok(at['src/orders/order.ts#Order'].x > at[ROOT].x, 'what it depends on is on its right');
      // The lists under the graph: every node, every dependency with its path:line.
      assert.equal(await page.locator('.nodes li').count(), BOTH.nodes.length);
      assert.equal(await page.locator('.edges li').count(), BOTH.edges.length);
      await page.getByRole('button', { name: 'src/api/server.ts:14' }).waitFor();
      assert.deepEqual(await g.violations(), [], 'no CSP violation');
      assert.equal(await page.locator('style').count(), 0, 'cytoscape added no inline <style>');
      assert.deepEqual(g.errors, []);
    } finally {
      await g.close();
    }
  });

  test('highlights the target and shows a collapsed group with its count', async () => {
    const g = await graphs.open();
    try {
      const { page } = g;
      const nodes = await showBoth(g);
      const root = nodes.find((n) => n.id === ROOT);
      assert.match(root.classes.join(' '), /root/);
      assert.equal(root.borderColor, THEMES.dark.focusBorder, 'the target is drawn in the theme focus colour');
      const group = nodes.find((n) => n.id === 'dir:src/util');
      assert.equal(group.label, 'src/util/ (12)');
      assert.match(group.classes.join(' '), /group/);
      const item = page.locator('.nodes li.group');
      assert.match(await item.textContent(), /directory src\/util: 12 collapsed nodes — src\/util\/a\.ts, src\/util\/b\.ts, …/);
    } finally {
      await g.close();
    }
  });

  test('clicking a node posts openNode with its path and line; groups and externals open nothing', async () => {
    const g = await graphs.open();
    try {
      const { page } = g;
      const nodes = await showBoth(g);
      const click = async (id) => {
        const n = nodes.find((x) => x.id === id);
        await page.mouse.click(n.x, n.y);
      };
      await g.clearPosted();
      await click('src/api/server.ts#server');
      await page.waitForFunction(() => window.__posted.length > 0);
      assert.deepEqual(await g.posted(), [{ type: 'openNode', path: 'src/api/server.ts', line: 8, folder: 'shop' }]);

      await g.clearPosted();
      await click('src/orders/order.ts');
      await page.waitForFunction(() => window.__posted.length > 0);
      assert.deepEqual(await g.posted(), [{ type: 'openNode', path: 'src/orders/order.ts', line: 1, folder: 'shop' }], 'a file opens at its first line');

      await g.clearPosted();
      await click('dir:src/util');
      await click('external:node:http');
      await page.waitForTimeout(300);
      assert.deepEqual(await g.posted(), [], 'a group or an external has nothing to open');
    } finally {
      await g.close();
    }
  });

  test('a chain lists its hops with the evidence line; path:line links open the file', async () => {
    const g = await graphs.open();
    try {
      const { page } = g;
      await g.send(graphMessage(CHAIN, { to: 'src/orders/pricing.ts' }));
      await page.getByRole('heading', { name: 'How src/api/server.ts reaches src/orders/pricing.ts' }).waitFor();
      assert.match(await page.locator('header .meta').textContent(), /chain of 1 hop through imports/);
      assert.equal(await page.getByRole('heading', { name: 'Chain (imports, 1 hop)' }).count(), 1);
      assert.match(await page.locator('.chain li').textContent(), /imports.*import \{ priceOrder \} from '\.\.\/orders\/pricing';/s);
      await g.clearPosted();
      await page.locator('.chain').getByRole('button', { name: 'src/api/server.ts:4' }).click();
      assert.deepEqual(await g.posted(), [{ type: 'openNode', path: 'src/api/server.ts', line: 4, folder: 'shop' }]);
      const nodes = await drawn(page);
      assert.ok(nodes.every((n) => n.classes.includes('chain')), 'the chain nodes are marked');
    } finally {
      await g.close();
    }
  });

  test('Explain in chat posts explain; a status from the host is shown', async () => {
    const g = await graphs.open();
    try {
      const { page } = g;
      const explain = page.getByRole('button', { name: 'Explain in chat' });
      assert.equal(await explain.isDisabled(), true, 'nothing to explain before a graph');
      await g.send(graphMessage(BOTH));
      await g.clearPosted();
      await explain.click();
      assert.deepEqual(await g.posted(), [{ type: 'explain' }]);
      await g.send({ type: 'status', kind: 'error', message: 'Cannot open src/x.ts: not a file of shop' });
      await page.getByRole('status').filter({ hasText: 'Cannot open src/x.ts' }).waitFor();
    } finally {
      await g.close();
    }
  });

  test('follows the light theme, and a theme switch recolours the canvas', async () => {
    const g = await graphs.open({ theme: 'light' });
    try {
      const { page } = g;
      await showBoth(g);
      const rootColour = async () => (await drawn(page)).find((n) => n.id === ROOT).borderColor;
      assert.equal(await rootColour(), THEMES.light.focusBorder);
      // VS Code swaps the theme's variables and the body class; the canvas follows.
      await page.evaluate((colour) => {
        document.documentElement.style.setProperty('--vscode-focusBorder', colour);
        document.body.className = 'vscode-dark';
      }, 'rgb(255, 0, 0)');
      await page.waitForFunction(() => window.__recurseGraph.$id('src/orders/pricing.ts#priceOrder').style('border-color') === 'rgb(255,0,0)'
        || window.__recurseGraph.$id('src/orders/pricing.ts#priceOrder').style('border-color') === 'rgb(255, 0, 0)');
      assert.deepEqual(await g.violations(), []);
    } finally {
      await g.close();
    }
  });

  test('ignores malformed host messages', async () => {
    const g = await graphs.open();
    try {
      const { page } = g;
      for (const bad of [null, 'graph', { type: 'graph' }, { type: 'graph', folder: 'shop', graph: { target: 'x', nodes: 'no', edges: [], roots: [] } },
        { type: 'graph', folder: 'shop', graph: { target: 'x', nodes: [{ id: 1 }], edges: [], roots: [] } }, { type: 'status', message: 5, kind: 'info' }]) {
        await g.send(bad);
      }
      await g.send(graphMessage(CHAIN));
      await page.locator('.nodes li').first().waitFor();
      assert.equal(await page.locator('.nodes li').count(), 2);
      assert.deepEqual(g.errors, []);
    } finally {
      await g.close();
    }
  });
});
