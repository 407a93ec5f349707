// What a walk saw besides the files, stamped as it goes, for the next snapshot (see TreeStamps in mapSnapshot.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SkipReason } from './fileMap';
import type { TreeStamps } from './mapSnapshot';
import { SkipLog } from './skipLog';
import { folderOf } from './walk';

/**
 * The walk's TreeStamps as it goes: each folder stamped (inode, change time) before it is listed — a change after that
 * gives it another change time —, each ignore file before it is read, and what is left out for the rules.
 */
export class TreeStamper {
  private readonly stamps: Omit<TreeStamps, 'skipped' | 'leftOut'> = { dirs: [], dirInodes: [], dirCtimes: [], ignoreFiles: [], ignoreSizes: [], ignoreMtimes: [] };
  private readonly log = new SkipLog();
  private readonly ruled = new Set<string>();
  private vouched = true;

  constructor(private readonly realRoot: string) {}

  dir(rel: string, abs: string): void {
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return this.cannotVouch();
    this.stamps.dirs.push(rel);
    this.stamps.dirInodes.push(st.ino);
    this.stamps.dirCtimes.push(st.ctimeMs);
  }

  ignoreFile(abs: string): void {
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st && !st.isFile()) return this.cannotVouch();
    this.stamps.ignoreFiles.push(path.relative(this.realRoot, abs).split(path.sep).join('/'));
    this.stamps.ignoreSizes.push(st ? st.size : -1);
    this.stamps.ignoreMtimes.push(st ? st.mtimeMs : 0);
  }

  skipped(reason: SkipReason, rel: string): void {
    if (reason === 'binary' || reason === 'too-large') return; // the files' own statuses say so
    if (reason !== 'ignored' && reason !== 'secret') return this.cannotVouch();
    this.log.record(reason, rel);
    this.ruled.add(folderOf(rel));
  }

  /** An ignored folder: counted once, never entered (a search by folder does not go into it either). */
  skippedFolder(rel: string): void {
    this.log.record('ignored', rel);
  }

  cannotVouch(): void {
    this.vouched = false;
  }

  result(): TreeStamps | undefined {
    if (!this.vouched) return undefined;
    return { ...this.stamps, skipped: this.log.summary(), leftOut: [...this.ruled] };
  }
}
