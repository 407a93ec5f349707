import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { LINE_SEARCH_SOURCE, LineMatch } from './lineSearch';

/**
 * Worker threads for the two whole-corpus passes: measuring files at load, and searching them for
 * grep. A scan job searches a chunk of files (absolute paths) in order. Workers read each file
 * synchronously into one reused buffer — far cheaper per file than four thread-pool round trips —
 * apply the byte prefilter, then run the same line search as the main thread (lineSearch.ts) and
 * send back the matching lines, so the main thread only merges chunks in order. Contents never
 * leave the host process.
 */
export interface ScanJob {
  paths: string[];
  maxBytes: number;
  /** UTF-8 bytes every match contains. */
  needle?: Uint8Array;
  /** Case-insensitive ASCII literal (regex source), tested on a latin1 view of the bytes. */
  needleIgnoreCase?: string;
  /** The grep pattern (flags without g/m/y), and whether it must be searched line by line. */
  pattern: { source: string; flags: string; perLine: boolean };
  /** The chunk stops once it holds this many matches and finds one more. */
  maxResults: number;
  context: number;
}

/** Matches of a scan job: `matches[k]` are those of `paths[files[k]]`, in line order. */
export interface ScanResult {
  files: number[];
  matches: LineMatch[][];
  /** The last listed file has more matches than it lists (the chunk reached `maxResults`). */
  more: boolean;
}

