import * as vscode from 'vscode';
import type { ScopeInfo } from '../../core/index/scope';
import type { FileMap } from '../../core/workspace/fileMap';
import { loadCore } from '../loadCore';
import type { HostMessage } from '../chat/protocol';
import type { ScopeChoice, ScopeKind, ScopesMessage, ScopeView, SetScopeMessage } from './scopeProtocol';
import { WorkspaceMaps } from '../workspace/workspaceMaps';

/**
 * The chat's scope: which workspace folder questions go to, and optionally which directory or package of it
 * they are limited to. Kept in workspaceState, so it survives reloads; every question is asked in it and every
 * answer says which scope it was given in.
 *
 * Multi-root: "Whole workspace" is a question over every folder at once (one combined map, paths `folder/path`);
 * a folder, or a directory or package of one, limits it. Reviews (one git repository) and traces stay in one
 * folder: the active editor's, unless a folder is chosen.
 */

export const SCOPE_KEY = 'recurse.scope';

interface StoredScope {
  kind: ScopeKind;
  folder?: string;
  spec?: string;
}

export type SetScopeResult = { ok: true; scope: ScopeView } | { ok: false; error: string };

export interface ScopeControllerDeps {
  state: vscode.Memento;
  maps: WorkspaceMaps;
  log: vscode.LogOutputChannel;
  post(message: HostMessage): void;
}

const MAX_DIRECTORIES = 5_000;

function folders(): readonly vscode.WorkspaceFolder[] {
  return vscode.workspace.workspaceFolders ?? [];
}

function folderList(): string {
  const names = folders().map((f) => f.name);
  return names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
}

function folderNamed(name: string | undefined): vscode.WorkspaceFolder | undefined {
  return name === undefined ? undefined : folders().find((f) => f.name === name);
}

export class ScopeController {
  private lastSent: string | undefined;

  constructor(private readonly deps: ScopeControllerDeps) {}

  private get stored(): StoredScope {
    const s = this.deps.state.get<StoredScope>(SCOPE_KEY);
    return s && typeof s === 'object' && typeof s.kind === 'string' ? s : { kind: 'workspace' };
  }

  /** The folder the next question goes to: the chosen one while it is open, else the active editor's (or the first). */
  folder(): vscode.WorkspaceFolder | undefined {
    const s = this.stored;
    return (s.kind !== 'workspace' ? folderNamed(s.folder) : undefined) ?? WorkspaceMaps.pickFolder();
  }

  /** Every folder, when questions go to the whole multi-root workspace at once; undefined otherwise. */
  wholeWorkspace(): readonly vscode.WorkspaceFolder[] | undefined {
    return this.stored.kind === 'workspace' && folders().length > 1 ? folders() : undefined;
  }

  /** How an answer over the whole multi-root workspace shows its scope. */
  wholeView(): ScopeView {
    return { kind: 'workspace', label: 'Whole workspace' };
  }

  /** The directory or package a question in `folder` is limited to (the core's `scope` option). */
  spec(folder: vscode.WorkspaceFolder): string | undefined {
    const s = this.stored;
    return (s.kind === 'directory' || s.kind === 'package') && s.folder === folder.name ? s.spec : undefined;
  }

  /** How an answer shows its scope, from what the core resolved (absent: the whole folder). */
  view(folder: vscode.WorkspaceFolder, resolved?: ScopeInfo): ScopeView {
    const multiRoot = folders().length > 1;
    if (!resolved || resolved.dir === '' && !resolved.packageName) {
      return multiRoot ? { kind: 'folder', label: folder.name, folder: folder.name } : { kind: 'workspace', label: 'Whole workspace' };
    }
    const where = resolved.packageName ? `${resolved.packageName} (${resolved.dir || '.'})` : resolved.dir;
    return {
      kind: resolved.packageName ? 'package' : 'directory',
      label: multiRoot ? `${folder.name} › ${where}` : where,
      folder: folder.name,
      spec: resolved.spec,
    };
  }

  /** The picker's choices; packages are listed once the folder's map is loaded (the engine is never loaded for it). */
  async message(): Promise<ScopesMessage> {
    const multiRoot = folders().length > 1;
    const s = this.stored;
    const target = this.folder();
    const choices: ScopeChoice[] = [
      multiRoot
        ? {
          id: 'workspace', kind: 'workspace', label: 'Whole workspace',
          detail: `all ${folders().length} folders (${folderList()}); reviews and traces use the active editor's folder`,
        }
        : { id: 'workspace', kind: 'workspace', label: 'Whole workspace', ...(target ? { detail: target.name } : {}) },
    ];
    if (multiRoot) for (const f of folders()) choices.push({ id: `folder:${f.name}`, kind: 'folder', label: f.name, folder: f.name, detail: 'workspace folder' });
    const packages = target ? await this.knownPackages(target) : undefined;
    for (const p of packages ?? []) {
      choices.push({ id: choiceId('package', target!.name, p.name), kind: 'package', label: p.name, folder: target!.name, spec: p.name, detail: p.path });
    }
    const currentId = this.currentId(s);
    if ((s.kind === 'directory' || s.kind === 'package') && !choices.some((c) => c.id === currentId)) {
      choices.push({ id: currentId, kind: s.kind, label: s.spec ?? '', folder: s.folder, spec: s.spec, ...(multiRoot && s.folder ? { detail: s.folder } : {}) });
    }
    if (target) {
      if (!packages) choices.push({ id: 'pick-package', kind: 'package', label: 'Package…', folder: target.name });
      choices.push({ id: 'pick-directory', kind: 'directory', label: 'Directory…', folder: target.name });
    }
    return { type: 'scopes', current: currentId, choices };
  }

