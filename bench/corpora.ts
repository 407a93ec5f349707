// Benchmark corpora: real source trees installed from Debian packages, so every run measures the same bytes.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type CorpusName = 'linux' | 'go' | 'python' | 'java' | 'python-install';
export const CORPUS_NAMES: readonly CorpusName[] = ['linux', 'go', 'python', 'java', 'python-install'];

/** One grep query run against both our grep and rg. */
export interface GrepCase {
  label: string;
  /** Regex source in the dialect both engines accept (rg's Rust regex ∩ JS RegExp). */
  pattern: string;
  ignoreCase?: boolean;
}

export interface Corpus {
  name: CorpusName;
  root: string;
  debianPackage: string;
  cases: GrepCase[];
  symbols: { rare: string; common: string };
}

export interface UnavailableCorpus {
  name: CorpusName;
  reason: string;
}

interface CorpusSpec {
  debianPackage: string;
  /** Where the package puts the tree, or (for tarballs) the archive to extract into the cache. */
  locate(cacheDir: string): { root: string } | { archive: string; root: string; topDir: string };
  /** Definition names for the symbol benchmark: one defined once or twice, one defined in many files. */
  symbols: { rare: string; common: string };
  cases: GrepCase[];
  /** Idempotent fix-ups applied to the tree after it is in place. */
  prepare?(root: string): void;
}

const NO_MATCH = 'zqxj_recurse_bench_no_such_token_42';

const SPECS: Record<CorpusName, CorpusSpec> = {
  linux: {
    debianPackage: 'linux-source-6.1',
    locate: (cacheDir) => ({
      archive: '/usr/src/linux-source-6.1.tar.xz',
      root: path.join(cacheDir, 'linux-source-6.1'),
      topDir: 'linux-source-6.1',
    }),
    cases: [
      { label: 'common literal', pattern: 'EXPORT_SYMBOL' },
      { label: 'rare literal', pattern: 'ext4_fill_super' },
      { label: 'regex', pattern: 'static\\s+int\\s+\\w+_init\\(' },
      { label: 'case-insensitive', pattern: 'spin_lock_irqsave', ignoreCase: true },
      { label: 'no match', pattern: NO_MATCH },
    ],
    symbols: { rare: 'ext4_fill_super', common: 'DRV_NAME' },
    prepare: dropDebianTopLevelIgnore,
  },
  go: {
    debianPackage: 'golang-1.19-src',
    locate: () => ({ root: '/usr/share/go-1.19/src' }),
    cases: [
      { label: 'common literal', pattern: 'err != nil' },
      { label: 'rare literal', pattern: 'parseOperand' },
      { label: 'regex', pattern: 'func \\(\\w+ \\*\\w+\\) String\\(\\) string' },
      { label: 'case-insensitive', pattern: 'deprecated', ignoreCase: true },
      { label: 'no match', pattern: NO_MATCH },
    ],
    symbols: { rare: 'parseOperand', common: 'init' },
  },
  python: {
    debianPackage: 'libpython3.11-stdlib',
    locate: () => ({ root: '/usr/lib/python3.11' }),
    cases: [
      { label: 'common literal', pattern: 'import ' },
      { label: 'rare literal', pattern: '_compile_charset' },
      { label: 'regex', pattern: 'def\\s+_\\w+\\(self,\\s*\\w+\\)' },
      { label: 'case-insensitive', pattern: 'deprecated', ignoreCase: true },
      { label: 'no match', pattern: NO_MATCH },
    ],
    symbols: { rare: '_compile_charset', common: '__init__' },
  },
  // The machine's whole Python install (the interpreter's stdlib folder with its site-packages): the tree issue 21's
  // figures were taken on (31,905 files, 13,353 .py with pyenv's 3.11.7).
  'python-install': {
    debianPackage: 'python3',
    locate: () => ({ root: pythonStdlib() }),
    cases: [
      { label: 'common literal', pattern: 'import ' },
      { label: 'rare literal', pattern: '_compile_charset' },
      { label: 'class names', pattern: 'class \\w+Error\\(' },
      { label: 'case-insensitive', pattern: 'deprecated', ignoreCase: true },
      { label: 'no match', pattern: NO_MATCH },
    ],
    symbols: { rare: '_compile_charset', common: '__init__' },
  },
  java: {
    debianPackage: 'openjdk-17-source',
    // src.zip holds one directory per module (java.base/, java.desktop/...) at its top level.
    locate: (cacheDir) => ({ archive: '/usr/lib/jvm/openjdk-17/lib/src.zip', root: path.join(cacheDir, 'openjdk-17-src'), topDir: '' }),
    cases: [
      { label: 'common literal', pattern: 'public static' },
      { label: 'rare literal', pattern: 'parseUnsignedLong' },
      { label: 'regex', pattern: 'public\\s+\\w+\\s+get\\w+\\(\\)' },
      { label: 'case-insensitive', pattern: 'deprecated', ignoreCase: true },
      { label: 'no match', pattern: NO_MATCH },
    ],
    symbols: { rare: 'ConcurrentSkipListMap', common: 'toString' },
  },
};

type Log = (line: string) => void;

