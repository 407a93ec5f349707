import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { extensionGlob } from '../../src/core/index/symbols/languages';
import { FileMap } from '../../src/core/workspace/fileMap';

/**
 * Globs of plain extensions (what findSymbol asks for on every lookup) are matched by the name's extension instead of
 * picomatch's regular expression; the files they select must be exactly picomatch's, dot files and odd names included.
 */
describe('extension globs', () => {
  const repo = path.resolve(__dirname, '..', '..', '..');
  // A real tree: this project's files and its node_modules (thousands of names), plus names that test the edges.
  const real = execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean);
  const modules = execFileSync('find', ['node_modules', '-maxdepth', '4', '-type', 'f'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
  const edges = ['.c', 'a/.c', 'a/..c', '.h.c', 'a.C', 'x.c/y', 'c', 'a/c', 'a.c.', 'a/b.tar.gz', 'lib/x.c++', 'q/.hidden/z.h', 'w/y.hpp', 'w/y.hp', 'z.rs~', 'Makefile'];
  const paths = [...new Set([...real, ...modules, ...edges])];
  const map = FileMap.fromTexts(Object.fromEntries(paths.map((p) => [p, ''])));

  for (const glob of [extensionGlob(['c', 'cpp']), extensionGlob(['typescript', 'javascript']), extensionGlob(['rust']), extensionGlob(['python']), '**/*.{c++,gz}', '**/*.json', '**/*.{c}', '**/*.{ts,js}x']) {
    it(`${glob}: the same files as picomatch`, () => {
      const matches = picomatch(glob, { dot: true });
      const expected = map.files().map((f) => f.path).filter((p) => matches(p));
      const got = map.files(glob).map((f) => f.path);
      assert.deepEqual(got, expected);
      if (!glob.includes('{c}') && !glob.endsWith('x')) assert.ok(got.length > 0, 'the glob selects something');
    });
  }
});