  /** Sends the choices when they differ from the last ones sent (or always, after a handshake). */
  async refresh(force = false): Promise<void> {
    const message = await this.message();
    const text = JSON.stringify(message);
    if (!force && text === this.lastSent) return;
    this.lastSent = text;
    this.deps.post(message);
  }

  /** Applies a validated `setScope`; a directory or package must exist in the folder's map. */
  async set(message: SetScopeMessage): Promise<SetScopeResult> {
    const result = await this.apply(message).catch((err: Error): SetScopeResult => ({ ok: false, error: err.message }));
    if (!result.ok && result.error !== 'cancelled') {
      this.deps.log.warn(`scope not set: ${result.error}`);
      this.deps.post({ type: 'status', message: `Scope not changed: ${result.error}` });
    }
    await this.refresh(true);
    return result;
  }

  private async apply(message: SetScopeMessage): Promise<SetScopeResult> {
    if (message.kind === 'workspace') {
      await this.deps.state.update(SCOPE_KEY, undefined);
      const folder = WorkspaceMaps.pickFolder();
      return { ok: true, scope: folder && folders().length <= 1 ? this.view(folder) : this.wholeView() };
    }
    const folder = message.folder !== undefined ? folderNamed(message.folder) : this.folder();
    if (!folder) return { ok: false, error: message.folder !== undefined ? `no workspace folder is named "${message.folder}"` : 'open a folder first' };
    if (message.kind === 'folder') {
      await this.deps.state.update(SCOPE_KEY, { kind: 'folder', folder: folder.name } satisfies StoredScope);
      return { ok: true, scope: { kind: 'folder', label: folder.name, folder: folder.name } };
    }
    const map = await this.deps.maps.get(folder);
    const spec = message.spec ?? (await this.pick(message.kind, folder, map));
    if (spec === undefined) return { ok: false, error: 'cancelled' };
    const core = loadCore();
    const code = this.deps.maps.codeIndex(folder, map);
    const resolved = await core.resolveScope(map, spec, () => code.graph());
    if (message.kind === 'directory' && resolved.packageName) {
      return { ok: false, error: `"${spec}" is not a directory with files in ${folder.name}` };
    }
    const kind: ScopeKind = resolved.packageName ? 'package' : 'directory';
    await this.deps.state.update(SCOPE_KEY, { kind, folder: folder.name, spec: resolved.packageName ?? resolved.dir } satisfies StoredScope);
    return { ok: true, scope: this.view(folder, resolved) };
  }

  /** The host's own picker for "Directory…" and "Package…": directories of the map, or its packages. */
  private async pick(kind: 'package' | 'directory', folder: vscode.WorkspaceFolder, map: FileMap): Promise<string | undefined> {
    if (kind === 'package') {
      const packages = (await this.deps.maps.codeIndex(folder, map).graph()).packages().filter((p) => p.path !== '');
      if (packages.length === 0) {
        void vscode.window.showInformationMessage(`Recurse: no packages found in ${folder.name} (package.json workspaces, go.mod, Cargo.toml, pyproject.toml, pom.xml).`);
        return undefined;
      }
      const item = await vscode.window.showQuickPick(
        packages.map((p) => ({ label: p.name, description: p.path, detail: p.kind })),
        { title: 'Recurse: limit questions to a package', placeHolder: `Packages of ${folder.name}` },
      );
      return item?.label;
    }
    const item = await vscode.window.showQuickPick(directoriesOf(map).map((d) => ({ label: d })), {
      title: 'Recurse: limit questions to a directory',
      placeHolder: `Directories of ${folder.name}`,
      matchOnDescription: true,
    });
    return item?.label;
  }

  private async knownPackages(folder: vscode.WorkspaceFolder) {
    const map = this.deps.maps.current(folder);
    if (!map) return undefined;
    try {
      return (await this.deps.maps.codeIndex(folder, map).graph()).packages().filter((p) => p.path !== '');
    } catch (err) {
      this.deps.log.warn(`packages of ${folder.name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private currentId(s: StoredScope): string {
    if (s.kind === 'folder' && folderNamed(s.folder)) return `folder:${s.folder}`;
    if ((s.kind === 'directory' || s.kind === 'package') && s.folder && s.spec) return choiceId(s.kind, s.folder, s.spec);
    return 'workspace';
  }
}

function choiceId(kind: 'package' | 'directory', folder: string, spec: string): string {
  return `${kind}:${folder}:${spec}`;
}

/** Every directory holding a file of the map, sorted, capped for the picker. */
export function directoriesOf(map: FileMap): string[] {
  const dirs = new Set<string>();
  for (const f of map.files()) {
    for (let i = f.path.indexOf('/'); i !== -1 && dirs.size < MAX_DIRECTORIES; i = f.path.indexOf('/', i + 1)) dirs.add(f.path.slice(0, i));
  }
  return [...dirs].sort();
}