/** `python3`'s stdlib folder (site-packages inside it), or a path that does not exist. */
function pythonStdlib(): string {
  const r = spawnSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '/nonexistent/python3-stdlib';
}

/**
 * Debian's linux-source tarball appends `/*` + `!/debian/` to the top-level .gitignore (their packaging repo
 * tracks only debian/), which would make any .gitignore-honouring walker — ours and rg alike — see an empty
 * tree. Removing that stanza restores the upstream kernel's ignore rules, i.e. what a kernel checkout looks like.
 */
function dropDebianTopLevelIgnore(root: string): void {
  const file = path.join(root, '.gitignore');
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  const marker = text.indexOf('# Debian packaging');
  if (marker < 0) return;
  const start = text.lastIndexOf('\n#\n', marker);
  fs.writeFileSync(file, text.slice(0, start < 0 ? marker : start + 1));
}

let aptUpdated = false;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function packageInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** apt-get install, updating the package lists once per run; returns an error message or undefined. */
function aptInstall(pkg: string, log: Log): string | undefined {
  if (!hasCommand('apt-get')) return `apt-get not found (install ${pkg} manually)`;
  if (!isRoot()) return `not root: run \`sudo apt-get install -y ${pkg}\` first`;
  try {
    if (!aptUpdated) {
      log('apt-get update ...');
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      aptUpdated = true;
    }
    log(`apt-get install -y ${pkg} ...`);
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return undefined;
  } catch (e) {
    return `apt-get install ${pkg} failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/**
 * Extracts into a sibling temp dir and renames at the end, so an interrupted extraction never
 * leaves a half tree that a later run would mistake for the corpus.
 */
function extractOnce(archive: string, root: string, topDir: string, log: Log): string | undefined {
  if (fs.existsSync(root)) return undefined;
  const cacheDir = path.dirname(root);
  const staging = path.join(cacheDir, `.extract-${topDir}-${process.pid}`);
  fs.mkdirSync(staging, { recursive: true });
  log(`extracting ${archive} into ${root} (once; takes a minute) ...`);
  try {
    if (archive.endsWith('.zip')) execFileSync('unzip', ['-q', archive, '-d', staging], { stdio: 'ignore' });
    else execFileSync('tar', ['-xJf', archive, '-C', staging], { stdio: 'ignore' });
    fs.renameSync(topDir ? path.join(staging, topDir) : staging, root);
    return undefined;
  } catch (e) {
    return `extracting ${archive} failed: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Makes the corpus available (installing/extracting if needed) or explains why it cannot be. */
export function ensureCorpus(name: CorpusName, cacheDir: string, log: Log): Corpus | UnavailableCorpus {
  const spec = SPECS[name];
  let where = spec.locate(cacheDir);
  const present = () => ('archive' in where ? fs.existsSync(where.root) || fs.existsSync(where.archive) : fs.existsSync(where.root));
  if (!present() && !packageInstalled(spec.debianPackage)) {
    const err = aptInstall(spec.debianPackage, log);
    if (err) return { name, reason: err };
    where = spec.locate(cacheDir);
  }
  if ('archive' in where) {
    if (!fs.existsSync(where.root)) {
      if (!fs.existsSync(where.archive)) return { name, reason: `${where.archive} missing after installing ${spec.debianPackage}` };
      fs.mkdirSync(cacheDir, { recursive: true });
      const err = extractOnce(where.archive, where.root, where.topDir, log);
      if (err) return { name, reason: err };
    }
  } else if (!fs.existsSync(where.root)) {
    return { name, reason: `${where.root} missing (package ${spec.debianPackage})` };
  }
  spec.prepare?.(where.root);
  return { name, root: where.root, debianPackage: spec.debianPackage, cases: spec.cases, symbols: spec.symbols };
}

/** Path to rg, installing the Debian package if needed; an Error if it cannot be had. */
export function ensureRipgrep(log: Log): string | Error {
  if (!hasCommand('rg')) {
    const err = aptInstall('ripgrep', log);
    if (err) return new Error(err);
  }
  return hasCommand('rg') ? 'rg' : new Error('rg not on PATH after installing ripgrep');
}

export function hasCtags(): boolean {
  return hasCommand('ctags');
}

export function isUnavailable(c: Corpus | UnavailableCorpus): c is UnavailableCorpus {
  return 'reason' in c;
}

/** `--corpus a,b` (or `all`) from a bench script's arguments; `fallback` without the flag. */
export function corporaFromArgs(argv: string[], fallback: CorpusName[]): CorpusName[] {
  const i = argv.indexOf('--corpus');
  if (i === -1) return fallback;
  const v = argv[i + 1] ?? '';
  return v === 'all' ? [...CORPUS_NAMES] : (v.split(',') as CorpusName[]);
}

/** The corpora that can be had (installed on first use), in order; each one that cannot is logged and left out. */
export function availableCorpora(names: CorpusName[], cacheDir: string, log: Log): Corpus[] {
  const out: Corpus[] = [];
  for (const name of names) {
    const corpus = ensureCorpus(name, cacheDir, log);
    if (isUnavailable(corpus)) log(`${name}: skipped (${corpus.reason})`);
    else out.push(corpus);
  }
  return out;
}
