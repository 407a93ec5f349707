import ignore, { type Ignore } from 'ignore';

/**
 * Whether ignore patterns match regardless of case. Git follows core.ignorecase, which defaults to
 * true only where file systems usually are caseless (Windows, macOS); on Linux `*.s` must not hide
 * `boot.S`, nor `perf` hide `Perf/`.
 */
export const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

/**
 * Gitignore rules for one directory of a walk, combining every source in precedence order
 * (later wins, as within a single .gitignore):
 *   .git/info/exclude  <  root .gitignore  <  nested .gitignore files (deeper later)  <  .recurseignore  <  user excludes
 *
 * Nested .gitignore files are re-based onto the root by prefixing their patterns with their
 * directory, so that one `ignore` instance evaluates the whole chain. That matters for negations:
 * with one instance per file, the package's own parent check would let a shallow `build/` veto a
 * deeper `!build/` for every file inside. Matching itself stays entirely in the `ignore` package.
 */
export class IgnoreRules {
  private matcher: Ignore | undefined;
  /** The package's own rule test, looked up once per rule set (a kernel's listing asks 83k times). */
  private ruleTest: ((path: string, mode: string) => { ignored?: unknown }) | null | undefined;

  /**
   * `base`: .git/info/exclude and the .gitignore chain down to here, compiled; `high`: .recurseignore and the user's
   * excludes, compiled once for the whole walk. A nested .gitignore compiles only its own lines: the package takes
   * another instance's compiled rules as they are (on the kernel, 306 .gitignore files under a 92-line root one).
   */
  private constructor(
    private readonly base: Ignore,
    private readonly high: Ignore,
  ) {}

  /** `low`: .git/info/exclude lines; `high`: .recurseignore lines then user globs. All root-relative. */
  static create(low: readonly string[], high: readonly string[]): IgnoreRules {
    return new IgnoreRules(ignore({ ignorecase: IGNORE_CASE }).add([...low]), ignore({ ignorecase: IGNORE_CASE }).add([...high]));
  }

  /** The rules for a directory at `dir` (root-relative POSIX, '' for the root) holding `gitignore`. */
  withGitignore(dir: string, gitignore: string): IgnoreRules {
    const scoped = scopeGitignore(gitignore, dir);
    if (scoped.length === 0) return this;
    return new IgnoreRules(ignore({ ignorecase: IGNORE_CASE }).add(this.base).add(scoped), this.high);
  }

  /**
   * `relPath` is root-relative POSIX; directories are asked about with `isDir` so 'build/' rules apply. The walk asks
   * about a path only once its parent directories were found not ignored (an ignored one is never entered), so the
   * path itself is matched against the rules, without the package's walk up its parents (a cache entry per path and
   * per ancestor, a quarter of a kernel listing's time).
   */
  ignores(relPath: string, isDir: boolean): boolean {
    const matcher = (this.matcher ??= ignore({ ignorecase: IGNORE_CASE }).add(this.base).add(this.high));
    if (this.ruleTest === undefined) {
      const rules = (matcher as unknown as { _rules?: { test?: (path: string, mode: string) => { ignored?: unknown } } })._rules;
      this.ruleTest = rules && typeof rules.test === 'function' ? rules.test.bind(rules) : null;
    }
    const path = isDir ? relPath + '/' : relPath;
    // A path the package would refuse ('/x', './x', '../x') goes through its own check below.
    if (this.ruleTest && !(path.charCodeAt(0) === 47 || (path.charCodeAt(0) === 46 && /^\.\.?(\/|$)/.test(path)))) {
      const verdict = this.ruleTest(path, 'regex');
      if (typeof verdict?.ignored === 'boolean') return verdict.ignored;
    }
    try {
      return matcher.ignores(path);
    } catch {
      // The package rejects a few legal names (e.g. '...'); such a name simply isn't ignored.
      return false;
    }
  }
}

/** Splits ignore-file text into pattern lines, dropping blanks and comments. */
export function patternLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/**
 * Rewrites a .gitignore found in `dir` so its patterns mean the same thing when matched against
 * root-relative paths: a pattern with a slash (other than a trailing one) is anchored to `dir`;
 * one without matches at any depth below `dir`.
 */
export function scopeGitignore(text: string, dir: string): string[] {
  const lines = patternLines(text);
  if (dir === '') return lines;
  return lines.map((line) => {
    const negated = line.startsWith('!');
    const body = negated ? line.slice(1) : line;
    const anchored = body.replace(/\/+\s*$/, '').includes('/');
    const scoped = anchored ? `${dir}/${body.replace(/^\/+/, '')}` : `${dir}/**/${body}`;
    return negated ? `!${scoped}` : scoped;
  });
}
