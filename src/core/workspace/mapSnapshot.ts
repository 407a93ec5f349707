// What a file map learned about each file — size, modification time, line count, binary or too large, and its grep
// signature — kept on disk per workspace, so the next load of an unchanged tree stats files instead of reading them.
// A file is trusted again only when a stat finds the same size and modification time, and that time is older than
// the snapshot by more than the clock's resolution (a same-size rewrite within it could otherwise go unnoticed).
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { recurseCacheRoot } from '../cacheRoot';
import { EventLoopSlices } from '../eventLoopSlices';
import { byCodeUnits, sortInSlices } from '../sortInSlices';
import { readWholeFile } from '../wholeFileRead';
import { writeFileAtomic } from '../writeFileAtomic';
import type { SkippedSummary } from './fileMap';

// 2: paths in code-unit order, and the walk's tree stamps (see TreeStamps).
const MAGIC = 'RECURSE-MAP 2\n';
/** Modification times this close to the snapshot are not trusted next time (covers coarse file-system clocks). */
export const RACY_MS = 2_000;

export const SNAPSHOT_OK = 0;
export const SNAPSHOT_TOO_LARGE = 2;
export const SNAPSHOT_BINARY = 3;

export interface SnapshotFile {
  size: number;
  mtimeMs: number;
  /** SNAPSHOT_OK, SNAPSHOT_TOO_LARGE or SNAPSHOT_BINARY. */
  status: number;
  lines: number;
  signature?: Uint8Array;
}

/**
 * What a walk saw besides the files — each folder it listed, each ignore file it looked for, what it left out — so a
 * later load can tell the tree is the same without listing a folder (see unchangedTree.ts). Kept only when all of it
 * (every folder, ignore file and file) was older than the snapshot by RACY_MS, and nothing was followed through a
 * symbolic link or failed to be read.
 */
export interface TreeStamps {
  /** Every folder listed ('' for the root), with its inode and change time, as a stat taken before the listing gave. */
  dirs: string[];
  dirInodes: number[];
  dirCtimes: number[];
  /** Every ignore file the walk looked for (relative to the root), with its size and modification time; size -1: absent. */
  ignoreFiles: string[];
  ignoreSizes: number[];
  ignoreMtimes: number[];
  /** What the walk left out for its rules (ignored, secret), not for a file's content (binary, too large). */
  skipped: SkippedSummary;
  /** Folders where it left out a file for its rules (see WalkResult.leftOut). */
  leftOut: string[];
}

interface Header {
  root: string;
  takenAt: number;
  tree?: TreeStamps;
  paths: string[];
  sizes: number[];
  mtimes: number[];
  status: number[];
  lines: number[];
  /** Byte length of each file's signature in the blob that follows the header. */
  sigLengths: number[];
}

/** Where map snapshots (and the resolved import graphs beside them) are kept unless told otherwise. */
export function defaultSnapshotDir(): string {
  return path.join(recurseCacheRoot(), 'maps');
}

/** Where the snapshot of a map of `realRoot` built with these options lives. */
export function snapshotFile(realRoot: string, options: { maxFileBytes: number; exclude: readonly string[] }, dir = defaultSnapshotDir()): string {
  const key = createHash('sha256').update(JSON.stringify([realRoot, options.maxFileBytes, [...options.exclude].sort()])).digest('hex').slice(0, 32);
  return path.join(dir, `${key}.map`);
}

