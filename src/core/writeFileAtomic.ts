import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Bytes handed to one write call when the data comes in parts: each part's encoding and copy stays short. */
const RUN_BYTES = 4 * 1024 * 1024;
/** Buffers in one writev call (below the usual IOV_MAX of 1024). */
const RUN_PARTS = 512;

/**
 * Writes `data` to a temporary file beside `file` and renames it over `file`, creating the folder first: a reader
 * (or a crash) never sees half a file. On failure the temporary file is removed and the error thrown.
 *
 * `data` may be a list of parts (strings are written as UTF-8): they are written in runs of a few MB, each encoded
 * on its own, so a cache of hundreds of MB never holds the event loop the way encoding it in one piece would.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | readonly (string | Uint8Array)[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await fs.writeFile(temp, data);
    else await writeParts(temp, data);
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

async function writeParts(file: string, parts: readonly (string | Uint8Array)[]): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    for (let i = 0; i < parts.length; ) {
      const run: Uint8Array[] = [];
      let bytes = 0;
      while (i < parts.length && bytes < RUN_BYTES && run.length < RUN_PARTS) {
        const part = parts[i++]!;
        const buf = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
        run.push(buf);
        bytes += buf.length;
      }
      await handle.writev(run);
    }
  } finally {
    await handle.close();
  }
}
