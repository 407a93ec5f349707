// A workspace kept loaded between requests (the MCP server): the file map and the code index are built once, a
// watcher notes changes, and the next request after a change gets a fresh map and index (the symbol cache makes
// the rebuild cheap: unchanged files are not parsed again).
import { type FSWatcher, watch } from 'node:fs';
import { CodeIndex } from '../index/codeIndex';
import { FileMap, type FileMapOptions } from './fileMap';

export interface WarmState {
  map: FileMap;
  code: CodeIndex;
}

export class WarmWorkspace {
  private state: Promise<WarmState> | undefined;
  private stale = false;
  private watcher: FSWatcher | undefined;
  /** Requests still using an index that a change replaced: it is disposed when the last of them ends. */
  private readonly retired = new Map<CodeIndex, number>();
  private readonly users = new Map<CodeIndex, number>();

  constructor(readonly root: string, private readonly options: FileMapOptions = {}) {}

  /** Starts loading now and watching for changes, so the first request finds the workspace ready. */
  start(): void {
    void this.current().catch(() => undefined);
    try {
      this.watcher = watch(this.root, { recursive: true }, (_event, file) => {
        // git's own bookkeeping changes nothing the map shows.
        if (file && /^\.git([\\/]|$)/.test(String(file))) return;
        this.stale = true;
      });
      this.watcher.on('error', () => {
        // A watcher that fails (too many directories for inotify) leaves every request reloading.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  /** Runs `fn` with the current map and index (reloaded first if the workspace changed). */
  async use<T>(fn: (state: WarmState) => Promise<T>): Promise<T> {
    const state = await this.current();
    this.users.set(state.code, (this.users.get(state.code) ?? 0) + 1);
    try {
      return await fn(state);
    } finally {
      const left = (this.users.get(state.code) ?? 1) - 1;
      this.users.set(state.code, left);
      if (left === 0 && this.retired.has(state.code)) {
        this.retired.delete(state.code);
        this.users.delete(state.code);
        state.code.dispose();
      }
    }
  }

  private current(): Promise<WarmState> {
    if (this.state && (this.stale || !this.watcher)) {
      const old = this.state;
      this.state = undefined;
      void old.then((s) => this.retire(s.code), () => undefined);
    }
    this.stale = false;
    if (!this.state) {
      const loading = this.load();
      this.state = loading;
      // A failed load (the folder vanished) is tried again by the next request.
      loading.catch(() => {
        if (this.state === loading) this.state = undefined;
      });
    }
    return this.state;
  }

  private async load(): Promise<WarmState> {
    CodeIndex.prewarm();
    const map = await FileMap.load(this.root, { snapshot: true, ...this.options });
    const code = new CodeIndex(map);
    code.start();
    return { map, code };
  }

  private retire(code: CodeIndex): void {
    if ((this.users.get(code) ?? 0) > 0) this.retired.set(code, 1);
    else code.dispose();
  }

  dispose(): void {
    this.watcher?.close();
    this.watcher = undefined;
    void this.state?.then((s) => s.code.dispose(), () => undefined);
    this.state = undefined;
  }
}