/** The snapshot's files by path; undefined when there is none, or it is unreadable, corrupt or of another root. */
export async function readSnapshot(file: string, realRoot: string): Promise<{ files: Map<string, SnapshotFile>; takenAt: number; tree?: TreeStamps } | undefined> {
  let data: Buffer;
  try {
    data = await readWholeFile(file);
  } catch {
    return undefined;
  }
  try {
    if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
    const headerLength = data.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const header = JSON.parse(data.toString('utf8', start, start + headerLength)) as Header;
    if (header.root !== realRoot) return undefined;
    let at = start + headerLength;
    const files = new Map<string, SnapshotFile>();
    const slices = new EventLoopSlices();
    for (let i = 0; i < header.paths.length; i++) {
      await slices.yield();
      const length = header.sigLengths[i]!;
      if (at + length > data.length) return undefined;
      files.set(header.paths[i]!, {
        size: header.sizes[i]!, mtimeMs: header.mtimes[i]!, status: header.status[i]!, lines: header.lines[i]!,
        ...(length > 0 ? { signature: new Uint8Array(data.buffer, data.byteOffset + at, length) } : {}),
      });
      at += length;
    }
    return { files, takenAt: header.takenAt, ...(header.tree ? { tree: header.tree } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Writes the snapshot (atomically: a reader never sees half of one), its files in code-unit order. Files modified
 * within RACY_MS of `takenAt` are left out, so they are measured again next time; the tree's stamps are kept only
 * when nothing was left out and nothing of the tree is that recent either. The header is encoded a slice of
 * milliseconds at a time and the file written in parts: a kernel's snapshot (83k paths, tens of MB of signatures)
 * encoded in one piece held the event loop for about 300 ms.
 */
export async function writeSnapshot(file: string, realRoot: string, takenAt: number, files: Map<string, SnapshotFile>, tree?: TreeStamps): Promise<void> {
  const slices = new EventLoopSlices();
  const header: Header = { root: realRoot, takenAt, paths: [], sizes: [], mtimes: [], status: [], lines: [], sigLengths: [] };
  const blobs: Uint8Array[] = [];
  const racy = takenAt - RACY_MS;
  let whole = true;
  for (const p of await sortInSlices([...files.keys()], byCodeUnits, slices)) {
    const f = files.get(p)!;
    if (f.mtimeMs >= racy) {
      whole = false;
      continue;
    }
    header.paths.push(p);
    header.sizes.push(f.size);
    header.mtimes.push(f.mtimeMs);
    header.status.push(f.status);
    header.lines.push(f.lines);
    header.sigLengths.push(f.signature?.length ?? 0);
    if (f.signature) blobs.push(f.signature);
    await slices.yield();
  }
  if (tree && whole && tree.dirCtimes.every((t) => t < racy) && tree.ignoreMtimes.every((t) => t < racy)) header.tree = tree;
  const json = await headerParts(header, slices);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.reduce((n, part) => n + part.length, 0));
  // A cache that cannot be written only costs the next load its speed.
  await writeFileAtomic(file, [Buffer.from(MAGIC, 'latin1'), length, ...json, ...blobs]).catch(() => undefined);
}

/** Elements of a header array encoded per run. */
const HEADER_RUN = 4096;

/** The header's JSON (what `JSON.stringify(header)` gives), as UTF-8 parts encoded a run of elements at a time. */
async function headerParts(header: Header, slices: EventLoopSlices): Promise<Buffer[]> {
  const { paths, sizes, mtimes, status, lines, sigLengths, ...head } = header;
  const arrays: [string, unknown[]][] = [['paths', paths], ['sizes', sizes], ['mtimes', mtimes], ['status', status], ['lines', lines], ['sigLengths', sigLengths]];
  const parts: Buffer[] = [Buffer.from(JSON.stringify(head).slice(0, -1), 'utf8')];
  let first = Object.keys(head).length === 0;
  for (const [name, values] of arrays) {
    parts.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(name)}:[`, 'utf8'));
    first = false;
    for (let i = 0; i < values.length; i += HEADER_RUN) {
      parts.push(Buffer.from(`${i > 0 ? ',' : ''}${JSON.stringify(values.slice(i, i + HEADER_RUN)).slice(1, -1)}`, 'utf8'));
      await slices.yield();
    }
    parts.push(Buffer.from(']', 'utf8'));
  }
  parts.push(Buffer.from('}', 'utf8'));
  return parts;
}
