import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FORMAT = 1;

/** What the index knows about one file; symbols stay encoded (JSON of SymbolRecord[]) until asked for. */
export interface FileRecord {
  language: string;
  version: string;
  size: number;
  mtimeMs: number;
  hash: string;
  count: number;
  /** Encoded symbols, or where they sit in the loaded cache body. */
  data: string | { body: Buffer; off: number; len: number };
  skipped?: string;
}

/** Default cache directory: $XDG_CACHE_HOME/recurse/symbols, ~/Library/Caches/..., %LOCALAPPDATA%\\... */
export function defaultCacheDir(): string {
  const home = os.homedir();
  const base = process.platform === 'win32' ? process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local')
    : process.platform === 'darwin' ? path.join(home, 'Library', 'Caches')
    : process.env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(base, 'recurse', 'symbols');
}

/** One cache file per workspace root. */
export function cacheFile(dir: string, root: string): string {
  return path.join(dir, createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 20) + '.symbols');
}

export function decodeData(record: FileRecord): string {
  const d = record.data;
  return typeof d === 'string' ? d : d.body.toString('utf8', d.off, d.off + d.len);
}

/**
 * Reads a cache file: a one-line JSON header listing every file's (path, language, grammar version,
 * size, mtime, hash, count, body offset/length), then the body of concatenated symbol JSON. Only
 * the header is parsed; bodies are sliced when a file's symbols are needed.
 */
export function loadCache(file: string): Map<string, FileRecord> {
  const out = new Map<string, FileRecord>();
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return out;
  }
  const nl = buf.indexOf(10);
  if (nl === -1) return out;
  let header: { format: number; files: [string, string, string, number, number, string, number, number, number, string?][] };
  try {
    header = JSON.parse(buf.toString('utf8', 0, nl));
  } catch {
    return out;
  }
  if (header.format !== FORMAT || !Array.isArray(header.files)) return out;
  const body = buf.subarray(nl + 1);
  for (const [p, language, version, size, mtimeMs, hash, count, off, len, skipped] of header.files) {
    if (off + len > body.length) continue;
    out.set(p, { language, version, size, mtimeMs, hash, count, data: { body, off, len }, skipped });
  }
  return out;
}

/** Writes atomically (temp file + rename) so a crash never leaves a torn cache. */
export function saveCache(file: string, records: Map<string, FileRecord>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const files: unknown[] = [];
  const parts: Buffer[] = [];
  let off = 0;
  for (const [p, r] of records) {
    const d = r.data;
    const bytes = typeof d === 'string' ? Buffer.from(d, 'utf8') : d.body.subarray(d.off, d.off + d.len);
    files.push(r.skipped ? [p, r.language, r.version, r.size, r.mtimeMs, r.hash, r.count, off, bytes.length, r.skipped]
      : [p, r.language, r.version, r.size, r.mtimeMs, r.hash, r.count, off, bytes.length]);
    parts.push(bytes);
    off += bytes.length;
  }
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify({ format: FORMAT, files }) + '\n');
    for (const part of parts) fs.writeSync(fd, part);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
