import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CodeIndex } from '../../src/core/index/codeIndex';
import { PackError, readIndexPack } from '../../src/core/index/pack/indexPack';
import { FileMap } from '../../src/core/workspace/fileMap';
import { runCli } from '../support/cliRun';

/**
 * The index built once, reused everywhere: a pack exported from one checkout of a real tree (this project's own
 * src/ and test fixtures: TypeScript, Python, Go, Rust, C, Java…) and imported into a copy at another path with an
 * empty cache, where some files changed since. Only those are parsed; the result is what a full build gives.
 */

const REPO = path.resolve(__dirname, '..', '..', '..');
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A real tree: this project's engine sources and its multi-language fixtures. */
function realTree(): string {
  const dir = tempDir('recurse-pack-tree-');
  fs.cpSync(path.join(REPO, 'src', 'core'), path.join(dir, 'core'), { recursive: true });
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'langs'), path.join(dir, 'langs'), { recursive: true });
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'monorepo'), path.join(dir, 'monorepo'), { recursive: true });
  return dir;
}

async function build(root: string, cacheDir: string, pack?: string) {
  const map = await FileMap.load(root);
  const code = new CodeIndex(map, { symbols: { cacheDir }, ...(pack ? { pack: () => readIndexPack(pack) } : {}) });
  try {
    const stats = await code.symbolIndex.whenComplete();
    const graph = await code.graph();
    const symbols = (await code.symbolIndex.allSymbols()).map((s) => `${s.path}:${s.line}-${s.endLine} ${s.kind} ${s.container ? `${s.container}.` : ''}${s.name}`).sort();
    const edges = map.files().flatMap((f) => graph.imports(f.path).map((e) => `${f.path}:${e.line} ${e.specifier} -> ${e.to ?? '(external)'}`)).sort();
    return { stats, graph: graph.stats, symbols, edges, code };
  } finally {
    code.dispose();
  }
}

