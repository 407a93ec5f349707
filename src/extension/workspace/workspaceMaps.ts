import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CodeIndex } from '../../core/index/codeIndex';
import type { FileMap } from '../../core/workspace/fileMap';
import { folderLabels } from '../../core/workspace/folderLabels';
import { loadCore } from '../loadCore';
import type { IndexPack } from '../../core/index/pack/indexPack';
import { excludePatterns, readSettings } from '../settings';
import { vscodeRipgrep } from './vscodeRipgrep';

interface Entry {
  map?: FileMap;
  /** Set by the file watcher or a settings change: the next question reloads the map first. */
  stale: boolean;
  loading?: Promise<FileMap>;
  watcher?: vscode.Disposable;
  /** Symbols and imports of `map`; rebuilt with the map (the on-disk symbol cache makes that cheap). */
  code?: { map: FileMap; index: CodeIndex };
  /**
   * While a folder's first load measures its files: the tree as soon as it is listed (a provisional map, see
   * FileMap.load's onListed), for questions that need not wait for the rest; undefined once the load is over.
   */
  listed?: Promise<FileMap | undefined>;
  /** A provisional map's code index: lookups search and parse on demand; it never builds (the complete map's does). */
  provisionalCode?: { map: FileMap; index: CodeIndex };
}

/** The whole multi-root workspace as one map, built from the folders' maps it was combined from. */
interface Combined {
  folders: string[];
  parts: FileMap[];
  map: FileMap;
  code?: CodeIndex;
}

/** How long a question waits, once the tree is listed, for the complete map before it starts on the provisional one. */
const LISTED_GRACE_MS = 300;
/**
 * Trees up to this many files are measured within about that time; a larger one starts on its listing at once.
 * RECURSE_SMALL_TREE_FILES sets it (0: every first question starts on the listing — how the tests exercise it).
 */
const SMALL_TREE_FILES = smallTreeFiles(process.env.RECURSE_SMALL_TREE_FILES);

function smallTreeFiles(value: string | undefined): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 3000;
}

/**
 * One FileMap per workspace folder, built on first use with a cancellable progress notification and reloaded
 * before the next question whenever a file watcher (or a settings change) says it may be out of date.
 */
