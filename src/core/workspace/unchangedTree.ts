// A warm load of a tree that has not changed shape: when every folder the last walk listed has the same inode and
// change time (no entry added, removed, renamed or re-permissioned in it) and every ignore file it read is as it was,
// a walk would list the same files under the same rules — so none is listed. Each file of the snapshot is still
// statted (an edit in place changes no folder), and the few that changed are measured again here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileEntry } from './fileMap';
import { detectLanguage } from './language';
import { SNAPSHOT_BINARY, SNAPSHOT_OK, SNAPSHOT_TOO_LARGE, type SnapshotFile, type TreeStamps } from './mapSnapshot';
import { SkipLog } from './skipLog';
import { SIGNATURE_BUDGET_BYTES } from './trigramFilter';
import { folderOf, measureHere, type WalkResult } from './walk';

/** Past this many changed files a walk (with its measuring threads) is quicker than reading them one by one here. */
const MAX_CHANGED = 256;

export interface TakenTree {
  files: Map<string, SnapshotFile>;
  takenAt: number;
  tree: TreeStamps;
}

/** The walk's result for an unchanged tree, from its snapshot; undefined when the tree changed shape (walk it). */
export async function takeUnchangedTree(realRoot: string, previous: TakenTree, maxFileBytes: number): Promise<WalkResult | undefined> {
  const { tree } = previous;
  if (!sameFolders(realRoot, tree) || !sameIgnoreFiles(realRoot, tree)) return undefined;
  const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  const changed: string[] = [];
  for (const [rel, known] of previous.files) {
    const st = fs.statSync(prefix + rel, { throwIfNoEntry: false });
    if (!st?.isFile()) return undefined; // gone, or no longer a file: its folder should have said so
    if (st.size !== known.size || st.mtimeMs !== known.mtimeMs) {
      changed.push(rel);
      if (changed.length > MAX_CHANGED) return undefined;
    }
  }
  const measured = new Map(previous.files);
  for (const rel of changed) {
    const outcome = await measureHere(prefix + rel, maxFileBytes);
    if (outcome.kind === 'unreadable' || outcome.mtimeMs === undefined) return undefined; // a walk records it as unreadable
    const status = outcome.kind === 'too-large' ? SNAPSHOT_TOO_LARGE : outcome.binary ? SNAPSHOT_BINARY : SNAPSHOT_OK;
    measured.set(rel, { size: outcome.size, mtimeMs: outcome.mtimeMs, status, lines: outcome.kind === 'ok' ? outcome.lines : 0 });
  }
  return fromSnapshot(realRoot, measured, tree, changed);
}

function sameFolders(realRoot: string, tree: TreeStamps): boolean {
  for (let i = 0; i < tree.dirs.length; i++) {
    const st = fs.statSync(path.join(realRoot, tree.dirs[i]!), { throwIfNoEntry: false });
    if (!st?.isDirectory() || st.ino !== tree.dirInodes[i] || st.ctimeMs !== tree.dirCtimes[i]) return false;
  }
  return tree.dirs.length > 0;
}

function sameIgnoreFiles(realRoot: string, tree: TreeStamps): boolean {
  for (let i = 0; i < tree.ignoreFiles.length; i++) {
    const st = fs.statSync(path.join(realRoot, tree.ignoreFiles[i]!), { throwIfNoEntry: false });
    if (tree.ignoreSizes[i] === -1 ? st !== undefined : !st?.isFile() || st.size !== tree.ignoreSizes[i] || st.mtimeMs !== tree.ignoreMtimes[i]) return false;
  }
  return true;
}

/** What the walk would give: entries in path order (the snapshot's order), the rules' and the contents' skips. */
function fromSnapshot(realRoot: string, measured: Map<string, SnapshotFile>, tree: TreeStamps, changed: string[]): WalkResult {
  const log = SkipLog.from(tree.skipped);
  const leftOut = new Set(tree.leftOut);
  const entries: FileEntry[] = [];
  const signatures = new Map<string, Uint8Array>();
  const stale = new Set(changed);
  let signatureBytes = 0;
  for (const [rel, f] of measured) {
    if (f.status !== SNAPSHOT_OK) {
      log.record(f.status === SNAPSHOT_BINARY ? 'binary' : 'too-large', rel);
      leftOut.add(folderOf(rel));
      continue;
    }
    entries.push({ path: rel, size: f.size, lines: f.lines, language: detectLanguage(rel), mtimeMs: f.mtimeMs });
    if (f.signature && !stale.has(rel) && signatureBytes < SIGNATURE_BUDGET_BYTES) {
      signatures.set(rel, f.signature);
      signatureBytes += f.signature.length;
    }
  }
  return {
    realRoot, entries, skipped: log.summary(), leftOut, signatures, measured, tree,
    changes: { read: changed.length, reused: measured.size - changed.length, gone: 0 },
  };
}