describe('index packs', () => {
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips to another path with an empty cache: unchanged files come from the pack, changed ones are parsed', async () => {
    const a = realTree();
    const packFile = path.join(tempDir('recurse-pack-'), 'team.rpack');
    const map = await FileMap.load(a);
    const exporter = new CodeIndex(map, { symbols: { cacheDir: tempDir('recurse-pack-cache-a-') } });
    const written = await exporter.exportPack(packFile);
    exporter.dispose();
    assert.ok(written.symbols > 50 && written.imports > 50, JSON.stringify(written));

    // Another clone at another path: two files edited, one added, one deleted since the pack was made.
    const b = tempDir('recurse-pack-clone-');
    fs.cpSync(a, b, { recursive: true });
    fs.appendFileSync(path.join(b, 'core', 'eventLoopSlices.ts'), '\nexport function addedAfterThePack(): number {\n  return 1;\n}\n');
    fs.appendFileSync(path.join(b, 'langs', 'sample.py'), '\ndef added_after_the_pack():\n    return 2\n');
    fs.writeFileSync(path.join(b, 'core', 'brandNew.ts'), "import { EventLoopSlices } from './eventLoopSlices';\nexport const slices = new EventLoopSlices();\n");
    fs.rmSync(path.join(b, 'langs', 'sample.rb'));

    const cacheB = tempDir('recurse-pack-cache-b-');
    const imported = await build(b, cacheB, packFile);
    const fresh = await build(b, tempDir('recurse-pack-cache-fresh-'));
    assert.equal(imported.stats.parsedFiles, 3, 'the two edited files and the new one');
    assert.equal(imported.stats.seededFiles, fresh.stats.parsedFiles - 3);
    assert.equal(imported.stats.cachedFiles, 0, 'the cache was empty');
    assert.deepEqual(imported.symbols, fresh.symbols, 'the same symbols as a full build');
    assert.ok(imported.symbols.some((s) => s.endsWith('function addedAfterThePack')));
    assert.deepEqual(imported.edges, fresh.edges, 'the same import graph');
    assert.ok(imported.graph.seeded > 50, JSON.stringify(imported.graph));
    assert.equal(imported.graph.extracted, 3, 'imports read again only from the edited and new files');

    // The import seeded the local cache: the next build parses nothing.
    const again = await build(b, cacheB);
    assert.equal(again.stats.parsedFiles, 0);
    assert.equal(again.stats.cachedFiles, fresh.stats.parsedFiles);
  });

  it('an unchanged tree imported whole is kept in the local cache: the next build reads it from there', async () => {
    const tree = path.join(realTree(), 'langs');
    const packFile = path.join(tempDir('recurse-pack-'), 'langs.rpack');
    const code = new CodeIndex(await FileMap.load(tree), { symbols: { cacheDir: false } });
    await code.exportPack(packFile);
    code.dispose();
    const copy = tempDir('recurse-pack-langs-copy-');
    fs.cpSync(tree, copy, { recursive: true });
    const cache = tempDir('recurse-pack-cache-whole-');
    const imported = await build(copy, cache, packFile);
    assert.equal(imported.stats.parsedFiles, 0);
    assert.equal(imported.stats.seededFiles, imported.stats.files);
    const again = await build(copy, cache);
    assert.equal(again.stats.cachedFiles, imported.stats.files, 'every seeded record was written to the cache');
    assert.equal(again.stats.parsedFiles, 0);
  });

  it('refuses a corrupt, truncated, foreign or newer pack with the reason', async () => {
    const tree = realTree();
    const packFile = path.join(tempDir('recurse-pack-'), 'p.rpack');
    const map = await FileMap.load(path.join(tree, 'langs'));
    const code = new CodeIndex(map, { symbols: { cacheDir: false } });
    await code.exportPack(packFile);
    code.dispose();
    const good = fs.readFileSync(packFile);
    const variants: [string, Buffer, RegExp][] = [
      ['corrupt', Buffer.from(good.map((b, i) => (i === good.length - 10 ? b ^ 0xff : b))), /do not match their checksum \(corrupted\)/],
      ['truncated', good.subarray(0, good.length - 100), /truncated/],
      ['foreign', Buffer.from('PK\u0003\u0004 a zip file'), /not a Recurse index pack/],
      ['newer', Buffer.from(good.toString('latin1').replace('RECURSE-INDEX-PACK 1', 'RECURSE-INDEX-PACK 7'), 'latin1'), /format 7, written by a newer Recurse/],
    ];
    for (const [name, bytes, reason] of variants) {
      const file = path.join(path.dirname(packFile), `${name}.rpack`);
      fs.writeFileSync(file, bytes);
      await assert.rejects(readIndexPack(file), (err: Error) => err instanceof PackError && reason.test(err.message), name);
    }
    await assert.rejects(readIndexPack(path.join(tree, 'missing.rpack')), /cannot read it \(ENOENT\)/);
  });

  it('recurse index --export / --import from the CLI, and a refused pack leaves the local cache as it was', async () => {
    const a = realTree();
    const b = tempDir('recurse-pack-cli-clone-');
    fs.cpSync(a, b, { recursive: true });
    fs.appendFileSync(path.join(b, 'langs', 'sample.go'), '\nfunc AddedAfterThePack() int { return 3 }\n');
    const packFile = path.join(tempDir('recurse-pack-cli-'), 'team.rpack');
    const exported = await runCli(['index', a, '--export', packFile, '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(JSON.parse(exported.stdout).exported.file, packFile);

    const home = tempDir('recurse-pack-home-');
    const imported = await runCli(['index', b, '--import', packFile, '--json'], { home });
    assert.equal(imported.code, 0, imported.stderr);
    const out = JSON.parse(imported.stdout);
    assert.equal(out.parsedFiles, 1);
    assert.ok(out.imported.seededFiles > 50 && out.imported.seededImports > 50, JSON.stringify(out.imported));
    assert.deepEqual(out.imported.notes, []);

    const snapshot = () => Object.fromEntries(fs.readdirSync(path.join(home, 'cache'), { recursive: true }).map(String).sort()
      .filter((f) => fs.statSync(path.join(home, 'cache', f)).isFile())
      .map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(home, 'cache', f))).digest('hex')]));
    const before = snapshot();
    const broken = path.join(path.dirname(packFile), 'broken.rpack');
    const bytes = fs.readFileSync(packFile);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(broken, bytes);
    const refused = await runCli(['index', b, '--import', broken, '--json'], { home });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /index pack .*broken\.rpack refused: its contents do not match their checksum/);
    assert.deepEqual(snapshot(), before, 'the local cache is untouched');
    const warm = await runCli(['index', b, '--json'], { home });
    assert.equal(JSON.parse(warm.stdout).parsedFiles, 0, 'and still serves every file');
  });
});
