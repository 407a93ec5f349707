import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { GrepOptions, GrepResult, compilePattern, grep, grepSync } from '../../src/core/workspace/grep';
import { ripgrepMajorVersion, ripgrepMajorVersionAsync, ripgrepQuery } from '../../src/core/workspace/ripgrep';
import { rgPattern } from '../../src/core/workspace/rgPattern';
import { cliRipgrep } from '../../src/cli/ripgrepBinary';
import { tempTree } from '../support/tempTree';

/**
 * The ripgrep path (ripgrep picks the files, the in-process search decides the matches) against the in-process
 * search alone: identical results on real trees, with the map's secret, ignore and scope rules and unsaved editors.
 */

const RG = cliRipgrep();

type Pattern = string | { source: string; flags: string };
const ALL = 10_000_000;

/** Both ways, sync and async; asserts they agree and returns the ripgrep result. */
async function compare(map: FileMap, pattern: Pattern, options: GrepOptions = {}): Promise<GrepResult> {
  const plain = await grep(map, pattern, { maxResults: ALL, ...options, ripgrep: false });
  const picked = await grep(map, pattern, { maxResults: ALL, ...options, ripgrep: true });
  const label = JSON.stringify(pattern) + JSON.stringify(options);
  assert.equal(plain.ripgrep, undefined);
  assert.deepEqual(picked.matches, plain.matches, `async ${label}`);
  assert.equal(picked.truncated, plain.truncated, label);
  const pickedSync = grepSync(map, pattern, { maxResults: ALL, ...options, ripgrep: true });
  assert.deepEqual(pickedSync.matches, plain.matches, `sync ${label}`);
  assert.equal(pickedSync.ripgrep, picked.ripgrep, label);
  // By default ripgrep takes over after a head of files searched here, on large enough file sets.
  const auto = await grep(map, pattern, { maxResults: ALL, ...options });
  assert.deepEqual(auto.matches, plain.matches, `default ${label}`);
  assert.deepEqual(grepSync(map, pattern, { maxResults: ALL, ...options }).matches, plain.matches, `default sync ${label}`);
  return picked;
}

/** The ripgrep a fresh CLI process picks with this PATH (and no RECURSE_RIPGREP). */
function pickedWith(PATH: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH };
  delete env.RECURSE_RIPGREP;
  const script = `process.stdout.write(String(require(${JSON.stringify(require.resolve('../../src/cli/ripgrepBinary'))}).cliRipgrep()))`;
  return execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
}

