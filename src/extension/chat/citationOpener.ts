import * as vscode from 'vscode';
import { WorkspaceMaps } from '../workspace/workspaceMaps';

export type OpenResult = { opened: true; uri: string; range: [number, number] } | { opened: false; reason: string };

/**
 * Opens a cited range — but only for a path the folder's file map holds, so a webview (or a model writing into
 * it) can never make the editor open a secret, an ignored file or anything outside the workspace.
 */
export async function openCitation(
  maps: WorkspaceMaps,
  request: { path: string; startLine: number; endLine: number; folder?: string },
  fallbackFolder?: vscode.WorkspaceFolder,
): Promise<OpenResult> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  // A citation of a whole-workspace answer names its folder as the combined map does (see WorkspaceMaps.folderNamed).
  const folder = request.folder !== undefined ? WorkspaceMaps.folderNamed(request.folder) : fallbackFolder ?? folders[0];
  if (!folder) return { opened: false, reason: `no workspace folder ${request.folder ?? ''}`.trim() };
  const map = maps.current(folder);
  if (!map) return { opened: false, reason: `no file map for ${folder.name} yet` };
  const key = map.resolve(request.path);
  if (!key) return { opened: false, reason: `not a file of ${folder.name}'s file map: ${request.path}` };
  const uri = vscode.Uri.joinPath(folder.uri, ...key.split('/'));
  const document = await vscode.workspace.openTextDocument(uri);
  const last = Math.max(0, document.lineCount - 1);
  const start = Math.min(request.startLine - 1, last);
  const end = Math.min(Math.max(request.endLine - 1, start), last);
  const range = new vscode.Range(start, 0, end, document.lineAt(end).text.length);
  const editor = await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
  // Anchor at the end, cursor at the start: the cited range is selected and the cursor sits on its first line.
  editor.selection = new vscode.Selection(range.end, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return { opened: true, uri: uri.toString(), range: [start + 1, end + 1] };
}
