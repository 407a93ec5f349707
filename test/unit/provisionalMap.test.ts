import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { verifyCitations } from '../../src/core/citations/citations';
import { FileMap, type FileMapOptions } from '../../src/core/workspace/fileMap';
import { type GrepOptions, grep, grepSync } from '../../src/core/workspace/grep';
import { buildMetadata } from '../../src/core/workspace/metadata';
import { cliRipgrep } from '../../src/cli/ripgrepBinary';
import { tempTree } from '../support/tempTree';

/**
 * The provisional map a first load hands out as soon as the tree is listed (FileMap.load's onListed): the question
 * that starts on it must see what the complete map will show — the same files under the same secret, ignore and
 * exclude rules, the same grep results, the same citation verdicts — though nothing has been measured yet.
 */

const RG = cliRipgrep();
const ALL = 10_000_000;

async function loadBoth(root: string, options: FileMapOptions = {}): Promise<{ provisional: FileMap; complete: FileMap }> {
  let provisional: FileMap | undefined;
  const complete = await FileMap.load(root, { ripgrep: RG, cacheBytes: 0, ...options, onListed: (m) => (provisional = m) });
  assert.ok(provisional, 'onListed was called');
  return { provisional, complete };
}

/** Every way the REPL and the index search, on both maps: identical matches. */
async function sameGrep(provisional: FileMap, complete: FileMap, pattern: string, options: GrepOptions = {}): Promise<number> {
  const expected = (await grep(complete, pattern, { maxResults: ALL, ...options, ripgrep: false })).matches;
  for (const ripgrep of [true, false, undefined]) {
    const label = `${pattern} ${JSON.stringify(options)} ripgrep=${ripgrep}`;
    provisional.cache.clear();
    assert.deepEqual((await grep(provisional, pattern, { maxResults: ALL, ...options, ripgrep })).matches, expected, `async ${label}`);
    provisional.cache.clear();
    assert.deepEqual(grepSync(provisional, pattern, { maxResults: ALL, ...options, ripgrep }).matches, expected, `sync ${label}`);
  }
  return expected.length;
}

describe('provisional map (a first open, files not measured yet)', () => {
  const files: Record<string, string | Buffer> = {
    '.gitignore': 'build/\n*.log\n',
    '.env': 'NEEDLE_SECRET=1\n',
    'keys/server.pem': 'NEEDLE in a key\n',
    'build/out.js': 'NEEDLE ignored\n',
    'debug.log': 'NEEDLE logged\n',
    'vendor/lib.js': 'NEEDLE excluded\n',
    'blob.bin': Buffer.concat([Buffer.from('NEEDLE\n'), Buffer.from([0, 1, 2, 3]), Buffer.from('\nNEEDLE again\n')]),
    'huge.txt': `NEEDLE\n${'x'.repeat(5000)}\n`,
    'src/main.ts': 'export const NEEDLE = 1;\n// second line\n// third line\n',
  };
  // Enough files that grep hands them to ripgrep (and the async grep would use workers on a complete map).
  for (let i = 0; i < 400; i++) files[`pkg/m${i}.ts`] = `export function f${i}() {\n  return ${i % 7 === 0 ? '"NEEDLE"' : i};\n}\n`;
  let root: string;
  let provisional: FileMap;
  let complete: FileMap;

  before(async () => {
    root = tempTree(files);
    ({ provisional, complete } = await loadBoth(root, { exclude: ['vendor/**'], maxFileBytes: 2000 }));
  });

  test('lists the files the complete map keeps, plus those only a read tells apart (binary, too large)', () => {
    assert.equal(provisional.measuring, true);
    assert.equal(complete.measuring, false);
    const listed = provisional.files().map((f) => f.path);
    const kept = complete.files().map((f) => f.path);
    assert.deepEqual(listed.filter((p) => !kept.includes(p)).sort(), ['blob.bin', 'huge.txt']);
    assert.deepEqual(kept.filter((p) => !listed.includes(p)), []);
    for (const hidden of ['.env', 'keys/server.pem', 'build/out.js', 'debug.log', 'vendor/lib.js']) assert.equal(provisional.get(hidden), undefined, hidden);
    assert.deepEqual(provisional.get('src/main.ts'), { path: 'src/main.ts', size: -1, lines: -1, language: 'typescript' });
  });

  test('grep finds exactly what the complete map finds: never in secrets, ignored, excluded, binary or oversized files', async () => {
    assert.equal(await sameGrep(provisional, complete, 'NEEDLE'), 1 + Math.ceil(400 / 7));
    await sameGrep(provisional, complete, 'NEEDLE', { maxResults: 5 });
    await sameGrep(provisional, complete, 'return \\d+;', { glob: 'pkg/**' });
    await sameGrep(provisional, complete, 'needle', { ignoreCase: true, context: 1 });
  });

  test('reads refuse a binary file as the complete map leaves it out; texts read as usual', async () => {
    assert.throws(() => provisional.readTextSync('blob.bin'), /cannot read blob\.bin: binary file/);
    await assert.rejects(provisional.readText('blob.bin'), /binary file/);
    assert.equal((await provisional.readLines('src/main.ts', 2, 2)).text, '// second line');
    assert.equal(await provisional.lineCount('src/main.ts'), 3);
  });

  test('citations get the same verdicts as on the complete map', async () => {
    const answer = 'See src/main.ts:1, src/main.ts:2-3, src/main.ts:9, blob.bin:1 and .env:1.';
    const strip = (cs: Awaited<ReturnType<typeof verifyCitations>>) => cs.map(({ path: p, startLine, valid }) => ({ p, startLine, valid }));
    const onProvisional = await verifyCitations(answer, provisional);
    assert.deepEqual(strip(onProvisional), strip(await verifyCitations(answer, complete)));
    assert.deepEqual(onProvisional.map((c) => c.valid), [true, true, false, false, false]);
    assert.match(onProvisional[2].reason ?? '', /has 3 lines/);
  });

  test('the metadata says the sizes are not measured yet instead of inventing them', () => {
    const early = buildMetadata(provisional);
    assert.equal(early.files, provisional.size);
    assert.equal(early.bytes, -1);
    assert.match(early.measuring ?? '', /not measured yet/);
    assert.ok(early.languages.some((l) => l.language === 'typescript' && l.files === 401));
    const later = buildMetadata(complete);
    assert.equal(later.measuring, undefined);
    assert.ok(later.bytes > 0);
  });
});

