import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyCitations } from '../../src/core/citations/citations';
import { CodeIndex } from '../../src/core/index/codeIndex';
import { runRlm } from '../../src/core/rlm/rlm';
import { FileMap } from '../../src/core/workspace/fileMap';
import { js, startScriptedModels } from '../support/scriptedModels';

/** A scripted model navigating the monorepo fixture by symbols, references and imports, citing what it found. */
describe('RLM code helpers', () => {
  let map: FileMap;
  let code: CodeIndex;
  before(async () => {
    map = await FileMap.load(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monorepo'));
    code = new CodeIndex(map, { symbols: { cacheDir: false } });
  });
  after(() => code.dispose());

  it('findSymbol, references and dependencyPath feed an answer whose citations verify', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        (ctx) => {
          assert.match(ctx.messages[0].content, /findSymbol\(name/, 'the system prompt teaches the code helpers');
          assert.match(ctx.lastUser, /"code"/, 'the metadata mentions the code index');
          return js(
            [
              'const defs = await findSymbol("add");',
              'const refs = await references("add", { glob: "packages/ui/**" });',
              'const chain = await dependencyPath("apps/web/src/main.ts", "packages/core/src/math.ts");',
              'print(JSON.stringify({ defs, refs, chain }))',
            ].join('\n'),
          );
        },
        (ctx) => {
          const out = /Cell 1 output:\n```text\n(.*)\n```/.exec(ctx.lastUser);
          assert.ok(out, ctx.lastUser);
          const { defs, refs, chain } = JSON.parse(out[1]);
          assert.deepEqual(
            defs.map((d: { path: string; line: number; kind: string }) => [d.path, d.line, d.kind]),
            [['packages/core/src/math.ts', 1, 'function']],
          );
          const inTotal = refs.find((r: { in?: string }) => r.in === 'total');
          assert.ok(inTotal, `a reference inside \`total\`: ${JSON.stringify(refs)}`);
          // The shortest chain: main.ts imports the helper (tsconfig paths alias), which imports math.ts directly.
          assert.deepEqual(chain, ['apps/web/src/main.ts', 'apps/web/src/lib/helper.ts', 'packages/core/src/math.ts']);
          const d = defs[0];
          return js(
            `finish("\`add\` is defined at ${d.path}:${d.line}-${d.endLine} and used by \`total\` at ${inTotal.path}:${inTotal.line}; ` +
              `the web app reaches it via ${chain.join(' → ')}.")`,
          );
        },
      ],
    });
    try {
      const result = await runRlm({ question: 'Where is add defined and who uses it?', map, rootModel: models.root, code });
      assert.equal(result.reason, 'finish');
      const citations = await verifyCitations(result.answer, map);
      assert.deepEqual(
        citations.map((c) => [c.path, c.startLine, c.endLine, c.valid]),
        [
          ['packages/core/src/math.ts', 1, 3, true],
          ['packages/ui/src/index.ts', 7, 7, true],
        ],
      );
      assert.match(citations[0].text!, /export function add/);
    } finally {
      await models.close();
    }
  });

  it('outline and imports describe a file; a child RLM over a subset only sees its own files', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        js('print(await outline("packages/ui/src/index.ts"));\nprint(JSON.stringify((await imports("packages/ui/src/index.ts")).map(e => [e.specifier, e.to ?? null])))\nprint(await rlm_query("q", { glob: "packages/core/**" }))'),
        (ctx) => {
          assert.match(ctx.lastUser, /constant total \(7-7\)/);
          assert.match(ctx.lastUser, /\["@mono\/core","packages\/core\/src\/index.ts"\]/);
          assert.match(ctx.lastUser, /CHILD \[\] \["packages\/core\/src\/math.ts"\]/);
          return js('finish("ok")');
        },
      ],
      subSteps: [
        js('const a = await importers("packages/core/src/index.ts");\nconst b = (await findSymbol("add")).map(d => d.path);\nfinish("CHILD " + JSON.stringify(a) + " " + JSON.stringify(b))'),
      ],
    });
    try {
      const result = await runRlm({ question: 'q', map, rootModel: models.root, subModel: models.sub, code });
      assert.equal(result.answer, 'ok');
    } finally {
      await models.close();
    }
  });
});
