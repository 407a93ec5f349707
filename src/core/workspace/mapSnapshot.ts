// What a file map learned about each file — size, modification time, line count, binary or too large, and its grep
// signature — kept on disk per workspace, so the next load of an unchanged tree stats files instead of reading them.
// A file is trusted again only when a stat finds the same size and modification time, and that time is older than
// the snapshot by more than the clock's resolution (a same-size rewrite within it could otherwise go unnoticed).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recurseCacheRoot } from '../cacheRoot';
import { writeFileAtomic } from '../writeFileAtomic';

const MAGIC = 'RECURSE-MAP 1\n';
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

interface Header {
  root: string;
  takenAt: number;
  paths: string[];
  sizes: number[];
  mtimes: number[];
  status: number[];
  lines: number[];
  /** Byte length of each file's signature in the blob that follows the header. */
  sigLengths: number[];
}

/** Where the snapshot of a map of `realRoot` built with these options lives. */
export function snapshotFile(realRoot: string, options: { maxFileBytes: number; exclude: readonly string[] }, dir = path.join(recurseCacheRoot(), 'maps')): string {
  const key = createHash('sha256').update(JSON.stringify([realRoot, options.maxFileBytes, [...options.exclude].sort()])).digest('hex').slice(0, 32);
  return path.join(dir, `${key}.map`);
}

/** The snapshot's files by path; undefined when there is none, or it is unreadable, corrupt or of another root. */
export async function readSnapshot(file: string, realRoot: string): Promise<{ files: Map<string, SnapshotFile>; takenAt: number } | undefined> {
  let data: Buffer;
  try {
    data = await fs.promises.readFile(file);
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
    for (let i = 0; i < header.paths.length; i++) {
      const length = header.sigLengths[i]!;
      if (at + length > data.length) return undefined;
      files.set(header.paths[i]!, {
        size: header.sizes[i]!, mtimeMs: header.mtimes[i]!, status: header.status[i]!, lines: header.lines[i]!,
        ...(length > 0 ? { signature: new Uint8Array(data.buffer, data.byteOffset + at, length) } : {}),
      });
      at += length;
    }
    return { files, takenAt: header.takenAt };
  } catch {
    return undefined;
  }
}

/**
 * Writes the snapshot (atomically: a reader never sees half of one). Files modified within RACY_MS
 * of `takenAt` are left out, so they are measured again next time.
 */
export async function writeSnapshot(file: string, realRoot: string, takenAt: number, files: Map<string, SnapshotFile>): Promise<void> {
  const header: Header = { root: realRoot, takenAt, paths: [], sizes: [], mtimes: [], status: [], lines: [], sigLengths: [] };
  const blobs: Uint8Array[] = [];
  for (const [p, f] of files) {
    if (f.mtimeMs >= takenAt - RACY_MS) continue;
    header.paths.push(p);
    header.sizes.push(f.size);
    header.mtimes.push(f.mtimeMs);
    header.status.push(f.status);
    header.lines.push(f.lines);
    header.sigLengths.push(f.signature?.length ?? 0);
    if (f.signature) blobs.push(f.signature);
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  // A cache that cannot be written only costs the next load its speed.
  await writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC, 'latin1'), length, json, ...blobs])).catch(() => undefined);
}
