import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeIndex } from '../../src/core/index/codeIndex';
import { ask } from '../../src/core/workflows/ask';
import { FileMap } from '../../src/core/workspace/fileMap';
import { grep } from '../../src/core/workspace/grep';
import { buildMetadata } from '../../src/core/workspace/metadata';
import { js, startScriptedModels } from '../support/scriptedModels';

/** "Whole workspace" in a multi-root workspace: two real folders on disk combined into one map. */

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
}

describe('multi-root: a combined file map over every workspace folder', () => {
  let base: string;
  let apiDir: string;
  let webDir: string;
  let map: FileMap;

  before(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-multiroot-'));
    apiDir = path.join(base, 'api');
    webDir = path.join(base, 'web');
    write(apiDir, {
      'package.json': JSON.stringify({ name: '@demo/api' }),
      '.gitignore': 'generated.ts\n',
      '.env': 'API_SECRET=hunter2-do-not-leak\n',
      'generated.ts': 'export const GENERATED_MARKER = 1;\n',
      'src/server.ts': "import { listRoutes } from './routes';\n\nexport function startServer(port: number) {\n  return listRoutes().length + port;\n}\n",
      'src/routes.ts': "export function listRoutes(): string[] {\n  return ['/orders', '/health'];\n}\n",
      // Climbs out of its folder: on disk this would be the sibling folder, but a folder's imports stay in it.
      'src/escape.ts': "import { renderView } from '../../web/src/view';\nexport const x = renderView;\n",
    });
    write(webDir, {
      'package.json': JSON.stringify({ name: '@demo/web' }),
      'src/app.ts': "import { renderView } from './view';\nimport { listRoutes } from '@demo/api/src/routes';\n\nexport const app = () => renderView(listRoutes());\n",
      'src/view.ts': 'export function renderView(routes: string[]): string {\n  return routes.join(", ");\n}\n',
    });
    const [api, web] = await Promise.all([FileMap.load(apiDir), FileMap.load(webDir)]);
    map = FileMap.combine([{ name: 'api', map: api }, { name: 'web', map: web }], { name: 'demo (Workspace)' });
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('lists every folder under its name, and nothing the folders exclude', async () => {
    const paths = map.files().map((f) => f.path);
    assert.deepEqual(paths, [
      'api/.gitignore', 'api/package.json', 'api/src/escape.ts', 'api/src/routes.ts', 'api/src/server.ts',
      'web/package.json', 'web/src/app.ts', 'web/src/view.ts',
    ]);
    for (const hidden of ['api/.env', 'api/generated.ts', path.join(apiDir, '.env'), path.join(apiDir, 'generated.ts')]) {
      assert.equal(map.resolve(hidden), undefined, `${hidden} is not reachable`);
      assert.throws(() => map.readTextSync(hidden), /not in workspace/);
    }
    const secrets = await grep(map, 'hunter2|GENERATED_MARKER');
    assert.deepEqual(secrets.matches, []);
    assert.equal(map.skipped.counts.secret, 1);
    assert.equal(map.skipped.counts.ignored, 1);
    assert.equal(map.name, 'demo (Workspace)');
    assert.deepEqual(map.folders?.map((f) => f.label), ['api', 'web']);
  });

  it('reads, greps, resolves and draws the tree across folders', async () => {
    assert.equal((await map.readLines('web/src/view.ts', 1, 1)).text, 'export function renderView(routes: string[]): string {');
    assert.equal(map.readLinesSync('api/src/routes.ts', 2, 2).text, "  return ['/orders', '/health'];");
    // Absolute paths inside any folder, and VS Code's `folder/path` form, name the same file.
    assert.equal(map.resolve(path.join(webDir, 'src', 'view.ts')), 'web/src/view.ts');
    assert.equal(map.resolve('./api//src/server.ts'), 'api/src/server.ts');
    assert.equal(map.resolve('src/server.ts'), undefined, 'a path without its folder is ambiguous');
    assert.equal(map.absolutePath('web/src/app.ts'), path.join(fs.realpathSync(webDir), 'src', 'app.ts'));
    assert.deepEqual(map.locate('web/src/app.ts'), { folder: 'web', path: 'src/app.ts', map: map.folders![1].map });
    assert.equal(map.relativeKey(path.join(apiDir, 'src', 'new.ts')), 'api/src/new.ts');
    assert.equal(map.relativeKey('nowhere/x.ts'), undefined);
    assert.equal(map.relativeKey(path.join(base, 'x.ts')), undefined);

    const { matches } = await grep(map, /export function \w+/.source);
    assert.deepEqual(matches.map((m) => `${m.path}:${m.line}`), ['api/src/routes.ts:1', 'api/src/server.ts:3', 'web/src/view.ts:1']);

    const tree = map.tree();
    assert.match(tree, /^ {2}api\/ \(5 files\)$/m);
    assert.match(tree, /^ {2}web\/ \(3 files\)$/m);
    assert.match(map.tree(path.join(webDir, 'src')), /app\.ts/);

    const meta = buildMetadata(map);
    assert.equal(meta.root, 'demo (Workspace)');
    assert.equal(meta.files, 8);
    assert.match(meta.outline, /^api\/ \(5\)\nweb\/ \(3\)$/);
    assert.deepEqual(meta.folders, ['api', 'web']);
    assert.equal(meta.foldersNote, undefined);
  });

  it('indexes symbols of both folders and resolves imports inside each', async () => {
    const code = new CodeIndex(map, { symbols: { cacheDir: false } });
    try {
      code.start();
      const [routes] = await code.findSymbol('listRoutes');
      assert.deepEqual([routes.path, routes.line], ['api/src/routes.ts', 1]);
      const [view] = await code.findSymbol('renderView');
      assert.deepEqual([view.path, view.line], ['web/src/view.ts', 1]);
      assert.match(await code.outline('api/src/server.ts'), /function startServer \(3-5\)/);

      const graph = await code.graph();
      assert.deepEqual(graph.imports('api/src/server.ts').map((e) => e.to), ['api/src/routes.ts']);
      assert.deepEqual(graph.imports('web/src/app.ts').map((e) => `${e.specifier} -> ${e.to ?? '-'}`), [
        './view -> web/src/view.ts',
        '@demo/api/src/routes -> api/src/routes.ts',
      ]);
      assert.deepEqual(graph.imports('api/src/escape.ts').map((e) => e.to), [undefined], 'a relative import does not reach a sibling folder');
      assert.deepEqual(graph.packages().map((p) => `${p.name} ${p.path}`), ['@demo/api api', '@demo/web web']);

      // A file created after the map loaded, named by its absolute path, is indexed under its folder.
      write(webDir, { 'src/later.ts': 'export function addedLater() {}\n' });
      await code.symbolIndex.updateFile(path.join(webDir, 'src', 'later.ts'));
      assert.deepEqual((await code.findSymbol('addedLater')).map((s) => s.path), ['web/src/later.ts']);
    } finally {
      code.dispose();
      fs.rmSync(path.join(webDir, 'src', 'later.ts'), { force: true });
    }
  });

  it('answers one question over both folders with citations of each verified', async () => {
    const models = await startScriptedModels({
      rootSteps: [
        (ctx) => {
          assert.match(ctx.lastUser, /"folders": \[\s*"api",\s*"web"\s*\]/);
          assert.match(ctx.lastUser, /api\/ \(5\)\\nweb\/ \(3\)/);
          return js("print(grep(/export function (listRoutes|renderView)/).map((m) => m.path + ':' + m.line).join(' '))");
        },
        (ctx) => {
          const m = /Cell 1 output:\n```text\n(\S+) (\S+)/.exec(ctx.lastUser);
          assert.ok(m, ctx.lastUser);
          return js(`finish("Routes come from ${m[1]} and are shown by ${m[2]}; the generated list is in api/generated.ts:1.")`);
        },
      ],
    });
    const code = new CodeIndex(map, { symbols: { cacheDir: false } });
    try {
      const result = await ask({ workspace: apiDir, question: 'Where do routes come from and how are they shown?', rootModel: models.root, map, code });
      assert.equal(result.answer, 'Routes come from api/src/routes.ts:1 and are shown by web/src/view.ts:1; the generated list is in api/generated.ts:1.');
      assert.deepEqual(result.citations.map((c) => [c.resolvedPath ?? c.path, c.startLine, c.valid]), [
        ['api/src/routes.ts', 1, true],
        ['web/src/view.ts', 1, true],
        ['api/generated.ts', 1, false],
      ]);
      assert.equal(result.citations[1].text, 'export function renderView(routes: string[]): string {');
      assert.equal(result.files, 8);
    } finally {
      code.dispose();
      await models.close();
    }
  });
});

describe('multi-root: large folders', () => {
  it('greps across folders on worker threads, each file read from its own folder', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-multiroot-big-'));
    try {
      const parts: { name: string; map: FileMap }[] = [];
      for (const [name, needleAt] of [['one', 299], ['two', 150]] as const) {
        const files: Record<string, string> = {};
        for (let i = 0; i < 300; i++) files[`f${String(i).padStart(3, '0')}.txt`] = `value ${name}-${i}${i === needleAt ? ' NEEDLE' : ''}\n`;
        write(path.join(base, name), files);
        parts.push({ name, map: await FileMap.load(path.join(base, name)) });
      }
      const map = FileMap.combine(parts);
      const { matches } = await grep(map, 'NEEDLE');
      assert.deepEqual(matches.map((m) => `${m.path}:${m.line} ${m.text}`), ['one/f299.txt:1 value one-299 NEEDLE', 'two/f150.txt:1 value two-150 NEEDLE']);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('multi-root: folder names', () => {
  it('gives same-named and uncitable folders distinct, deterministic labels and says so', () => {
    const part = (text: string) => FileMap.fromTexts({ 'README.md': text });
    const combined = FileMap.combine([
      { name: 'app', map: part('one\n') },
      { name: 'app', map: part('two\n') },
      { name: 'app-2', map: part('three\n') },
      { name: 'my app', map: part('four\n') },
    ]);
    assert.deepEqual(combined.folders!.map((f) => [f.label, f.renamedFrom]), [
      ['app', undefined], ['app-3', 'app'], ['app-2', undefined], ['my-app', 'my app'],
    ]);
    assert.equal(combined.readTextSync('app-3/README.md'), 'two\n');
    assert.equal(combined.readTextSync('app-2/README.md'), 'three\n');
    const meta = buildMetadata(combined);
    assert.deepEqual(meta.folders, ['app', 'app-3', 'app-2', 'my-app']);
    assert.equal(meta.foldersNote, 'Workspace folders renamed to stay distinct and citable: "app" → app-3/, "my app" → my-app/.');
  });

  it('refuses to mix in-memory and on-disk maps, and an empty list', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-multiroot-mix-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), 'x\n');
      const disk = await FileMap.load(dir);
      assert.throws(() => FileMap.combine([{ name: 'a', map: disk }, { name: 'b', map: FileMap.fromTexts({ 'b.ts': '' }) }]), /in-memory and on-disk/);
      assert.throws(() => FileMap.combine([]), /no workspace folders/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
