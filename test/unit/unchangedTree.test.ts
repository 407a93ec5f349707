import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileMap } from '../../src/core/workspace/fileMap';
import { RACY_MS } from '../../src/core/workspace/mapSnapshot';
import { tempTree } from '../support/tempTree';

/**
 * A warm load of a tree that kept its shape takes the map from its snapshot without listing a folder — and is then
 * exactly what a full load sees; any change of shape (a file added, removed or renamed, an ignore file edited, a
 * folder's permissions) makes it list the tree again. Each case runs on its own copy of the same tree.
 */

const MAX_FILE_BYTES = 4096;
const FIXTURE: Record<string, string | Buffer> = {
  '.gitignore': 'build/\n*.log\n',
  '.git/info/exclude': 'tmp-*\n',
  'src/a.ts': 'export const a = 1;\n',
  'src/b.ts': 'export const b = 2;\nexport const bb = 3;\n',
  'src/deep/c.ts': 'import { a } from "../a";\n',
  'lib/d.py': 'def d():\n    return 4\n',
  'lib/tmp-scratch.py': 'x = 1\n',
  'build/out.js': 'compiled();\n',
  'app.log': 'a log line\n',
  '.env': 'SECRET=1\n',
  'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]),
  'data/big.txt': 'x'.repeat(MAX_FILE_BYTES + 10),
};

interface Case {
  label: string;
  change: (root: string) => void;
  /** Whether the load after the change must list the tree. */
  listed: boolean;
}

const CASES: Case[] = [
  { label: 'nothing changed', change: () => undefined, listed: false },
  { label: 'a file edited in place', change: (r) => writeFileSync(join(r, 'src/a.ts'), 'export const a = 10;\n// two\n// three\n'), listed: false },
  { label: 'a file edited to hold a NUL byte', change: (r) => writeFileSync(join(r, 'src/b.ts'), Buffer.from([0x61, 0, 0x62])), listed: false },
  { label: 'a file grown past the size limit', change: (r) => writeFileSync(join(r, 'lib/d.py'), 'y'.repeat(MAX_FILE_BYTES + 1)), listed: false },
  { label: 'a file shrunk below the size limit', change: (r) => writeFileSync(join(r, 'data/big.txt'), 'small now\n'), listed: false },
  { label: 'a binary file turned into text', change: (r) => writeFileSync(join(r, 'logo.png'), 'not an image\n'), listed: false },
  { label: 'a file added', change: (r) => writeFileSync(join(r, 'src/deep/new.ts'), 'export const n = 0;\n'), listed: true },
  { label: 'a file removed', change: (r) => rmSync(join(r, 'src/b.ts')), listed: true },
  { label: 'a file renamed', change: (r) => renameSync(join(r, 'lib/d.py'), join(r, 'lib/e.py')), listed: true },
  { label: 'a folder added', change: (r) => (mkdirSync(join(r, 'pkg')), writeFileSync(join(r, 'pkg/p.go'), 'package pkg\n')), listed: true },
  { label: 'a .gitignore edited in place', change: (r) => appendFileSync(join(r, '.gitignore'), 'src/deep/\n'), listed: true },
  { label: 'a .gitignore added to a folder', change: (r) => writeFileSync(join(r, 'src/.gitignore'), 'a.ts\n'), listed: true },
  { label: '.git/info/exclude edited', change: (r) => writeFileSync(join(r, '.git/info/exclude'), 'tmp-*\nsrc/deep/\n'), listed: true },
  { label: 'a .recurseignore added', change: (r) => writeFileSync(join(r, '.recurseignore'), 'lib/\n'), listed: true },
  { label: 'a secret added', change: (r) => writeFileSync(join(r, 'src/.env.local'), 'TOKEN=2\n'), listed: true },
  { label: "a folder's permissions changed", change: (r) => chmodSync(join(r, 'src/deep'), 0o700), listed: true },
];

/** What a user of the map sees: files with sizes and lines, what was left out (with examples), where. */
function view(map: FileMap, root: string) {
  return {
    files: map.files().map((f) => [f.path, f.size, f.lines, f.language]),
    skipped: map.skipped,
    leftOut: [...(map.leftOutFolders(realpathSync(root)) ?? ['unknown'])].sort(),
  };
}

/** Makes every file of `root` a minute old (folders' change times cannot be set: the caller waits those out). */
function age(root: string, rels: string[]): void {
  const then = new Date(Date.now() - 60_000);
  for (const rel of rels) utimesSync(join(root, rel), then, then);
}

describe('a warm load of an unchanged tree', () => {
  let snapshots: string;
  const roots = new Map<Case, string>();
  let linked: string;
  const load = (root: string) => FileMap.load(root, { snapshot: snapshots, maxFileBytes: MAX_FILE_BYTES });
  const full = (root: string) => FileMap.load(root, { maxFileBytes: MAX_FILE_BYTES });

  before(async () => {
    snapshots = mkdtempSync(join(tmpdir(), 'recurse-tree-snaps-'));
    for (const c of CASES) roots.set(c, tempTree(FIXTURE));
    linked = tempTree(FIXTURE);
    symlinkSync(join(linked, 'src'), join(linked, 'src-link'));
    for (const root of [...roots.values(), linked]) age(root, Object.keys(FIXTURE));
    // Folders just made are too recent to vouch for (their change time is now): wait until they are not.
    await new Promise((resolve) => setTimeout(resolve, RACY_MS + 300));
    for (const root of [...roots.values(), linked]) await load(root); // writes each snapshot, with the tree's stamps
  });
  after(() => {
    for (const c of CASES) if (c.label.includes('permissions')) chmodSync(join(roots.get(c)!, 'src/deep'), 0o755);
    rmSync(snapshots, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.label}: ${c.listed ? 'the tree is listed again' : 'no folder is listed'}, and the map is what a full load gives`, async () => {
      const root = roots.get(c)!;
      c.change(root);
      const map = await load(root);
      assert.equal(map.loadStats.listed, c.listed, 'listed');
      assert.deepEqual(view(map, root), view(await full(root), root));
      assert.equal(map.get('.env'), undefined, 'a secret never gets in');
      assert.equal(map.get('build/out.js'), undefined, 'an ignored folder stays out');
      assert.equal(map.get('app.log'), undefined, 'an ignored file stays out');
      assert.equal(map.get('lib/tmp-scratch.py'), undefined, 'info/exclude still applies');
    });
  }

  it('a tree with a symbolic link is always listed (what a link leads to changes without a stamp changing)', async () => {
    const map = await load(linked);
    assert.equal(map.loadStats.listed, true);
    assert.deepEqual(view(map, linked), view(await full(linked), linked));
  });

  it('the edited file is read again, the rest taken from the snapshot', async () => {
    const root = roots.get(CASES[1]!)!;
    const map = await load(root);
    assert.equal(map.get('src/a.ts')!.lines, 3);
  });
});