describe('ripgrep binary', () => {
  test('the CLI uses the rg on the PATH when it is ripgrep 13 or later, else the one shipped in its dependencies', () => {
    const shipped = pickedWith('');
    assert.match(shipped, /ripgrep-universal/, 'with nothing on the PATH: the package binary');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-rg-path-'));
    try {
      const fake = (version: string) => fs.writeFileSync(path.join(dir, 'rg'), `#!/bin/sh\n[ "$1" = --version ] && echo "ripgrep ${version}" && exit 0\nexec '${shipped}' "$@"\n`, { mode: 0o755 });
      fake('12.1.1 (rev 1)');
      assert.equal(pickedWith(dir), shipped, 'an older rg on the PATH is passed over');
      fake('14.1.0');
      assert.equal(pickedWith(dir), path.join(dir, 'rg'), "the user's own rg");
      fs.writeFileSync(path.join(dir, 'rg'), '#!/bin/sh\necho not ripgrep\n', { mode: 0o755 });
      assert.equal(pickedWith(dir), shipped, 'something else named rg is passed over');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(RG, 'no ripgrep found');
  });

  test('which ripgrep a binary is, asked without holding the thread, once per binary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-rg-version-'));
    try {
      const runs = path.join(dir, 'runs');
      const script = (name: string, says: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, `#!/bin/sh\necho run >> '${runs}'\necho "${says}"\n`, { mode: 0o755 });
        return file;
      };
      const rg = script('rg', 'ripgrep 14.1.0 (rev e50df40a19)');
      const asked = [ripgrepMajorVersionAsync(rg), ripgrepMajorVersionAsync(rg)];
      assert.deepEqual(await Promise.all(asked), [14, 14]);
      assert.equal(ripgrepMajorVersion(rg), 14, 'the synchronous answer is the one already asked');
      assert.equal(await ripgrepMajorVersionAsync(rg), 14);
      assert.equal(fs.readFileSync(runs, 'utf8'), 'run\n', 'the binary ran once');
      assert.equal(await ripgrepMajorVersionAsync(script('other', 'grep (GNU grep) 3.11')), undefined, 'not ripgrep');
      assert.equal(await ripgrepMajorVersionAsync(path.join(dir, 'missing')), undefined, 'no such binary');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JavaScript pattern → ripgrep pattern', () => {
  test('translates what it can widen, refuses the rest', () => {
    assert.equal(rgPattern('class \\w+Error', ''), 'class [\\w]+Error');
    assert.equal(rgPattern('\\bfoo\\b', 'i'), '(?i)(?-u:\\b)foo(?-u:\\b)');
    assert.equal(rgPattern('a{2,3}b{', ''), 'a{2,3}b\\x{7b}');
    assert.equal(rgPattern('[A-Z_][\\w-]', ''), '[\\x{41}-\\x{5a}\\x{5f}][\\w\\x{2d}]');
    assert.equal(rgPattern('a.b', ''), 'a(?:.|(?-u:[\\x80-\\xFF]){1,4})b');
    assert.equal(rgPattern('\\s[^ab]\\S', ''), '[\\s\\x{feff}](?:[^\\x{61}\\x{62}]|(?-u:[\\x80-\\xFF]){1,4})(?:\\S|(?-u:[\\x80-\\xFF]){1,4})');
    for (const refused of ['(?=x)', '(?<!x)y', '\\1', 'a\\nb', 'é', '[^\\S]', '[]']) {
      assert.equal(rgPattern(refused, refused === 'é' ? 'i' : ''), undefined, refused);
    }
    assert.equal(rgPattern('x', 'u'), undefined);
  });

  test('patterns ripgrep cannot be sure of fall back to a required literal, or to no ripgrep at all', () => {
    assert.deepEqual(ripgrepQuery(compilePattern('import (?=x)')), ['--fixed-strings', '--regexp', 'import ']);
    assert.equal(ripgrepQuery(compilePattern('(?=[A-Z])\\w+')), undefined);
  });

  // Lines where JavaScript's and Rust's regex dialects part ways: line terminators, invalid UTF-8, a BOM, case
  // folding outside ASCII, word boundaries next to non-ASCII letters.
  const tricky: Record<string, string | Buffer> = {
    'crlf.txt': 'alpha end\r\nbeta\r\n',
    'cr.txt': 'one\rtwo end\rthree',
    'ls.txt': 'first\u2028second end\u2029third',
    'bom.txt': '\uFEFFalpha start',
    'invalid.txt': Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' bytes alpha\n')]),
    'kelvin.txt': 'Kelvin \u212A and long \u017F and straße\n',
    'accents.txt': 'caféalpha é-word naïve\n',
    'tabs.txt': '\tindented\tvalue = 42;\n',
    'nul.txt': Buffer.from('text before\0after alpha\n'),
    'truncated.txt': Buffer.concat([Buffer.from('q'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('q\n')]),
    'emoji.txt': 'a\u{1F600}b and x\u00A0y and z\u0085w\n',
    'spaces.txt': 'key =\tvalue end\n\n   \nlast\r\n',
  };
  const patterns: Pattern[] = [
    'alpha', '^alpha', 'end$', '^two', '^second', 'third$', 'start$', '\\balpha\\b', '\\Balpha', 'caf\\w*',
    { source: 'kelvin', flags: 'i' }, { source: 'STRASSE', flags: 'i' }, { source: 'long s', flags: 'i' }, '\\w+',
    '\\d+', '[a-z]+\\t', 'é', '\\u00e9-word', 'bytes', 'before', 'after', { source: 'ALPHA', flags: 'i' }, 'x*',
    '(one|three)$', '(?<word>naïve)', 'a{2}', '[é]', '\\x41', 'e\\b',
    'q.q', 'q\\Wq', 'q[^a]q', 'a..b', 'a.b', 'bad . bytes', 'caf.alpha', '[^ ]+ end', '\\s+end', '\\S+ and', '\\W+word', '\\D+42', 'x\\sy', 'z\\Sw',
    'first.second', '[^x]{2}b', '^\\s*$', '^$', '[^\\r\\n]+', '[^\\w\\s]', '\\w\\W\\w', '[\\S]+ end', { source: '[^a-z]ELVIN', flags: 'i' },
  ];
  let map: FileMap;
  before(async () => {
    map = await FileMap.load(tempTree(tricky), { ripgrep: RG, cacheBytes: 0 });
  });
  for (const pattern of patterns) {
    test(`identical on tricky lines: ${JSON.stringify(pattern)}`, async () => {
      const picked = await compare(map, pattern);
      assert.equal(picked.ripgrep, true, 'ripgrep picked the files');
    });
  }
});

