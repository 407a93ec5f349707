import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeIndex } from '../../src/core/index/codeIndex';
import { FileMap } from '../../src/core/workspace/fileMap';
import type { RecurseApi } from '../../src/extension/extension';
import { api, configure, folder } from './helpers';

/**
 * recurse.sharedIndex: the team's index pack (made elsewhere, at another path) seeds this window's index — files
 * whose content it holds are not parsed; a corrupt pack is refused and the index is built here as usual.
 */
describe('a shared index pack (recurse.sharedIndex)', () => {
  let recurse: RecurseApi;
  let dir: string;
  const added: string[] = [];

  before(async () => {
    recurse = await api();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-shared-index-'));
  });
  after(async () => {
    await configure({ sharedIndex: undefined });
    for (const p of added) fs.rmSync(p, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Adds files to the workspace, then waits until the index has been rebuilt over them. */
  async function addAndIndex(rel: string, from: string, files: number): Promise<Awaited<ReturnType<RecurseApi['whenIndexed']>>> {
    const before = (await recurse.whenIndexed(folder())).files;
    const target = path.join(folder().uri.fsPath, rel);
    fs.cpSync(from, target, { recursive: true });
    added.push(target);
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const stats = await recurse.whenIndexed(folder());
      if (stats.files >= before + files) return stats;
    }
    throw new Error(`the index never saw the ${files} files added under ${rel}`);
  }

  it('takes the symbols of files whose content the pack holds from it, wherever they sit', async () => {
    const tree = path.join(dir, 'team-checkout');
    fs.cpSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'langs'), tree, { recursive: true });
    const pack = path.join(dir, 'packs', 'team.rpack');
    const code = new CodeIndex(await FileMap.load(tree), { symbols: { cacheDir: false } });
    await code.exportPack(pack);
    code.dispose();
    const files = fs.readdirSync(tree).length;

    await configure({ sharedIndex: path.dirname(pack) }); // a directory: its newest pack
    const stats = await addAndIndex('vendored-langs', tree, files);
    assert.equal(stats.seededFiles, files, JSON.stringify(stats));
    assert.equal(stats.parsedFiles, 0);
  });

  it('a corrupt pack is refused and the index is built here as usual', async () => {
    const bad = path.join(dir, 'corrupt.rpack');
    fs.writeFileSync(bad, 'RECURSE-INDEX-PACK 1\n{"format":1,"bytes":3,"sha256":"00"}\nxyz');
    await configure({ sharedIndex: bad });
    const more = path.join(dir, 'more');
    fs.mkdirSync(more);
    fs.writeFileSync(path.join(more, 'late.py'), 'def late_addition():\n    return 1\n');
    const stats = await addAndIndex('more-code', more, 1);
    assert.equal(stats.seededFiles, 0);
    assert.equal(stats.parsedFiles, 1);
  });
});
