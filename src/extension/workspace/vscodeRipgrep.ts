import * as path from 'node:path';
import * as vscode from 'vscode';
import { executableAt } from '../../core/workspace/ripgrep';

let found: { binary: string | undefined } | undefined;

/**
 * The ripgrep VS Code itself ships and searches with (under `vscode.env.appRoot`; where it lives has moved between
 * releases), which grep then uses to pick the files to read. None found: grep reads every file itself.
 */
export function vscodeRipgrep(): string | undefined {
  found ??= { binary: locate() };
  return found.binary;
}

function locate(): string | undefined {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  const modules = ['node_modules', 'node_modules.asar.unpacked'].map((dir) => path.join(vscode.env.appRoot, dir, '@vscode'));
  const candidates = modules.flatMap((dir) => [
    path.join(dir, 'ripgrep-universal', 'bin', `${process.platform}-${process.arch}`, exe),
    path.join(dir, 'ripgrep', 'bin', exe),
  ]);
  for (const candidate of candidates) {
    const binary = executableAt(candidate);
    if (binary) return binary;
  }
  return undefined;
}
