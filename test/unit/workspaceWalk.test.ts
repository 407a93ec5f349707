import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { FileMap } from '../../src/core/workspace/fileMap';
import { grep } from '../../src/core/workspace/grep';
import { SECRET_PATTERNS, isSecretPath } from '../../src/core/workspace/secrets';

/** Writes `files` (relative path → content) under a fresh temp dir and returns its path. */
function makeTree(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return root;
}

const roots: string[] = [];
function tree(files: Record<string, string | Buffer>): string {
  const root = makeTree(files);
  roots.push(root);
  return root;
}
after(() => {
  for (const r of roots) {
    try {
      fs.chmodSync(r, 0o755);
    } catch {}
    fs.rmSync(r, { recursive: true, force: true });
  }
});

const paths = (map: FileMap): string[] => map.files().map((f) => f.path);

describe('ignore rules', () => {
  test('nested .gitignore applies to its subtree, relative to its own directory, with negations', async () => {
    const root = tree({
      '.gitignore': 'build/\n*.log\n!keep.log\n',
      'keep.log': 'kept by negation',
      'debug.log': 'ignored',
      'build/out.js': 'ignored dir',
      'src/a.ts': 'a',
      'src/.gitignore': '/local.ts\ngen/\n!build/\n*.tmp\n',
      'src/local.ts': 'anchored to src/',
      'src/deep/local.ts': 'not anchored there',
      'src/gen/x.ts': 'ignored',
      'src/build/y.js': 're-included by deeper negation',
      'src/x.tmp': 'ignored',
      'other/x.tmp': 'not under src/.gitignore',
      'other/local.ts': 'not under src/.gitignore',
    });
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), [
      '.gitignore',
      'keep.log',
      'other/local.ts',
      'other/x.tmp',
      'src/.gitignore',
      'src/a.ts',
      'src/build/y.js',
      'src/deep/local.ts',
    ]);
    // Pruned entries count once each: debug.log, build/, src/local.ts, src/gen/, src/x.tmp.
    assert.equal(map.skipped.counts.ignored, 5);
    assert.ok(map.skipped.examples.ignored!.includes('build'));
  });

  test('patterns are case-sensitive on Linux, like git there', { skip: process.platform === 'win32' || process.platform === 'darwin' ? 'git ignores case by default here' : false }, async () => {
    const root = tree({
      '.gitignore': '*.s\nperf\n',
      'arch/boot.S': 'asm',
      'arch/gen.s': 'generated',
      'tools/Perf/x.c': 'int x;',
      'tools/perf/y.c': 'int y;',
    });
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['.gitignore', 'arch/boot.S', 'tools/Perf/x.c']);
  });

  test('.git/info/exclude, .recurseignore and user exclude globs', async () => {
    const root = tree({
      '.git/info/exclude': 'excluded.txt\n',
      '.git/HEAD': 'ref: refs/heads/main',
      '.recurseignore': 'fixtures/\n',
      'excluded.txt': 'x',
      'fixtures/big.json': '{}',
      'vendor/lib.js': 'v',
      'src/a.ts': 'a',
      'src/a.test.ts': 't',
      'node_modules/pkg/index.js': 'not ignored: no .gitignore says so',
    });
    const map = await FileMap.load(root, { exclude: ['vendor/', '*.test.ts'] });
    assert.deepEqual(paths(map), ['.recurseignore', 'node_modules/pkg/index.js', 'src/a.ts']);
    assert.equal(map.skipped.counts.ignored, 4);
    assert.equal(map.skipped.counts.secret, 1); // .git itself
  });
});

