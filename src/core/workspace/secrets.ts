import picomatch from 'picomatch';

/**
 * Files that must never reach a model: not listed, not read, not grepped — at any depth.
 * Gitignore syntax, so the same list can feed other layers (citations, the extension's own excludes).
 * Directory patterns end with '/'; a plain file with such a name is denied too, since a caller's path
 * may not say whether it is a directory, and over-denying is the safe side.
 */
export const SECRET_PATTERNS: readonly string[] = Object.freeze([
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.keystore',
  'id_rsa*',
  'id_ed25519*',
  '.npmrc',
  '.netrc',
  '.pypirc',
  'credentials*.json',
  '.aws/',
  '.ssh/',
  '.git/',
]);

/**
 * Every pattern is a bare name (directory patterns only add '/'), so a path is secret exactly when
 * one of its segments matches one of them — which is also how the patterns behave in a .gitignore.
 * Compiled by picomatch into a single case-insensitive regex ('.ENV' is the same file on macOS and
 * Windows). Deliberately not an `ignore` instance: that caches every path it is asked about.
 */
const SECRET_SEGMENT = new RegExp(
  SECRET_PATTERNS.map((p) => picomatch.makeRe(p.replace(/\/$/, ''), { dot: true, nocase: true }).source).join('|'),
  'i',
);

/** True when a single file or directory name is a secret ('.env', 'id_rsa.pub', '.ssh'). */
export function isSecretName(name: string): boolean {
  return SECRET_SEGMENT.test(name);
}

/**
 * True when `relPath` (relative to a workspace root, '/' or '\\' separated) is, or lies inside, a
 * secret: 'a/.ssh/config' and 'deploy/.aws/credentials' are secrets.
 */
export function isSecretPath(relPath: string): boolean {
  return relPath.split(/[\\/]/).some((segment) => segment !== '' && segment !== '.' && segment !== '..' && SECRET_SEGMENT.test(segment));
}
