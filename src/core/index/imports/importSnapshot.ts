// The imports extracted from each file, kept on disk beside the file map's snapshot, so that the import graph of an
// unchanged tree is built without reading its files again. An entry counts for a file of the same size and
// modification time, extracted by the same extractor (its source's hash), never one modified close to the snapshot.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RACY_MS } from '../../workspace/mapSnapshot';
import { EventLoopSlices } from '../../eventLoopSlices';
import { jsonMembers } from '../../jsonParts';
import { writeFileAtomic } from '../../writeFileAtomic';
import { IMPORT_EXTRACTOR_SOURCE, type RawImport } from './importExtractor';
import { extractorKey } from './sourceKeys';

/** The extractor's identity: imports extracted by another version of it are extracted again. */
export const EXTRACTOR = extractorKey(IMPORT_EXTRACTOR_SOURCE);

export interface ImportSnapshotEntry {
  size: number;
  mtimeMs: number;
  raws: RawImport[];
}

interface Stored {
  extractor: string;
  root: string;
  takenAt: number;
  /** Per file: size, mtime, and its imports packed (see pack), or as objects when a field holds a tab or newline. */
  files: Record<string, [size: number, mtimeMs: number, raws: string | RawImport[]]>;
}

const KINDS: RawImport['k'][] = ['import', 'export', 'require', 'dynamic', 'include', 'use', 'mod'];

/**
 * A file's imports as one string — a line per import, `kind<TAB>line<TAB>specifier[<TAB>name…]` — which JSON stores
 * and parses far faster than objects (a kernel has hundreds of thousands of includes). Undefined when a field holds
 * a tab or a newline (then the objects are stored as they are).
 */
export function packRaws(raws: RawImport[]): string | undefined {
  const lines: string[] = [];
  for (const r of raws) {
    const fields = [String(KINDS.indexOf(r.k)), String(r.l), r.s, ...(r.n ?? [])];
    if (fields.some((f) => f.includes('\t') || f.includes('\n'))) return undefined;
    lines.push(fields.join('\t'));
  }
  return lines.join('\n');
}

export function unpackRaws(packed: string): RawImport[] {
  if (packed === '') return [];
  return packed.split('\n').map((line) => {
    const [k, l, s, ...n] = line.split('\t');
    return { k: KINDS[Number(k)]!, l: Number(l), s: s!, ...(n.length ? { n } : {}) };
  });
}

export function importSnapshotFile(dir: string, realRoot: string): string {
  return path.join(dir, `${createHash('sha256').update(realRoot).digest('hex').slice(0, 32)}.imports.json`);
}

export async function readImportSnapshot(file: string, realRoot: string): Promise<Map<string, ImportSnapshotEntry> | undefined> {
  try {
    // Decoded whole: readFile's own decoding goes through a StringDecoder chunk by chunk, several times slower.
    const stored = JSON.parse((await fs.promises.readFile(file)).toString('utf8')) as Stored;
    if (stored.extractor !== EXTRACTOR || stored.root !== realRoot || typeof stored.files !== 'object') return undefined;
    const out = new Map<string, ImportSnapshotEntry>();
    for (const [p, [size, mtimeMs, raws]] of Object.entries(stored.files)) {
      if (mtimeMs < stored.takenAt - RACY_MS) out.set(p, { size, mtimeMs, raws: typeof raws === 'string' ? unpackRaws(raws) : raws });
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Writes the snapshot as the JSON of a `Stored`, encoded file by file in event-loop slices: on the kernel (56k files,
 * 354k imports) encoding it in one go held the thread for about 300 ms.
 */
export async function writeImportSnapshot(file: string, realRoot: string, takenAt: number, entries: Map<string, ImportSnapshotEntry>): Promise<void> {
  const head: Omit<Stored, 'files'> = { extractor: EXTRACTOR, root: realRoot, takenAt };
  const files: string[] = [];
  const slices = new EventLoopSlices();
  for (const [p, e] of entries) {
    if (e.mtimeMs < takenAt - RACY_MS) files.push(`${JSON.stringify(p)}:${JSON.stringify([e.size, e.mtimeMs, packRaws(e.raws) ?? e.raws])}`);
    await slices.yield();
  }
  const parts = [`${JSON.stringify(head).slice(0, -1)},"files":{`, ...await jsonMembers(files, slices), '}}'];
  // A cache that cannot be written only costs the next build its speed.
  await writeFileAtomic(file, parts).catch(() => undefined);
}