describe('secrets', () => {
  const secretFiles = [
    '.env',
    '.env.production',
    'config/server.pem',
    'tls/private.key',
    'cert.p12',
    'cert.pfx',
    'release.keystore',
    'id_rsa',
    'keys/id_rsa.pub',
    'id_ed25519',
    '.npmrc',
    'home/.netrc',
    '.pypirc',
    'credentials.json',
    'gcp/credentials-prod.json',
    '.aws/credentials',
    'deploy/.ssh/config',
    'sub/.git/config',
  ];

  test('every pattern is covered and matched at any depth', () => {
    for (const p of secretFiles) assert.ok(isSecretPath(p), p);
    for (const p of secretFiles) assert.ok(isSecretPath('deep/er/' + p), 'deep/er/' + p);
    for (const p of ['src/env.ts', '.environment', 'key.ts', 'credentials/readme.md', 'src/.github/ci.yml', '.gitignore']) {
      assert.equal(isSecretPath(p), false, p);
    }
    assert.ok(isSecretPath('./src\\.env'));
    assert.ok(SECRET_PATTERNS.includes('.env') && SECRET_PATTERNS.includes('.ssh/'));
  });

  test('never listed, read, resolved or grepped — even when a .gitignore negation re-includes them', async () => {
    const files: Record<string, string> = { 'src/app.ts': 'const SECRET_TOKEN = process.env.X;\n' };
    for (const p of secretFiles) files[p] = 'SECRET_TOKEN=hunter2\n';
    files['.gitignore'] = secretFiles.map((p) => '!' + p).join('\n') + '\n!.env\n!*.pem\n!.ssh/\n';
    const root = tree(files);
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['.gitignore', 'src/app.ts']);
    // One count per entry pruned at its top: .aws/, deploy/.ssh/ and sub/.git/ count as directories.
    assert.equal(map.skipped.counts.secret, secretFiles.length);
    for (const p of secretFiles) {
      assert.equal(map.resolve(p), undefined, p);
      assert.equal(map.get(p), undefined, p);
      await assert.rejects(map.readText(p), /not in workspace/);
    }
    const found = await grep(map, 'hunter2|SECRET_TOKEN');
    assert.deepEqual(found.matches.map((m) => m.path), ['src/app.ts']);
    assert.equal((await grep(map, 'hunter2')).matches.length, 0);
  });

  test('a symlink pointing at a secret is a secret', async () => {
    const root = tree({ '.env': 'A=1', 'a.ts': 'x' });
    fs.symlinkSync('.env', path.join(root, 'notes.txt'));
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['a.ts']);
    assert.equal(map.skipped.counts.secret, 2);
  });
});

describe('skipped files', () => {
  test('binary (NUL in the first 8 KiB) is skipped; NUL later is not', async () => {
    const late = Buffer.concat([Buffer.alloc(9000, 'a'), Buffer.from([0]), Buffer.from('\n')]);
    const root = tree({ 'img.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), 'late.txt': late, 'a.txt': 'hello\n' });
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['a.txt', 'late.txt']);
    assert.deepEqual(map.skipped.counts, { binary: 1 });
    assert.deepEqual(map.skipped.examples.binary, ['img.png']);
    assert.equal(map.skipped.total, 1);
  });

  test('on a tree measured by worker threads, a large binary is skipped after its first 8 KiB, a late NUL still is text', async () => {
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 600; i++) files[`src/f${String(i).padStart(3, '0')}.txt`] = `line ${i}\n`;
    files['cache/blob.pyc'] = Buffer.concat([Buffer.from([0x6f, 0x0d, 0x0d, 0x0a, 0, 0]), Buffer.alloc(200_000, 'x')]);
    files['late.txt'] = Buffer.concat([Buffer.alloc(9000, 'a'), Buffer.from([0]), Buffer.from('\n')]);
    files['huge.bin'] = Buffer.concat([Buffer.from([0]), Buffer.alloc(2 * 1024 * 1024, 1)]);
    const map = await FileMap.load(tree(files));
    assert.equal(map.size, 601);
    assert.ok(map.get('late.txt'), 'a NUL past the first 8 KiB does not make a file binary');
    assert.deepEqual(map.skipped.counts, { binary: 1, 'too-large': 1 }, 'too large is told before binary, as on the main thread');
    assert.deepEqual(map.skipped.examples.binary, ['cache/blob.pyc']);
  });

  test('too-large with a custom cap', async () => {
    const root = tree({ 'big.txt': 'x'.repeat(2000), 'edge.txt': 'y'.repeat(1000), 'small.txt': 'ok' });
    const map = await FileMap.load(root, { maxFileBytes: 1000 });
    assert.deepEqual(paths(map), ['edge.txt', 'small.txt']);
    assert.deepEqual(map.skipped.counts, { 'too-large': 1 });
    const def = await FileMap.load(tree({ 'mb.txt': 'z'.repeat(1024 * 1024 + 1), 'ok.txt': 'z'.repeat(1024 * 1024) }));
    assert.deepEqual(paths(def), ['ok.txt']);
  });

  test('invalid UTF-8 is included and decoded with U+FFFD', async () => {
    const root = tree({ 'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x6f, 0x6b]) });
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['latin1.txt']);
    assert.equal(map.get('latin1.txt')!.lines, 2);
    assert.equal(await map.readText('latin1.txt'), 'caf\uFFFD\nok');
    assert.equal((await grep(map, 'caf.$')).matches[0].text, 'caf\uFFFD');
  });

  test('examples are capped at five per reason, counts are not', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 12; i++) files[`bin${String(i).padStart(2, '0')}.dat`] = Buffer.from([1, 0, 2]);
    const map = await FileMap.load(tree(files));
    assert.equal(map.skipped.counts.binary, 12);
    assert.deepEqual(map.skipped.examples.binary, ['bin00.dat', 'bin01.dat', 'bin02.dat', 'bin03.dat', 'bin04.dat']);
  });
});

