// Whole-file reads of the caches a warm open starts from (the map snapshot, the symbol cache, the resolved import
// graph). A file is read in a few large pieces on libuv's threads at once (fs.promises.readFile reads 512 KiB at a
// time, a round trip through the thread pool each). A command that knows what it is about to read can start the
// reads up front (`prefetchFiles`), so they run while it does other work; each prefetched read is handed out once,
// and whoever takes it checks what it holds as it would a fresh read (the caches carry their own keys).
import * as fs from 'node:fs';

/** Pieces a large file is read in at once: libuv's threads fault its pages in side by side. */
const READ_PIECES = 4;
const PIECE_MIN_BYTES = 4 << 20;

const prefetched = new Map<string, Promise<Buffer>>();
/** Files already read: a prefetch started after that would hold its buffer for nobody. */
const asked = new Set<string>();

/**
 * Starts reading these files whole; `readWholeFile` of one of them then takes that read instead of starting one.
 * Settles when all of them are read (or failed: a missing cache is not an error until someone asks for it).
 */
export async function prefetchFiles(files: readonly string[]): Promise<void> {
  const reads: Promise<unknown>[] = [];
  for (const file of files) {
    if (prefetched.has(file) || asked.has(file)) continue;
    const read = readPieces(file);
    prefetched.set(file, read);
    reads.push(read.catch(() => undefined));
  }
  await Promise.all(reads);
}

/** The whole file: the read `prefetchFiles` started (taken once), or a read started now. */
export function readWholeFile(file: string): Promise<Buffer> {
  asked.add(file);
  const early = prefetched.get(file);
  if (early) {
    prefetched.delete(file);
    return early;
  }
  return readPieces(file);
}

async function readPieces(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.allocUnsafe(size);
    const pieces = Math.max(1, Math.min(READ_PIECES, Math.floor(size / PIECE_MIN_BYTES)));
    const step = Math.ceil(size / pieces);
    const filled = await Promise.all(Array.from({ length: pieces }, async (_, i) => {
      const from = i * step;
      const to = Math.min(size, from + step);
      let off = from;
      while (off < to) {
        const { bytesRead } = await handle.read(buf, off, to - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return off - from;
    }));
    const total = filled.reduce((a, b) => a + b, 0);
    // A file that shrank while being read: only its first piece is whole (the caller's checks then fail).
    return total === size ? buf : buf.subarray(0, filled[0]);
  } finally {
    await handle.close();
  }
}
