import { Worker } from 'node:worker_threads';
import type { FileMap } from '../../workspace/fileMap';
import { scanParallelism } from '../../workspace/scanWorkers';
import { IMPORT_EXTRACTOR_SOURCE, ImportLanguage, RawImport, importExtractorKit } from './importExtractor';

// Plain JS evaluated in the worker, so it survives bundling (no separate file to locate).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const kit = (${IMPORT_EXTRACTOR_SOURCE})();
let buf = Buffer.allocUnsafe(1 << 20);
function readWhole(path, maxBytes) {
  let fd;
  try { fd = fs.openSync(path, 'r'); } catch { return -1; }
  try {
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > maxBytes) return -1;
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = fs.readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) return n > maxBytes ? -1 : n;
      n += got;
    }
  } catch { return -1; } finally { fs.closeSync(fd); }
}
parentPort.on('message', ({ id, paths, languages, maxBytes }) => {
  const results = [];
  for (let i = 0; i < paths.length; i++) {
    const n = readWhole(paths[i], maxBytes);
    results.push(n < 0 ? null : kit.extractBytes(buf, n, languages[i]));
  }
  parentPort.postMessage({ id, results });
});
`;

export interface ExtractTarget {
  path: string;
  language: ImportLanguage;
  size: number;
}

export interface ExtractOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Below this much text, starting workers costs more than it saves. */
const IN_PROCESS_BYTES = 4 * 1024 * 1024;
const BATCH_BYTES = 2 * 1024 * 1024;
const BATCH_FILES = 500;

let localKit: ReturnType<typeof importExtractorKit> | undefined;

export function extractorKit(): ReturnType<typeof importExtractorKit> {
  return (localKit ??= importExtractorKit());
}

/** Extracts one text on the calling thread. */
export function extractText(text: string, language: ImportLanguage): RawImport[] {
  return extractorKit().extract(text, language);
}

function extractInProcess(map: FileMap, target: ExtractTarget): RawImport[] | null {
  const peeked = map.peekText(target.path);
  if (peeked !== undefined) return extractText(peeked, target.language);
  const read = map.readRawSync(target.path);
  if (read.kind !== 'ok') return null;
  try {
    return extractorKit().extractBytes(read.buf, read.size, target.language);
  } finally {
    read.release();
  }
}

/**
 * Raw imports of every target, in target order (null for a file that could not be read). Large
 * workspaces are read and scanned on worker threads in batches; the main thread only resolves.
 */
export async function extractAll(map: FileMap, targets: ExtractTarget[], options: ExtractOptions = {}): Promise<Array<RawImport[] | null>> {
  const results: Array<RawImport[] | null> = new Array(targets.length).fill(null);
  const total = targets.length;
  const totalBytes = targets.reduce((n, t) => n + t.size, 0);
  const workers = Math.min(scanParallelism(), Math.ceil(totalBytes / BATCH_BYTES));
  if (map.isVirtual || totalBytes < IN_PROCESS_BYTES || workers < 2) {
    for (let i = 0; i < total; i++) {
      if (options.signal?.aborted) throw abortError(options.signal);
      results[i] = extractInProcess(map, targets[i]);
      if ((i & 255) === 255) {
        options.onProgress?.(i + 1, total);
        await new Promise<void>((r) => setImmediate(r)); // let the caller's timers and cancellation run
      }
    }
    options.onProgress?.(total, total);
    return results;
  }

  const batches: Array<[start: number, end: number]> = [];
  for (let start = 0; start < total; ) {
    let end = start;
    let bytes = 0;
    while (end < total && end - start < BATCH_FILES && (bytes < BATCH_BYTES || end === start)) bytes += targets[end++].size;
    batches.push([start, end]);
    start = end;
  }
  const pool = Array.from({ length: workers }, () => new Worker(WORKER_SOURCE, { eval: true }));
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const onAbort = (): void => fail(abortError(options.signal!));
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        options.signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      if (options.signal?.aborted) return fail(abortError(options.signal));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let running = 0;
      const feed = (worker: Worker): void => {
        if (failed) return;
        if (next >= batches.length) {
          if (running === 0) {
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          }
          return;
        }
        const id = next++;
        const [start, end] = batches[id];
        running++;
        const slice = targets.slice(start, end);
        worker.postMessage({ id, paths: slice.map((t) => map.absolutePath(t.path)), languages: slice.map((t) => t.language), maxBytes: map.maxFileBytes });
      };
      for (const worker of pool) {
        worker.on('message', (msg: { id: number; results: Array<RawImport[] | null> }) => {
          running--;
          const [start] = batches[msg.id];
          for (let i = 0; i < msg.results.length; i++) results[start + i] = msg.results[i];
          done += msg.results.length;
          options.onProgress?.(done, total);
          feed(worker);
        });
        worker.on('error', fail);
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('import graph build cancelled');
}
