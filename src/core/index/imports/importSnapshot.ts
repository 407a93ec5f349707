// The imports extracted from each file, kept on disk beside the file map's snapshot, so that the import graph of an
// unchanged tree is built without reading its files again. An entry counts for a file of the same size and
// modification time, extracted by the same extractor (its source's hash), never one modified close to the snapshot.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RACY_MS } from '../../workspace/mapSnapshot';
import { IMPORT_EXTRACTOR_SOURCE, type RawImport } from './importExtractor';

const EXTRACTOR = createHash('sha256').update(IMPORT_EXTRACTOR_SOURCE).digest('hex').slice(0, 16);

export interface ImportSnapshotEntry {
  size: number;
  mtimeMs: number;
  raws: RawImport[];
}

interface Stored {
  extractor: string;
  root: string;
  takenAt: number;
  files: Record<string, [size: number, mtimeMs: number, raws: RawImport[]]>;
}

export function importSnapshotFile(dir: string, realRoot: string): string {
  return path.join(dir, `${createHash('sha256').update(realRoot).digest('hex').slice(0, 32)}.imports.json`);
}

export async function readImportSnapshot(file: string, realRoot: string): Promise<Map<string, ImportSnapshotEntry> | undefined> {
  try {
    const stored = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Stored;
    if (stored.extractor !== EXTRACTOR || stored.root !== realRoot || typeof stored.files !== 'object') return undefined;
    const out = new Map<string, ImportSnapshotEntry>();
    for (const [p, [size, mtimeMs, raws]] of Object.entries(stored.files)) {
      if (mtimeMs < stored.takenAt - RACY_MS) out.set(p, { size, mtimeMs, raws });
    }
    return out;
  } catch {
    return undefined;
  }
}

export async function writeImportSnapshot(file: string, realRoot: string, takenAt: number, entries: Map<string, ImportSnapshotEntry>): Promise<void> {
  const stored: Stored = { extractor: EXTRACTOR, root: realRoot, takenAt, files: {} };
  for (const [p, e] of entries) if (e.mtimeMs < takenAt - RACY_MS) stored.files[p] = [e.size, e.mtimeMs, e.raws];
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(temp, JSON.stringify(stored));
    await fs.promises.rename(temp, file);
  } catch {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
  }
}
