import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyCitations } from '../../src/core/citations/citations';
import { CodeIndex } from '../../src/core/index/codeIndex';
import { formatTrace, traceDot } from '../../src/core/trace/traceFormat';
import type { TraceGraph } from '../../src/core/trace/traceGraph';
import { trace, type TraceOptions } from '../../src/core/workflows/trace';
import { FileMap } from '../../src/core/workspace/fileMap';
import { js, startScriptedModels } from '../support/scriptedModels';

/** Dependency tracing on the multi-package fixture: exact graphs, limits, chains with evidence, output formats. */

const ROOT = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monorepo');

const edgeList = (g: TraceGraph) => g.edges.map((e) => `${e.from} -> ${e.to} ${e.kind} ${e.path}:${e.line}`).sort();
const nodeIds = (g: TraceGraph) => g.nodes.map((n) => n.id).sort();

describe('trace', () => {
  let map: FileMap;
  let code: CodeIndex;
  before(async () => {
    map = await FileMap.load(ROOT);
    code = new CodeIndex(map, { symbols: { cacheDir: false } });
  });
  after(() => code.dispose());

  async function graphOf(target: string, options: Partial<TraceOptions> = {}): Promise<TraceGraph> {
    const result = await trace({ workspace: ROOT, target, map, code, ...options });
    assert.ok(result.ok, JSON.stringify(result));
    return result.graph;
  }

  it('out of a file: its imports, transitively, with each import line as evidence', async () => {
    const g = await graphOf('apps/web/src/main.ts');
    assert.deepEqual(g.roots, ['apps/web/src/main.ts']);
    assert.deepEqual(nodeIds(g), [
      'apps/web/src/config.ts',
      'apps/web/src/lazy.ts',
      'apps/web/src/lib/helper.ts',
      'apps/web/src/main.ts',
      'external:lodash',
      'external:react',
      'packages/core/src/index.ts',
      'packages/core/src/math.ts',
      'packages/core/src/util/strings.ts',
      'packages/ui/src/button.tsx',
      'packages/ui/src/index.ts',
    ]);
    assert.deepEqual(edgeList(g), [
      'apps/web/src/lazy.ts -> packages/core/src/util/strings.ts import apps/web/src/lazy.ts:1',
      'apps/web/src/lib/helper.ts -> packages/core/src/math.ts import apps/web/src/lib/helper.ts:1',
      'apps/web/src/main.ts -> apps/web/src/config.ts import apps/web/src/main.ts:3',
      'apps/web/src/main.ts -> apps/web/src/lazy.ts import apps/web/src/main.ts:7',
      'apps/web/src/main.ts -> apps/web/src/lib/helper.ts import apps/web/src/main.ts:2',
      'apps/web/src/main.ts -> external:lodash import apps/web/src/main.ts:4',
      'apps/web/src/main.ts -> packages/ui/src/index.ts import apps/web/src/main.ts:1',
      'packages/core/src/index.ts -> packages/core/src/math.ts import packages/core/src/index.ts:1',
      'packages/core/src/index.ts -> packages/core/src/util/strings.ts import packages/core/src/index.ts:2',
      'packages/ui/src/button.tsx -> external:react import packages/ui/src/button.tsx:1',
      'packages/ui/src/index.ts -> packages/core/src/index.ts import packages/ui/src/index.ts:1',
      'packages/ui/src/index.ts -> packages/core/src/util/strings.ts import packages/ui/src/index.ts:2',
      'packages/ui/src/index.ts -> packages/ui/src/button.tsx import packages/ui/src/index.ts:6',
    ]);
    assert.equal(g.nodes.find((n) => n.id === 'external:react')!.depth, 3);
    assert.equal(g.collapsed, 0);
    // Every citation in the markdown points at a real line.
    const citations = await verifyCitations(formatTrace(g, 'markdown'), map);
    assert.ok(citations.length >= 13);
    assert.deepEqual(citations.filter((c) => !c.valid), []);
  });

  it('depth limits the walk', async () => {
    const g = await graphOf('apps/web/src/main.ts', { depth: 1 });
    assert.deepEqual(nodeIds(g), [
      'apps/web/src/config.ts',
      'apps/web/src/lazy.ts',
      'apps/web/src/lib/helper.ts',
      'apps/web/src/main.ts',
      'external:lodash',
      'packages/ui/src/index.ts',
    ]);
    assert.equal(g.edges.length, 5);
  });

  it('in of a file: its importers, transitively', async () => {
    const g = await graphOf('packages/core/src/math.ts', { direction: 'in' });
    assert.deepEqual(edgeList(g), [
      'apps/web/src/lib/helper.ts -> packages/core/src/math.ts import apps/web/src/lib/helper.ts:1',
      'apps/web/src/main.ts -> apps/web/src/lib/helper.ts import apps/web/src/main.ts:2',
      'apps/web/src/main.ts -> packages/ui/src/index.ts import apps/web/src/main.ts:1',
      'packages/core/src/index.ts -> packages/core/src/math.ts import packages/core/src/index.ts:1',
      'packages/ui/src/index.ts -> packages/core/src/index.ts import packages/ui/src/index.ts:1',
    ]);
    assert.equal(g.nodes.find((n) => n.id === 'apps/web/src/main.ts')!.depth, 2);
  });

  it('out of a symbol: the definitions its body names in other files, plus its file imports', async () => {
    const g = await graphOf('total', { depth: 1 });
    assert.deepEqual(g.roots, ['packages/ui/src/index.ts#total']);
    assert.deepEqual(edgeList(g), [
      'packages/ui/src/index.ts#total -> packages/core/src/index.ts import packages/ui/src/index.ts:1',
      'packages/ui/src/index.ts#total -> packages/core/src/math.ts#add reference packages/ui/src/index.ts:7',
      'packages/ui/src/index.ts#total -> packages/core/src/util/strings.ts import packages/ui/src/index.ts:2',
      'packages/ui/src/index.ts#total -> packages/core/src/util/strings.ts#upper reference packages/ui/src/index.ts:7',
      'packages/ui/src/index.ts#total -> packages/ui/src/button.tsx import packages/ui/src/index.ts:6',
    ]);
    const add = g.nodes.find((n) => n.id === 'packages/core/src/math.ts#add')!;
    assert.deepEqual([add.kind, add.path, add.line, add.endLine, add.symbolKind], ['symbol', 'packages/core/src/math.ts', 1, 3, 'function']);
  });

  it('in of a symbol: referencing symbols (or files for top-level re-exports), transitively', async () => {
    const g = await graphOf('add', { direction: 'in', depth: 2 });
    assert.deepEqual(g.roots, ['packages/core/src/math.ts#add']);
    assert.deepEqual(edgeList(g), [
      'apps/web/src/lib/helper.ts#helper -> packages/core/src/math.ts#add reference apps/web/src/lib/helper.ts:2',
      'apps/web/src/main.ts#start -> apps/web/src/lib/helper.ts#helper reference apps/web/src/main.ts:8',
      'packages/core/src/index.ts -> packages/core/src/math.ts#add reference packages/core/src/index.ts:1',
      'packages/ui/src/index.ts -> packages/core/src/index.ts import packages/ui/src/index.ts:1',
      'packages/ui/src/index.ts#total -> packages/core/src/math.ts#add reference packages/ui/src/index.ts:7',
    ]);
    // The python `helper` is not a dependent: the web app cannot reach it.
    assert.ok(!g.nodes.some((n) => n.path?.startsWith('python/')));
  });

  it('both directions from one symbol', async () => {
    const g = await graphOf('helper', { direction: 'both', depth: 1 });
    assert.ok(g.notes.some((n) => /defined in 2 places/.test(n)), g.notes.join('\n'));
    assert.deepEqual(g.roots.sort(), ['apps/web/src/lib/helper.ts#helper', 'python/src/monopy/util.py#helper']);
    const edges = edgeList(g);
    assert.ok(edges.includes('apps/web/src/lib/helper.ts#helper -> packages/core/src/math.ts#add reference apps/web/src/lib/helper.ts:2'), edges.join('\n'));
    assert.ok(edges.includes('apps/web/src/main.ts#start -> apps/web/src/lib/helper.ts#helper reference apps/web/src/main.ts:8'), edges.join('\n'));
    assert.ok(edges.includes('apps/web/src/lib/helper.ts#helper -> packages/core/src/math.ts import apps/web/src/lib/helper.ts:1'), edges.join('\n'));
  });

  it('collapses what exceeds --max-nodes by package, keeping the nearest nodes', async () => {
    const g = await graphOf('apps/web/src/main.ts', { maxNodes: 4 });
    assert.equal(g.collapsed, 7);
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.kind, n.count ?? null]),
      [
        ['apps/web/src/main.ts', 'file', null],
        ['apps/web/src/config.ts', 'file', null],
        ['apps/web/src/lazy.ts', 'file', null],
        ['apps/web/src/lib/helper.ts', 'file', null],
        ['external:*', 'collapsed', 2],
        ['package:@mono/core', 'package', 3],
        ['package:@mono/ui', 'package', 2],
      ],
    );
    assert.ok(edgeList(g).includes('apps/web/src/lib/helper.ts -> package:@mono/core import apps/web/src/lib/helper.ts:1'));
    assert.ok(!g.edges.some((e) => e.from === e.to));
    assert.ok(g.notes.some((n) => /7 of 11 nodes collapsed/.test(n)));
  });

  it('--to: the shortest import chain, each hop with a verifiable line', async () => {
    const g = await graphOf('apps/web/src/main.ts', { to: 'packages/core/src/math.ts' });
    assert.ok(g.chain);
    assert.equal(g.chain.via, 'imports');
    assert.equal(g.chain.reversed, false);
    assert.deepEqual(g.chain.nodes, ['apps/web/src/main.ts', 'apps/web/src/lib/helper.ts', 'packages/core/src/math.ts']);
    assert.deepEqual(
      g.chain.hops.map((h) => [h.path, h.line, h.text]),
      [
        ['apps/web/src/main.ts', 2, "import { helper } from '@app/lib/helper';"],
        ['apps/web/src/lib/helper.ts', 1, "import { add } from '../../../../packages/core/src/math';"],
      ],
    );
    const citations = await verifyCitations(formatTrace(g, 'markdown'), map);
    assert.deepEqual(
      citations.map((c) => [c.path, c.startLine, c.valid]),
      [
        ['apps/web/src/main.ts', 2, true],
        ['apps/web/src/lib/helper.ts', 1, true],
      ],
    );
  });

  it('--to between symbols follows references, and finds the reverse chain when only that exists', async () => {
    const forward = await graphOf('start', { to: 'add' });
    assert.equal(forward.chain?.via, 'references');
    assert.deepEqual(forward.chain?.nodes, ['apps/web/src/main.ts#start', 'apps/web/src/lib/helper.ts#helper', 'packages/core/src/math.ts#add']);
    assert.deepEqual(forward.chain?.hops.map((h) => `${h.path}:${h.line}`), ['apps/web/src/main.ts:8', 'apps/web/src/lib/helper.ts:2']);
    const reverse = await graphOf('add', { to: 'start' });
    assert.equal(reverse.chain?.reversed, true);
    assert.deepEqual(reverse.chain?.nodes, forward.chain?.nodes);
    const none = await graphOf('packages/core/src/math.ts', { to: 'apps/web/src/config.ts' });
    assert.equal(none.chain, null);
  });

  it('an unknown target is an error value with near matches', async () => {
    const result = await trace({ workspace: ROOT, target: 'helpr', map, code });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.error.which, 'target');
    assert.ok(result.error.suggestions.includes('apps/web/src/lib/helper.ts'), result.error.message);
    assert.match(result.error.message, /helper \(apps\/web\/src\/lib\/helper.ts:2\)/);
    const badTo = await trace({ workspace: ROOT, target: 'add', to: 'nothing/here.ts', map, code });
    assert.ok(!badTo.ok && badTo.error.which === 'to');
  });

  it('path#name picks one definition of an ambiguous name', async () => {
    const g = await graphOf('python/src/monopy/util.py#helper', { depth: 1 });
    assert.deepEqual(g.roots, ['python/src/monopy/util.py#helper']);
    assert.deepEqual(g.notes, []);
  });

  it('DOT output is structurally valid: balanced braces, quoted ids, every edge endpoint declared', async () => {
    const g = await graphOf('add', { direction: 'both', maxNodes: 3 });
    const dot = traceDot(g);
    assert.match(dot, /^digraph "trace add" \{\n/);
    assert.ok(dot.trimEnd().endsWith('}'));
    let depth = 0;
    let inString = false;
    for (let i = 0; i < dot.length; i++) {
      const ch = dot[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        assert.ok(depth >= 0);
      }
    }
    assert.equal(depth, 0);
    assert.equal(inString, false);
    const q = String.raw`"((?:[^"\\]|\\.)*)"`;
    const declared = new Set([...dot.matchAll(new RegExp(String.raw`^  ${q} \[`, 'gm'))].map((m) => m[1]));
    const edges = [...dot.matchAll(new RegExp(String.raw`^  ${q} -> ${q} \[`, 'gm'))];
    assert.equal(declared.size, g.nodes.length);
    assert.equal(edges.length, g.edges.length);
    assert.ok(edges.length > 0);
    for (const m of edges) assert.ok(declared.has(m[1]) && declared.has(m[2]), m[0]);
    // Every statement line ends with a semicolon (the header and closing brace aside).
    for (const line of dot.trimEnd().split('\n').slice(1, -1)) assert.match(line, /;$/);
  });

  it('--explain: the RLM answers a question built from the graph, with verified citations', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        (ctx) => {
          assert.match(ctx.lastUser, /Explain how `apps\/web\/src\/main.ts` reaches `packages\/core\/src\/math.ts`/);
          assert.match(ctx.lastUser, /apps\/web\/src\/main.ts:2/);
          return js('finish("main.ts imports the helper at apps/web/src/main.ts:2, which imports math at apps/web/src/lib/helper.ts:1.")');
        },
      ],
    });
    try {
      const result = await trace({
        workspace: ROOT,
        target: 'apps/web/src/main.ts',
        to: 'packages/core/src/math.ts',
        map,
        code,
        explain: { rootModel: models.root },
      });
      assert.ok(result.ok);
      assert.ok(result.explanation);
      assert.deepEqual(
        result.explanation.citations.map((c) => [c.path, c.startLine, c.valid]),
        [
          ['apps/web/src/main.ts', 2, true],
          ['apps/web/src/lib/helper.ts', 1, true],
        ],
      );
      assert.equal(result.graph.chain?.nodes.length, 3);
    } finally {
      await models.close();
    }
  });
});

