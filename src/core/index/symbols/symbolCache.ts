import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { recurseCacheRoot } from '../../cacheRoot';
import * as path from 'node:path';
import { EventLoopSlices } from '../../eventLoopSlices';
import { jsonMembers } from '../../jsonParts';
import { readWholeFile } from '../../wholeFileRead';
import { writeFileAtomic } from '../../writeFileAtomic';
import { type SymbolText, symbolTextString } from './symbolText';

// 2: records' hash is the file's git blob id (content key), which index packs are keyed by.
const FORMAT = 2;

/** What the index knows about one file; symbols stay encoded (JSON of SymbolRecord[]) until asked for. */
export interface FileRecord {
  language: string;
  version: string;
  size: number;
  mtimeMs: number;
  hash: string;
  count: number;
  /** Encoded symbols, or where they sit in a buffer (the loaded cache body, what a parser thread handed over). */
  data: SymbolText;
  skipped?: string;
}

export { recurseCacheRoot };

/** Default symbol cache directory: <recurseCacheRoot>/symbols. */
export function defaultCacheDir(): string {
  return path.join(recurseCacheRoot(), 'symbols');
}

/** One cache file per workspace root. */
export function cacheFile(dir: string, root: string): string {
  return path.join(dir, createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 20) + '.symbols');
}

export function decodeData(record: FileRecord): string {
  return symbolTextString(record.data);
}

/** A file's entry in a cache file's header: its record without the symbols, and where they sit in the body. */
export type CacheEntry = Omit<FileRecord, 'data'> & { off: number; len: number };

type HeaderRow = [string, string, string, number, number, string, number, number, number, string?];

/** The header line (with its newline) at the start of a cache file, read in chunks; undefined if none. */
function readHeaderLine(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (let size = 1 << 20; ; size = Math.min(size * 2, 1 << 26)) {
      const chunk = Buffer.allocUnsafe(size);
      const n = fs.readSync(fd, chunk, 0, size, total);
      if (n === 0) return undefined;
      const nl = chunk.subarray(0, n).indexOf(10);
      if (nl !== -1) {
        chunks.push(chunk.subarray(0, nl + 1));
        return Buffer.concat(chunks);
      }
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function parseHeader(line: Buffer): Map<string, CacheEntry> {
  const out = new Map<string, CacheEntry>();
  let header: { format: number; files: HeaderRow[] };
  try {
    header = JSON.parse(line.toString('utf8', 0, line.length - 1));
  } catch {
    return out;
  }
  if (header.format !== FORMAT || !Array.isArray(header.files)) return out;
  for (const [p, language, version, size, mtimeMs, hash, count, off, len, skipped] of header.files) {
    out.set(p, { language, version, size, mtimeMs, hash, count, off, len, skipped });
  }
  return out;
}

/** The record of a header entry whose symbols are in `body`, or undefined if they are not all there. */
export function cacheRecord(entry: CacheEntry, body: Buffer): FileRecord | undefined {
  const { language, version, size, mtimeMs, hash, count, off, len, skipped } = entry;
  if (off + len > body.length) return undefined;
  return { language, version, size, mtimeMs, hash, count, data: { body, off, len }, skipped };
}

/**
 * Reads a cache file: a one-line JSON header listing every file's (path, language, grammar version,
 * size, mtime, hash, count, body offset/length), then the body of concatenated symbol JSON. The
 * header is read and parsed now, while the whole file is read on a background thread (the caller
 * checks files against the header meanwhile); the body comes back undefined if the file changed in
 * between (its header is not the one parsed) or is gone.
 * Bodies are only sliced when a file's symbols are needed.
 */
export function readCache(file: string): { entries: Map<string, CacheEntry>; body: Promise<Buffer | undefined> } {
  // Started first, so the read runs while the header is parsed here.
  const whole = readWholeFile(file).catch(() => undefined);
  const line = readHeaderLine(file);
  if (!line) return { entries: new Map(), body: Promise.resolve(undefined) };
  const entries = parseHeader(line);
  if (entries.size === 0) return { entries, body: Promise.resolve(undefined) };
  const body = whole.then((buf) => (buf && buf.length >= line.length && buf.subarray(0, line.length).equals(line) ? buf.subarray(line.length) : undefined));
  return { entries, body };
}

/** The cache file's contents: a JSON header line (one entry per file, with its data's offset), then the data. */
function cacheContents(records: Map<string, FileRecord>): { header: string; parts: Buffer[] } {
  const files: unknown[] = [];
  const parts: Buffer[] = [];
  let off = 0;
  for (const [p, r] of records) {
    const bytes = recordBytes(r);
    files.push(headerEntry(p, r, off, bytes.length));
    parts.push(bytes);
    off += bytes.length;
  }
  return { header: JSON.stringify({ format: FORMAT, files }) + '\n', parts };
}

function recordBytes(r: FileRecord): Buffer {
  const d = r.data;
  return typeof d === 'string' ? Buffer.from(d, 'utf8') : d.body.subarray(d.off, d.off + d.len);
}

/** One file's entry in the header line: where its data sits in the body. */
function headerEntry(p: string, r: FileRecord, off: number, length: number): unknown[] {
  return r.skipped ? [p, r.language, r.version, r.size, r.mtimeMs, r.hash, r.count, off, length, r.skipped]
    : [p, r.language, r.version, r.size, r.mtimeMs, r.hash, r.count, off, length];
}

/** Writes atomically (temp file + rename) so a crash never leaves a torn cache. */
export function saveCache(file: string, records: Map<string, FileRecord>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { header, parts } = cacheContents(records);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, header);
    for (const part of parts) fs.writeSync(fd, part);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * `saveCache` without holding the thread while a large cache (a kernel's: hundreds of MB) is encoded and written:
 * the records are encoded a slice of milliseconds at a time.
 */
export async function saveCacheAsync(file: string, records: Map<string, FileRecord>): Promise<void> {
  const slices = new EventLoopSlices();
  const members: string[] = [];
  const parts: Buffer[] = [];
  let off = 0;
  for (const [p, r] of [...records]) {
    const bytes = recordBytes(r);
    members.push(JSON.stringify(headerEntry(p, r, off, bytes.length)));
    parts.push(bytes);
    off += bytes.length;
    await slices.yield();
  }
  // The same bytes as saveCache's: the header line `{"format":…,"files":[…]}`, then each file's data.
  const header = [`{"format":${FORMAT},"files":[`, ...await jsonMembers(members, slices), ']}\n'];
  await writeFileAtomic(file, [...header, ...parts]);
}
