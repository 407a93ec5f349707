import * as fs from 'node:fs';

/** Bytes inspected for a NUL to call a file binary (what git and ripgrep do, more or less). */
export const BINARY_SNIFF_BYTES = 8192;

export type ReadOutcome =
  | { kind: 'ok'; buf: Buffer; size: number; release: () => void; /** From the open file's fstat (absent for in-memory text). */ mtimeMs?: number }
  | { kind: 'too-large'; size: number; mtimeMs?: number }
  | { kind: 'not-file' }
  | { kind: 'error'; error: NodeJS.ErrnoException };

/**
 * Reusable read buffers: a walk or a grep reads tens of thousands of files and keeps none of them,
 * so recycling avoids allocating (and collecting) the whole corpus once more.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  constructor(readonly bufferSize: number, private readonly keep: number) {}

  take(size: number): { buf: Buffer; release: () => void } {
    if (size > this.bufferSize) return { buf: Buffer.allocUnsafe(size), release: noop };
    const buf = this.free.pop() ?? Buffer.allocUnsafe(this.bufferSize);
    let released = false;
    return {
      buf,
      release: () => {
        if (released) return;
        released = true;
        if (this.free.length < this.keep) this.free.push(buf);
      },
    };
  }
}

function noop(): void {}

/**
 * Reads a regular file whole unless it is larger than `maxBytes`. The returned buffer may be
 * longer than the file (it can come from `pool`): only `buf.subarray(0, size)` is content, and
 * `release()` must be called once the caller is done with it.
 * Uses the callback API: one thread-pool round trip per syscall, without FileHandle bookkeeping.
 */
export function readBounded(absPath: string, maxBytes: number, pool?: BufferPool): Promise<ReadOutcome> {
  return new Promise((resolve) => {
    fs.open(absPath, 'r', (openErr, fd) => {
      if (openErr) return resolve({ kind: 'error', error: openErr });
      const finish = (outcome: ReadOutcome): void => {
        fs.close(fd, () => resolve(outcome));
      };
      fs.fstat(fd, (statErr, st) => {
        if (statErr) return finish({ kind: 'error', error: statErr });
        if (!st.isFile()) return finish({ kind: 'not-file' });
        if (st.size > maxBytes) return finish({ kind: 'too-large', size: st.size, mtimeMs: st.mtimeMs });
        const size = st.size;
        if (size === 0) return finish({ kind: 'ok', buf: Buffer.alloc(0), size: 0, release: noop, mtimeMs: st.mtimeMs });
        const { buf, release } = pool ? pool.take(size) : { buf: Buffer.allocUnsafe(size), release: noop };
        let filled = 0;
        // Reads the size fstat reported; a file changing under us yields a consistent prefix, which is
        // fine for a snapshot (one syscall per file instead of reading on until EOF).
        const step = (): void => {
          fs.read(fd, buf, filled, size - filled, filled, (readErr, n) => {
            if (readErr) {
              release();
              return finish({ kind: 'error', error: readErr });
            }
            filled += n;
            if (n === 0 || filled >= size) return finish({ kind: 'ok', buf, size: filled, release, mtimeMs: st.mtimeMs });
            step();
          });
        };
        step();
      });
    });
  });
}

/** Non-blocking open for synchronous reads: a FIFO swapped in since the walk must not hang the thread. */
const SYNC_OPEN_FLAGS = fs.constants.O_NONBLOCK === undefined ? 'r' : fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/** `readBounded` on the calling thread, for callers that must not return a Promise. */
export function readBoundedSync(absPath: string, maxBytes: number): ReadOutcome {
  let fd: number;
  try {
    fd = fs.openSync(absPath, SYNC_OPEN_FLAGS);
  } catch (error) {
    return { kind: 'error', error: error as NodeJS.ErrnoException };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { kind: 'not-file' };
    if (st.size > maxBytes) return { kind: 'too-large', size: st.size };
    const buf = Buffer.allocUnsafe(st.size);
    let filled = 0;
    while (filled < st.size) {
      const n = fs.readSync(fd, buf, filled, st.size - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { kind: 'ok', buf, size: filled, release: noop, mtimeMs: st.mtimeMs };
  } catch (error) {
    return { kind: 'error', error: error as NodeJS.ErrnoException };
  } finally {
    fs.closeSync(fd);
  }
}

/** True when the first 8 KiB contain a NUL byte. */
export function isBinary(content: Buffer): boolean {
  const head = content.length > BINARY_SNIFF_BYTES ? content.subarray(0, BINARY_SNIFF_BYTES) : content;
  return head.indexOf(0) !== -1;
}

/** Lines as an editor shows them: count of '\n', plus one for a final line without newline. */
export function countLines(content: Buffer): number {
  const len = content.length;
  if (len === 0) return 0;
  let lines = 0;
  let i = content.indexOf(10, 0);
  while (i !== -1) {
    lines++;
    i = content.indexOf(10, i + 1);
  }
  return content[len - 1] === 10 ? lines : lines + 1;
}

/** Lossy UTF-8: invalid sequences become U+FFFD rather than making the file unreadable. */
export function decodeText(content: Buffer): string {
  return content.toString('utf8');
}

/** Same line rule as `countLines`, for text already decoded (virtual maps). */
export function countTextLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 0;
  let i = text.indexOf('\n');
  while (i !== -1) {
    lines++;
    i = text.indexOf('\n', i + 1);
  }
  return text.charCodeAt(text.length - 1) === 10 ? lines : lines + 1;
}
