import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CodeIndex } from '../../core/index/codeIndex';
import type { CodeSymbol } from '../../core/index/symbols/symbolIndex';

/** A file's path inside its folder, as the file map names it (forward slashes). */
export function folderRelativePath(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string | undefined {
  const rel = path.relative(folder.uri.fsPath, uri.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/**
 * What "Trace Dependencies" means at the cursor: the identifier under it — `path#name` when this file defines it
 * (so a same-named symbol elsewhere is not picked), else the bare name when the workspace defines it — otherwise the
 * innermost definition around the cursor, otherwise the file itself.
 */
export async function targetAtCursor(
  code: CodeIndex,
  folder: vscode.WorkspaceFolder,
  document: vscode.TextDocument,
  position: vscode.Position,
): Promise<string | undefined> {
  const rel = folderRelativePath(folder, document.uri);
  const inMap = rel !== undefined ? code.map.resolve(rel) : undefined;
  const defined: CodeSymbol[] = inMap !== undefined ? await code.symbols(inMap).catch(() => []) : [];
  const wordRange = document.getWordRangeAtPosition(position, /[A-Za-z_$][\w$]*/);
  const word = wordRange && document.getText(wordRange);
  if (word) {
    if (inMap !== undefined && defined.some((s) => s.name === word)) return `${inMap}#${word}`;
    if ((await code.findSymbol(word, { exact: true }).catch(() => [])).length > 0) return word;
  }
  const line = position.line + 1;
  const around = defined
    .filter((s) => s.line <= line && line <= s.endLine)
    .sort((a, b) => a.endLine - a.line - (b.endLine - b.line))[0];
  if (around && inMap !== undefined) return `${inMap}#${around.name}`;
  return inMap ?? word;
}
