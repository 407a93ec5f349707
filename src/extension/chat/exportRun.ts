import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadCore } from '../loadCore';
import type { RunRecords } from './runRecords';

export interface ExportRunArgs {
  /** A run of the chat (default: the last one). */
  runId?: string;
  /** Where to write the page (default: asked with a save dialog). */
  target?: vscode.Uri;
}

/**
 * "Recurse: Export Run as HTML…": the chat's last run (or the one named) as one self-contained page — question,
 * answer, citations, the tree of turns, cells, outputs and sub-calls with tokens and cost — to share or keep.
 */
export async function exportRun(records: RunRecords, log: vscode.LogOutputChannel, args: ExportRunArgs = {}): Promise<vscode.Uri | undefined> {
  const file = records.find(args.runId);
  if (!file) {
    void vscode.window.showInformationMessage('Recurse: there is no run to export yet. Ask a question first.');
    return undefined;
  }
  let page: string;
  try {
    page = loadCore().trajectoryPage(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch (err) {
    void vscode.window.showErrorMessage(`Recurse: cannot export the run: ${(err as Error).message}`);
    return undefined;
  }
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const target = args.target ?? (await vscode.window.showSaveDialog({
    title: 'Export Run as HTML',
    defaultUri: vscode.Uri.file(path.join(os.homedir(), `recurse-run-${stamp}.html`)),
    filters: { HTML: ['html'] },
  }));
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(page, 'utf8'));
  log.info(`exported ${path.basename(file, '.json')} to ${target.toString()}`);
  if (!args.target) {
    void vscode.window.showInformationMessage(`Recurse: exported the run to ${path.basename(target.fsPath)}.`, 'Open in Browser').then((choice) => {
      if (choice) void vscode.env.openExternal(target);
    });
  }
  return target;
}