describe('symlinks', () => {
  test('inside the root: followed; loops terminate; outside the root: skipped', async () => {
    const outside = tree({ 'leak.txt': 'outside' });
    const root = tree({ 'src/a.ts': 'export const a = 1;\n', 'docs/readme.md': '# hi\n' });
    fs.symlinkSync(path.join(root, 'src'), path.join(root, 'alias'));
    fs.symlinkSync('../src/a.ts', path.join(root, 'docs/a-link.ts'));
    fs.symlinkSync('..', path.join(root, 'src/up')); // loop back to the root
    fs.symlinkSync('self', path.join(root, 'self')); // a link to itself
    fs.symlinkSync(path.join(outside, 'leak.txt'), path.join(root, 'leak.txt'));
    fs.symlinkSync(outside, path.join(root, 'outdir'));
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['alias/a.ts', 'docs/a-link.ts', 'docs/readme.md', 'src/a.ts']);
    assert.deepEqual(map.skipped.counts, { 'symlink-loop': 3, 'symlink-outside': 2 });
    assert.deepEqual(map.skipped.examples['symlink-loop'], ['alias/up', 'self', 'src/up']);
    assert.equal(await map.readText('alias/a.ts'), 'export const a = 1;\n');
  });

  test('a symlinked root is followed', async () => {
    const real = tree({ 'a.txt': 'a' });
    const link = real + '-link';
    fs.symlinkSync(real, link);
    roots.push(link);
    const map = await FileMap.load(link);
    assert.deepEqual(paths(map), ['a.txt']);
    assert.equal(map.resolve(path.join(link, 'a.txt')), 'a.txt');
    assert.equal(map.resolve(path.join(fs.realpathSync(real), 'a.txt')), 'a.txt');
  });
});

describe('unreadable entries', () => {
  test('dangling symlinks and FIFOs are counted as unreadable', async () => {
    const root = tree({ 'a.txt': 'a' });
    fs.symlinkSync('missing.txt', path.join(root, 'dangling.txt'));
    let fifo = false;
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe')]);
      fifo = true;
    } catch {
      // no mkfifo on this system: the dangling link alone exercises the path
    }
    const map = await FileMap.load(root);
    assert.deepEqual(paths(map), ['a.txt']);
    assert.equal(map.skipped.counts.unreadable, fifo ? 2 : 1);
  });

  test('chmod 000 file and directory are counted as unreadable', { skip: process.getuid?.() === 0 ? 'running as root: permissions do not block reads' : false }, async () => {
    const root = tree({ 'a.txt': 'a', 'secret-ish.txt': 'no access', 'locked/b.txt': 'b' });
    fs.chmodSync(path.join(root, 'secret-ish.txt'), 0o000);
    fs.chmodSync(path.join(root, 'locked'), 0o000);
    try {
      const map = await FileMap.load(root);
      assert.deepEqual(paths(map), ['a.txt']);
      assert.equal(map.skipped.counts.unreadable, 2);
    } finally {
      fs.chmodSync(path.join(root, 'locked'), 0o755);
    }
  });
});

describe('load', () => {
  test('paths are sorted POSIX, with sizes, line counts and languages; progress is reported', async () => {
    const root = tree({
      'b.py': 'print(1)\nprint(2)\n',
      'a/z.go': 'package z',
      'a/Makefile': 'all:\n\techo\n\n',
      'empty.txt': '',
      'one-newline.md': '\n',
      'crlf.c': 'int a;\r\nint b;\r\n',
    });
    const seen: number[] = [];
    const map = await FileMap.load(root, { onProgress: (n) => seen.push(n) });
    for (const f of map.files()) assert.equal(f.mtimeMs, fs.statSync(path.join(root, f.path)).mtimeMs, `${f.path}: modification time as loaded`);
    assert.deepEqual(map.files().map(({ mtimeMs: _, ...f }) => f), [
      { path: 'a/Makefile', size: 12, lines: 3, language: 'makefile' },
      { path: 'a/z.go', size: 9, lines: 1, language: 'go' },
      { path: 'b.py', size: 18, lines: 2, language: 'python' },
      { path: 'crlf.c', size: 16, lines: 2, language: 'c' },
      { path: 'empty.txt', size: 0, lines: 0, language: 'text' },
      { path: 'one-newline.md', size: 1, lines: 1, language: 'markdown' },
    ]);
    assert.equal(map.size, 6);
    assert.equal(map.root, path.resolve(root));
    assert.equal(seen[seen.length - 1], 6);
  });

  test('a missing root is a clear error; an aborted load rejects', async () => {
    await assert.rejects(FileMap.load(path.join(os.tmpdir(), 'recurse-no-such-dir-' + process.pid)), /workspace root is not a readable directory/);
    const root = tree({ 'a.txt': 'a' });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(FileMap.load(root, { signal: controller.signal }), /stop/);
  });
});
