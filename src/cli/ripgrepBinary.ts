import * as path from 'node:path';
import { executableAt, ripgrepMajorVersion } from '../core/workspace/ripgrep';

let found: { binary: string | undefined } | undefined;

/** An older rg on the PATH may lack a flag grep passes (the package's binary is used instead). */
const MIN_PATH_VERSION = 13;

/**
 * The ripgrep the CLI's grep uses to pick files: `RECURSE_RIPGREP` (a path, or `off`), else the user's own `rg` on the
 * PATH when it is ripgrep 13 or later, else the binary of the `@vscode/ripgrep-universal` dependency (shipped in the
 * package, nothing downloaded). A distribution's rg, linked against the system's C library, searches faster than the
 * package's static build (the JDK's sources: ~165 vs ~200 ms for a common literal), and it is the rg the user knows.
 */
export function cliRipgrep(): string | undefined {
  found ??= { binary: locate() };
  return found.binary;
}

function locate(): string | undefined {
  const chosen = process.env.RECURSE_RIPGREP;
  if (chosen === 'off') return undefined;
  if (chosen) return executableAt(path.resolve(chosen));
  const own = onPath();
  if (own && (ripgrepMajorVersion(own) ?? 0) >= MIN_PATH_VERSION) return own;
  return fromPackage() ?? own;
}

function fromPackage(): string | undefined {
  try {
    const lib = require.resolve('@vscode/ripgrep-universal');
    const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
    return executableAt(path.join(path.dirname(path.dirname(lib)), 'bin', `${process.platform}-${process.arch}`, exe));
  } catch {
    return undefined;
  }
}

function onPath(): string | undefined {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && executableAt(path.join(dir, exe));
    if (candidate) return candidate;
  }
  return undefined;
}