describe('provisional map of a real tree (this project’s node_modules)', () => {
  let provisional: FileMap;
  let complete: FileMap;
  before(async () => {
    ({ provisional, complete } = await loadBoth(path.resolve(__dirname, '../../../node_modules')));
    assert.ok(complete.size > 5000, `only ${complete.size} files`);
  });

  test('it is handed out before the load is over, with every file the complete map has', () => {
    const listed = new Set(provisional.files().map((f) => f.path));
    assert.ok(complete.files().every((f) => listed.has(f.path)));
    assert.ok(provisional.size > complete.size, 'binary files (wasm, native addons) are only told apart by reading them');
  });

  test('a search of the whole listing hands ripgrep its folders, worked out once when the map was made', () => {
    const listing = provisional.listingFolders();
    assert.ok(listing, 'ready by the time the load is over');
    assert.equal(listing.rels.length, provisional.size);
    assert.ok(listing.folders.length * 4 <= provisional.size, 'few enough folders for a folder search');
  });

  test('unsaved editors: their text is searched, not the disk\'s, also by a later search of the same literal', async () => {
    const file = provisional.files().find((f) => f.path.endsWith('.js') && complete.get(f.path))!.path;
    const original = await complete.readText(file);
    const edited = `${original.replace(/Copyright/g, 'Copyleft')}\nconst zqxUnsavedToken = 1;\n`;
    try {
      for (const m of [provisional, complete]) m.setUnsaved(file, edited);
      for (const pattern of ['zqxUnsavedToken', 'Copyright', 'zqxUnsavedToken']) {
        const expected = (await grep(complete, pattern, { maxResults: ALL, ripgrep: false })).matches;
        for (const ripgrep of [true, undefined]) {
          assert.deepEqual((await grep(provisional, pattern, { maxResults: ALL, ripgrep })).matches, expected, `${pattern} ripgrep=${ripgrep}`);
        }
        if (pattern === 'zqxUnsavedToken') assert.deepEqual(expected.map((x) => x.path), [file]);
      }
    } finally {
      for (const m of [provisional, complete]) m.setUnsaved(file, undefined);
    }
  });

  for (const pattern of ['class \\w+Error', 'Copyright', 'emscripten', '\\bwasm\\b']) {
    test(`grep: identical to the complete map: ${pattern}`, async () => {
      assert.ok((await sameGrep(provisional, complete, pattern, { maxResults: 2000 })) > 0);
    });
  }
});