export class WorkspaceMaps implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private whole: Combined | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Number of completed loads, by folder URI (tests observe reloads through it). */
  readonly loads = new Map<string, number>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) this.drop(f);
        this.dropCombined();
      }),
    );
  }

  /** The folder a question is about: the active editor's folder, else the first folder. */
  static pickFolder(): vscode.WorkspaceFolder | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return (uri && vscode.workspace.getWorkspaceFolder(uri)) || vscode.workspace.workspaceFolders?.[0];
  }

  /** The last map built for a folder, even if stale (citations of a finished answer refer to it). */
  current(folder: vscode.WorkspaceFolder): FileMap | undefined {
    return this.entries.get(folder.uri.toString())?.map;
  }

  isStale(folder: vscode.WorkspaceFolder): boolean {
    return this.entries.get(folder.uri.toString())?.stale ?? true;
  }

  /**
   * A current map for the folder, (re)loading it when missing or stale. With `provisional`, a folder's first load
   * answers as soon as the tree is listed, with a map still measuring its files (FileMap.measuring): a question
   * starts on it while the load goes on, and the code index starts on the complete map once it is there.
   */
  async get(folder: vscode.WorkspaceFolder, signal?: AbortSignal, options: { provisional?: boolean } = {}): Promise<FileMap> {
    if (folder.uri.scheme !== 'file') {
      throw new Error(`Recurse reads files from disk, and "${folder.name}" is not on the local file system (${folder.uri.scheme}:).`);
    }
    const key = folder.uri.toString();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { stale: true };
      this.entries.set(key, entry);
    }
    if (entry.map && !entry.stale) return withUnsavedEditors(entry.map);
    let loading = entry.loading;
    if (!loading) {
      const e = entry;
      e.stale = false; // changes seen while loading mark it stale again
      e.watcher ??= this.watch(folder, e);
      // Only a first load streams: a reload is quick (the snapshot spares the reads) and replaces a complete map.
      let listed: ((map: FileMap | undefined) => void) | undefined;
      e.listed = e.map ? undefined : new Promise<FileMap | undefined>((resolve) => (listed = resolve));
      loading = e.loading = this.load(folder, signal, listed).then(
        (map) => {
          e.map = map;
          e.loading = undefined;
          e.listed = undefined;
          listed?.(undefined);
          this.loads.set(key, (this.loads.get(key) ?? 0) + 1);
          // A question already started on the provisional map: the index it will want builds from now on.
          if (e.provisionalCode) this.codeIndex(folder, map);
          return map;
        },
        (err) => {
          e.stale = true;
          e.loading = undefined;
          e.listed = undefined;
          listed?.(undefined);
          throw err;
        },
      );
    }
    if (options.provisional && entry.listed) {
      const listed = await Promise.race([loading, entry.listed]);
      // A small tree is measured moments after it is listed: the complete map then, rather than a provisional one.
      const small = listed && listed.size <= SMALL_TREE_FILES;
      const complete = small ? await Promise.race([loading, new Promise<undefined>((resolve) => setTimeout(resolve, LISTED_GRACE_MS))]) : undefined;
      if (listed && !complete && listed.measuring) {
        this.log.info(`${folder.name}: starting on the listing of ${listed.size} files while they are measured`);
      }
      if (listed) return withUnsavedEditors(complete ?? listed);
    }
    return withUnsavedEditors(await loading);
  }

  /**
   * Every folder as one map (keys `folder/path`), for questions over the whole multi-root workspace. Built from the
   * folders' own maps — each reloaded first when stale — so it is as fresh as they are, and rebuilt whenever any of
   * them is.
   */
  async combined(folders: readonly vscode.WorkspaceFolder[], signal?: AbortSignal): Promise<FileMap> {
    const parts = await Promise.all(folders.map((f) => this.get(f, signal)));
    const keys = folders.map((f) => f.uri.toString());
    const cached = this.whole;
    if (cached && sameItems(cached.folders, keys) && sameItems(cached.parts, parts)) return cached.map;
    this.dropCombined();
    const map = loadCore().FileMap.combine(folders.map((f, i) => ({ name: f.name, map: parts[i] })), { name: vscode.workspace.name ?? 'workspace' });
    const renamed = (map.folders ?? []).filter((f) => f.renamedFrom !== undefined);
    this.log.info(`whole workspace: ${map.size} files in ${folders.length} folders` +
      (renamed.length ? `; folders renamed to stay distinct: ${renamed.map((f) => `${f.renamedFrom} → ${f.label}`).join(', ')}` : ''));
    this.whole = { folders: keys, parts, map };
    return map;
  }

  /** The last combined map, even if stale (citations of a finished answer refer to it). */
  currentCombined(): FileMap | undefined {
    return this.whole?.map;
  }

  /** The code index over a combined map: like `codeIndex`, one at a time, started in the background. */
  combinedCodeIndex(map: FileMap): CodeIndex {
    const whole = this.whole;
    if (whole?.map === map && whole.code) return whole.code;
    const index = new (loadCore().CodeIndex)(map);
    index.start();
    if (whole?.map === map) whole.code = index;
    return index;
  }

  /**
   * The folder a citation names: by its own name when no other folder has it, else by its label in the combined map
   * (`app-2` for the second folder named `app`), else the first folder of that name.
   */
  static folderNamed(name: string): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const named = folders.filter((f) => f.name === name);
    if (named.length === 1) return named[0];
    const labelled = folderLabels(folders.map((f) => f.name)).findIndex((l) => l.label === name);
    return labelled !== -1 ? folders[labelled] : named[0];
  }

  /**
   * The code index of a folder's current map, started in the background the first time it is asked for, so the
   * symbol index builds while the model works; a reloaded map gets a new one that reuses the disk cache.
   */
  codeIndex(folder: vscode.WorkspaceFolder, map: FileMap): CodeIndex {
    const entry = this.entries.get(folder.uri.toString());
    if (entry?.code?.map === map) return entry.code.index;
    if (map.measuring) {
      if (entry?.provisionalCode?.map === map) return entry.provisionalCode.index;
      entry?.provisionalCode?.index.dispose();
      const index = new (loadCore().CodeIndex)(map);
      index.warm(); // lookups parse on demand: their grammars load while the model writes its first cell
      if (entry) entry.provisionalCode = { map, index };
      return index;
    }
    entry?.code?.index.dispose();
    const index = new (loadCore().CodeIndex)(map, { pack: () => this.sharedPack(folder) });
    index.start();
    if (entry) entry.code = { map, index };
    return index;
  }

  /**
   * The team's shared index pack (recurse.sharedIndex: a file, or a directory whose newest .rpack is taken; relative
   * to the folder), read when a build finds files its cache lacks. A refused pack is said once, and the index is
   * then built here as usual.
   */
  private async sharedPack(folder: vscode.WorkspaceFolder): Promise<IndexPack | undefined> {
    const setting = readSettings(folder).sharedIndex;
    if (!setting) return undefined;
    const core = loadCore();
    const where = path.resolve(folder.uri.fsPath, setting.replace(/^~(?=$|[\\/])/, os.homedir()));
    const file = await core.locatePack(where);
    if (!file) {
      this.warnOnce(where, `Recurse: no index pack at ${where} (recurse.sharedIndex); building the index here.`);
      return undefined;
    }
    try {
      const started = Date.now();
      const pack = await core.readIndexPack(file);
      this.log.info(`shared index ${file} (made ${pack.createdAt}): ${pack.symbols.size} files' symbols, ${pack.imports.size} files' imports, read in ${Date.now() - started} ms` +
        (pack.notes.length ? `; ${pack.notes.join('; ')}` : ''));
      return pack;
    } catch (err) {
      this.warnOnce(file, `Recurse: ${(err as Error).message}. Building the index here instead.`);
      return undefined;
    }
  }

  private readonly warned = new Set<string>();

  private warnOnce(key: string, message: string): void {
    this.log.warn(message);
    if (this.warned.has(key)) return;
    this.warned.add(key);
    void vscode.window.showWarningMessage(message);
  }

  private dropCombined(): void {
    this.whole?.code?.dispose();
    this.whole = undefined;
  }

  /** Marks one folder's map (or all) out of date. */
  invalidate(folder?: vscode.WorkspaceFolder): void {
    for (const [key, entry] of this.entries) if (!folder || key === folder.uri.toString()) entry.stale = true;
  }

  private watch(folder: vscode.WorkspaceFolder, entry: Entry): vscode.Disposable {
    // Simplest correct: any change marks the map stale and the next question reloads it. Reloading is one walk
    // of the folder, and a question already costs far more than that.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
    const mark = () => {
      entry.stale = true;
    };
    watcher.onDidCreate(mark);
    watcher.onDidChange(mark);
    watcher.onDidDelete(mark);
    return watcher;
  }

  private async load(folder: vscode.WorkspaceFolder, signal?: AbortSignal, onListed?: (provisional: FileMap) => void): Promise<FileMap> {
    const settings = readSettings(folder);
    const exclude = excludePatterns(folder);
    const started = Date.now();
    const map = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Recurse: reading ${folder.name}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const abort = () => controller.abort();
        const sub = token.onCancellationRequested(abort);
        signal?.addEventListener('abort', abort, { once: true });
        if (signal?.aborted) abort();
        let lastReport = 0;
        // The code index made for this map next adopts a parser thread booted while the walk runs;
        // the sandbox's QuickJS compiles meanwhile too.
        loadCore().CodeIndex.prewarm();
        loadCore().prewarmQuickJS();
        try {
          return await loadCore().FileMap.load(folder.uri.fsPath, {
            exclude,
            maxFileBytes: settings.maxFileSizeKB ? settings.maxFileSizeKB * 1024 : undefined,
            snapshot: true,
            ripgrep: vscodeRipgrep(),
            signal: controller.signal,
            ...(onListed ? { onListed: (provisional: FileMap) => {
              this.log.info(`file map of ${folder.name}: ${provisional.size} files listed in ${Date.now() - started} ms; measuring them`);
              onListed(provisional);
            } } : {}),
            onProgress: (seen) => {
              const now = Date.now();
              if (now - lastReport < 200) return;
              lastReport = now;
              progress.report({ message: `${seen} files` });
            },
          });
        } catch (err) {
          if (controller.signal.aborted) throw new MapLoadCancelledError(folder.name);
          throw err;
        } finally {
          sub.dispose();
          signal?.removeEventListener('abort', abort);
        }
      },
    );
    const skipped = Object.entries(map.skipped.counts).map(([r, n]) => `${n} ${r}`).join(', ');
    this.log.info(`file map of ${folder.name}: ${map.size} files in ${Date.now() - started} ms${skipped ? ` (skipped ${skipped})` : ''}` +
      `${exclude.length ? `; excludes: ${exclude.join(' ')}` : ''}`);
    return map;
  }

  private drop(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.entries.get(key)?.watcher?.dispose();
    this.entries.get(key)?.code?.index.dispose();
    this.entries.get(key)?.provisionalCode?.index.dispose();
    this.entries.delete(key);
  }

  dispose(): void {
    for (const e of this.entries.values()) {
      e.watcher?.dispose();
      e.code?.index.dispose();
      e.provisionalCode?.index.dispose();
    }
    this.entries.clear();
    this.dropCombined();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The map with the texts of editors holding unsaved changes to its files, as of now (a question reads and greps
 * what the user sees); editors saved or closed since then go back to the disk's text.
 */
function withUnsavedEditors(map: FileMap): FileMap {
  const dirty = new Map<string, string>();
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file') dirty.set(doc.uri.fsPath, doc.getText());
  }
  const now = new Set<string>();
  for (const [file, text] of dirty) {
    const key = map.resolve(file);
    if (key !== undefined && map.setUnsaved(key, text)) now.add(key);
  }
  for (const key of map.unsavedKeys) if (!now.has(key)) map.setUnsaved(key, undefined);
  return map;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class MapLoadCancelledError extends Error {
  constructor(folder: string) {
    super(`Reading ${folder} was cancelled.`);
    this.name = 'MapLoadCancelledError';
  }
}