describe('trace: a same-named thing elsewhere is not a dependency', () => {
  const files = {
    'a/model.ts': 'export function model() {\n  return 1;\n}\n',
    // A parameter named like a.model's function, in a file that cannot reach it.
    'b/run.ts': 'export function run(model: string) {\n  return model.length;\n}\n',
    'c/use.ts': "import { model } from '../a/model';\n\nexport function use() {\n  return model();\n}\n",
    // C has no import-scoped names: the one definition of `helper` is taken even without an include.
    'x/helper.c': 'int helper(void) {\n  return 1;\n}\n',
    'y/main.c': 'int main(void) {\n  return helper();\n}\n',
  };
  let map: FileMap;
  let code: CodeIndex;
  before(() => {
    map = FileMap.fromTexts(files, 'names');
    code = new CodeIndex(map, { symbols: { cacheDir: false } });
  });
  after(() => code.dispose());

  const targetsOf = async (target: string, direction: 'in' | 'out') => {
    const result = await trace({ workspace: 'names', target, map, code, direction, depth: 1 });
    assert.ok(result.ok, JSON.stringify(result));
    return result.graph.edges.filter((e) => e.kind === 'reference').map((e) => (direction === 'out' ? e.to : e.from)).sort();
  };

  it('out: a TypeScript local named like an unreachable function links nothing; an imported one links', async () => {
    assert.deepEqual(await targetsOf('run', 'out'), []);
    assert.deepEqual(await targetsOf('use', 'out'), ['a/model.ts#model']);
  });

  it('in: only the file that imports it depends on it', async () => {
    assert.deepEqual(await targetsOf('a/model.ts#model', 'in'), ['c/use.ts#use']);
  });

  it('C: the lone definition of a called name is its dependency', async () => {
    assert.deepEqual(await targetsOf('main', 'out'), ['x/helper.c#helper']);
  });
});