// Plain JS evaluated in the worker, so it survives bundling (no separate file to locate).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
let buf = Buffer.allocUnsafe(1 << 20);
// Non-blocking open: a FIFO swapped in since the walk must not hang the worker.
const OPEN_FLAGS = fs.constants.O_NONBLOCK === undefined ? 'r' : fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
// Reads on from byte n of an open file into buf (grown up to maxBytes + 1); returns the byte count.
function readRest(fd, n, maxBytes) {
  for (;;) {
    if (n === buf.length) {
      if (n > maxBytes) return n;
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxBytes + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = fs.readSync(fd, buf, n, buf.length - n, n);
    if (got === 0) return n;
    n += got;
  }
}
// Returns the byte count read into buf, -1 when unreadable.
function readWhole(path, maxBytes) {
  let fd;
  try { fd = fs.openSync(path, OPEN_FLAGS); } catch { return -1; }
  try { return readRest(fd, 0, maxBytes); } catch { return -1; } finally { fs.closeSync(fd); }
}
// Rough byte frequency in source code, most common first; anything absent counts as rare.
const COMMON = Buffer.from(' \\n\\te_tsrianoldc;(),.=pu*fm>-hgxb{}/0"1[]SARENITOLCDP2:kvwy\\'3&48!+<FMU#G6H5B9|7?%YzVWKXjqZJQ@$~^');
function rank(byte) { const i = COMMON.indexOf(byte); return i === -1 ? 1000 : i; }
// memchr (SIMD in libc) for the needle's rarest byte, then a compare: about twice as fast as
// Buffer#indexOf on code, as long as that byte really is rare; otherwise indexOf it is.
function finder(needle) {
  let at = 0;
  for (let i = 1; i < needle.length; i++) if (rank(needle[i]) > rank(needle[at])) at = i;
  if (needle.length < 2 || rank(needle[at]) < 60) return (view) => view.indexOf(needle) !== -1;
  const rare = needle[at];
  const len = needle.length;
  return (view) => {
    const last = view.length - len + at;
    let i = view.indexOf(rare, at);
    while (i !== -1 && i <= last) {
      const s = i - at;
      if (view.compare(needle, 0, len, s, s + len) === 0) return true;
      i = view.indexOf(rare, i + 1);
    }
    return false;
  };
}
// Trigram signature: the same hash as trigramFilter.ts — change both together.
function signature(view) {
  let bytes = 32;
  while (bytes * 32 < view.length && bytes < 16384) bytes *= 2;
  const sig = new Uint8Array(bytes);
  const shift = 32 - Math.log2(bytes * 8);
  if (view.length < 3) return sig;
  let h = ((view[0] | 32) << 8) | (view[1] | 32);
  for (let i = 2; i < view.length; i++) {
    h = ((h << 8) | (view[i] | 32)) & 0xffffff;
    const k = Math.imul(h, 0x9e3779b1) >>> shift;
    sig[k >> 3] |= 1 << (k & 7);
  }
  return sig;
}
// For measure: -2 not a regular file, -1 unreadable, -3 binary (a NUL in the first 8 KiB: not read
// further), else the byte count read into buf (maxBytes + 1 or more: too large, not read at all).
function measureRead(path, maxBytes) {
  let fd;
  try { fd = fs.openSync(path, OPEN_FLAGS); } catch { return -1; }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return -2;
    measuredMtime = st.mtimeMs;
    if (st.size > maxBytes) return st.size;
    const n = fs.readSync(fd, buf, 0, Math.min(8192, buf.length), 0);
    if (buf.subarray(0, n).indexOf(0) !== -1) { sniffedSize = st.size; return -3; }
    return n === 0 ? 0 : readRest(fd, n, maxBytes);
  } catch { return -1; } finally { fs.closeSync(fd); }
}
let sniffedSize = 0;
let measuredMtime = 0;
// A file measured before is taken as it was when a stat finds the same size and modification time, unless that time
// is recent enough (racyAfter) for a same-size rewrite within the clock's resolution to have gone unnoticed.
function unchanged(path, size, mtime, racyAfter) {
  if (Number.isNaN(size)) return false;
  try {
    const st = fs.statSync(path);
    return st.isFile() && st.size === size && st.mtimeMs === mtime && mtime < racyAfter;
  } catch { return false; }
}
function measure(job) {
  // Per file: status (0 ok, 1 unreadable, 2 too large, 3 binary), size, lines, and the signature
  // as a slice sigOffsets[i]..sigOffsets[i + 1] of sigs (empty when not computed).
  const status = new Int32Array(job.paths.length);
  const sizes = new Float64Array(job.paths.length);
  const lines = new Float64Array(job.paths.length);
  const mtimes = new Float64Array(job.paths.length);
  const sigOffsets = new Int32Array(job.paths.length + 1);
  const parts = [];
  let sigTotal = 0;
  for (let i = 0; i < job.paths.length; i++) {
    if (job.known && unchanged(job.paths[i], job.known[2 * i], job.known[2 * i + 1], job.racyAfter)) {
      status[i] = 4; sizes[i] = job.known[2 * i]; mtimes[i] = job.known[2 * i + 1]; sigOffsets[i + 1] = sigTotal; continue;
    }
    const n = measureRead(job.paths[i], job.maxBytes);
    if (n === -3) { status[i] = 3; sizes[i] = sniffedSize; mtimes[i] = measuredMtime; continue; }
    if (n < 0) { status[i] = 1; continue; }
    sizes[i] = n;
    mtimes[i] = measuredMtime;
    if (n > job.maxBytes) { status[i] = 2; continue; }
    const view = buf.subarray(0, n);
    if (view.subarray(0, 8192).indexOf(0) !== -1) { status[i] = 3; continue; }
    let count = 0;
    for (let j = view.indexOf(10); j !== -1; j = view.indexOf(10, j + 1)) count++;
    lines[i] = n > 0 && view[n - 1] !== 10 ? count + 1 : count;
    if (job.signatures) {
      const sig = signature(view);
      parts.push(sig);
      sigTotal += sig.length;
    }
    sigOffsets[i + 1] = sigTotal;
  }
  for (let i = 0; i < job.paths.length; i++) if (sigOffsets[i + 1] < sigOffsets[i]) sigOffsets[i + 1] = sigOffsets[i];
  const sigs = new Uint8Array(sigTotal);
  let at = 0;
  for (const part of parts) { sigs.set(part, at); at += part.length; }
  return { status, sizes, lines, mtimes, sigs, sigOffsets };
}
const { searchText } = (${LINE_SEARCH_SOURCE})();
function scan(job) {
  const needle = job.needle ? finder(Buffer.from(job.needle)) : null;
  const ci = job.needleIgnoreCase ? new RegExp(job.needleIgnoreCase, 'i') : null;
  const pattern = {
    scan: new RegExp(job.pattern.source, job.pattern.flags + 'gm'),
    line: new RegExp(job.pattern.source, job.pattern.flags + 'm'),
    perLine: job.pattern.perLine,
  };
  const files = [];
  const matches = [];
  let count = 0;
  for (let i = 0; i < job.paths.length; i++) {
    const n = readWhole(job.paths[i], job.maxBytes);
    if (n < 0 || n > job.maxBytes) continue;
    const view = buf.subarray(0, n);
    if (needle && !needle(view)) continue;
    if (ci && !ci.test(view.latin1Slice(0, n))) continue;
    const found = searchText(view.toString('utf8'), pattern, job.maxResults - count, job.context);
    if (found.matches.length === 0 && !found.truncated) continue;
    files.push(i);
    matches.push(found.matches);
    count += found.matches.length;
    if (found.truncated) return { files, matches, more: true };
  }
  return { files, matches, more: false };
}
parentPort.on('message', ({ id, kind, job }) => {
  if (kind === 'measure') {
    const result = measure(job);
    parentPort.postMessage({ id, result }, [result.status.buffer, result.sizes.buffer, result.lines.buffer, result.mtimes.buffer, result.sigs.buffer, result.sigOffsets.buffer]);
  } else {
    parentPort.postMessage({ id, result: scan(job) });
  }
});
`;

/** Sizes, line counts and binary/size verdicts for files found by a walk. */
export interface MeasureJob {
  paths: string[];
  maxBytes: number;
  /** Also build trigram signatures (see trigramFilter.ts). */
  signatures: boolean;
  /** [size, mtimeMs] per path from an earlier load (NaN: unknown): a file stat'ed unchanged is not read (MEASURE_UNCHANGED). */
  known?: Float64Array;
  /** Modification times at or after this are never trusted (see `unchanged`). */
  racyAfter?: number;
}

export const MEASURE_OK = 0;
export const MEASURE_UNREADABLE = 1;
export const MEASURE_TOO_LARGE = 2;
export const MEASURE_BINARY = 3;
export const MEASURE_UNCHANGED = 4;

export interface MeasureResult {
  status: Int32Array;
  sizes: Float64Array;
  lines: Float64Array;
  /** fstat modification times. */
  mtimes: Float64Array;
  /** Signature of file i: sigs.subarray(sigOffsets[i], sigOffsets[i + 1]); empty when none. */
  sigs: Uint8Array;
  sigOffsets: Int32Array;
}

interface Pending {
  resolve: (result: never) => void;
  reject: (error: Error) => void;
}

class ScanWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  broken = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (msg: { id: number; result: never }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(msg.result);
    });
    const fail = (error: Error): void => {
      this.broken = true;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('scan worker exited')));
    // Idle workers must not keep the process alive; `run` refs while a job is out. After the
    // listeners: adding a 'message' listener refs the worker again, and a worker never given a
    // job would then hold the process open.
    this.worker.unref();
  }

  get load(): number {
    return this.pending.size;
  }

  run<T>(kind: 'scan' | 'measure', job: ScanJob | MeasureJob): Promise<T> {
    if (this.broken) return Promise.reject(new Error('scan worker unavailable'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: never) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, kind, job });
    });
  }
}

let pool: ScanWorker[] | undefined;

/** Number of scan workers: one per core, at most four (I/O stops scaling before that). */
export function scanParallelism(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores));
}

function leastBusy(): ScanWorker {
  if (!pool || pool.every((w) => w.broken)) pool = Array.from({ length: scanParallelism() }, () => new ScanWorker());
  return pool.filter((w) => !w.broken).reduce((a, b) => (b.load < a.load ? b : a));
}

/** Searches `job.paths` in a worker (workers are created on first use, shared process-wide). */
export function runScan(job: ScanJob): Promise<ScanResult> {
  return leastBusy().run<ScanResult>('scan', job);
}

/** Reads each file of `job.paths` once in a worker and reports what a file map needs to know. */
export function runMeasure(job: MeasureJob): Promise<MeasureResult> {
  return leastBusy().run<MeasureResult>('measure', job);
}