describe('ripgrep path on a real tree (this project’s node_modules)', () => {
  let map: FileMap;
  before(async () => {
    map = await FileMap.load(path.resolve(__dirname, '../../../node_modules'), { ripgrep: RG, cacheBytes: 0 });
    assert.ok(map.size > 5000, `only ${map.size} files`);
  });
  const cases: { pattern: Pattern; options?: GrepOptions; via: 'regex' | 'literal' | 'none' }[] = [
    { pattern: 'class \\w+Error', via: 'regex' },
    { pattern: 'TODO|FIXME|XXX', via: 'regex' },
    { pattern: '[A-Z][a-z]+Exception\\b', via: 'regex' },
    { pattern: { source: 'copyright \\(c\\)', flags: 'i' }, via: 'regex' },
    { pattern: '\\d{4}-\\d{2}-\\d{2}', via: 'regex' },
    { pattern: '^export (function|const|class) \\w+', via: 'regex' },
    { pattern: '(?<kind>const|let) \\w+ = require\\(', via: 'regex' },
    { pattern: 'function\\s+\\w+\\(', via: 'regex' },
    { pattern: 'import .* from', via: 'regex' },
    { pattern: '[^\\x00-\\x7f]', via: 'regex' },
    { pattern: '(?<!\\.)require\\(', via: 'literal' },
    { pattern: '(?=[A-Z])\\w+Exception', via: 'literal' },
    { pattern: '(?=[A-Z])[A-Z]\\w{40}', via: 'none' },
    { pattern: 'license', options: { glob: '*.md', ignoreCase: true }, via: 'regex' },
    { pattern: 'setTimeout', options: { maxResults: 50 }, via: 'regex' },
    { pattern: 'module\\.exports', options: { context: 2, glob: '**/lib/**' }, via: 'regex' },
  ];
  for (const c of cases) {
    test(`identical: ${JSON.stringify(c.pattern)} ${JSON.stringify(c.options ?? {})}`, async () => {
      const picked = await compare(map, c.pattern, c.options);
      assert.equal(picked.ripgrep, c.via === 'none' ? undefined : true);
      if (c.via !== 'none' && !c.options?.maxResults) {
        assert.equal((await grep(map, c.pattern, { maxResults: ALL, ...c.options })).ripgrep, true, 'used by default on a large tree');
      }
      if (c.via !== 'none') assert.ok(picked.matches.length > 0, 'a pattern that finds something');
    });
  }
});

