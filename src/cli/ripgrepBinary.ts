import * as path from 'node:path';
import { executableAt } from '../core/workspace/ripgrep';

let found: { binary: string | undefined } | undefined;

/**
 * The ripgrep the CLI's grep uses to pick files: `RECURSE_RIPGREP` (a path, or `off`), else the binary of the
 * `@vscode/ripgrep-universal` dependency (shipped in the package, nothing downloaded), else `rg` on the PATH.
 */
export function cliRipgrep(): string | undefined {
  found ??= { binary: locate() };
  return found.binary;
}

function locate(): string | undefined {
  const chosen = process.env.RECURSE_RIPGREP;
  if (chosen === 'off') return undefined;
  if (chosen) return executableAt(path.resolve(chosen));
  return fromPackage() ?? onPath();
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