describe('ripgrep path keeps the map’s rules', () => {
  let root: string;
  let map: FileMap;
  before(async () => {
    root = tempTree({
      '.gitignore': 'build/\n',
      '.env': 'NEEDLE_TOKEN=abc\n',
      'keys/server.pem': 'NEEDLE in a key\n',
      'build/out.js': 'const NEEDLE = 1;\n',
      'src/a.ts': 'export const NEEDLE = 1;\n',
      'src/b.ts': 'export const other = 2;\n',
      'lib/c.ts': 'NEEDLE again\n',
    });
    map = await FileMap.load(root, { ripgrep: RG, cacheBytes: 0 });
  });

  test('secrets and ignored files are never matched', async () => {
    const picked = await compare(map, 'NEEDLE');
    assert.equal(picked.ripgrep, true);
    assert.deepEqual(picked.matches.map((m) => m.path), ['lib/c.ts', 'src/a.ts']);
  });

  test('a scope searches only its files', async () => {
    const scoped = map.subset(['src/a.ts', 'src/b.ts']);
    const picked = await compare(scoped, 'NEEDLE');
    assert.equal(picked.ripgrep, true);
    assert.deepEqual(picked.matches.map((m) => m.path), ['src/a.ts']);
  });

  test('unsaved editors are searched as the user sees them, not as saved', async () => {
    assert.ok(map.setUnsaved('src/b.ts', 'export const other = 2;\nconst NEEDLE = "typed, not saved";\n'));
    assert.ok(map.setUnsaved(path.join(root, 'src/a.ts'), 'export const renamed = 1;\n'));
    assert.equal(map.setUnsaved('.env', 'NEEDLE'), false, 'a secret cannot be let in through an editor');
    try {
      const picked = await compare(map, 'NEEDLE');
      assert.equal(picked.ripgrep, true);
      assert.deepEqual(picked.matches.map((m) => `${m.path}:${m.line}`), ['lib/c.ts:1', 'src/b.ts:2']);
      assert.equal(map.readTextSync('src/a.ts'), 'export const renamed = 1;\n');
    } finally {
      map.setUnsaved('src/a.ts', undefined);
      map.setUnsaved('src/b.ts', undefined);
    }
    assert.deepEqual((await grep(map, 'NEEDLE', { ripgrep: true })).matches.map((m) => m.path), ['lib/c.ts', 'src/a.ts']);
  });

  test('an unsaved text found by grep is not kept once the editor is saved or closed', async () => {
    const cached = await FileMap.load(root, { ripgrep: RG });
    cached.setUnsaved('src/b.ts', 'const NEEDLE = "unsaved";\n');
    assert.deepEqual((await grep(cached, 'NEEDLE')).matches.map((m) => m.path), ['lib/c.ts', 'src/a.ts', 'src/b.ts']);
    const combined = FileMap.combine([{ name: 'app', map: cached }]);
    assert.deepEqual(grepSync(combined, 'unsaved').matches.map((m) => m.path), ['app/src/b.ts']);
    cached.setUnsaved('src/b.ts', undefined);
    assert.deepEqual((await grep(cached, 'NEEDLE')).matches.map((m) => m.path), ['lib/c.ts', 'src/a.ts']);
    assert.deepEqual(grepSync(combined, 'unsaved').matches, []);
    assert.equal(cached.readTextSync('src/b.ts'), 'export const other = 2;\n');
  });

  test('without a working ripgrep, grep reads the files itself and finds the same', async () => {
    const fake = path.join(root, 'not-rg.sh');
    fs.writeFileSync(fake, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    for (const binary of [fake, path.join(root, 'missing-rg')]) {
      const other = await FileMap.load(root, { ripgrep: binary, cacheBytes: 0, exclude: ['not-rg.sh'] });
      const result = await grep(other, 'NEEDLE', { ripgrep: true });
      assert.equal(result.ripgrep, undefined, binary);
      assert.deepEqual(result.matches.map((m) => m.path), ['lib/c.ts', 'src/a.ts']);
    }
  });
});
