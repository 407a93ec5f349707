// How a parser thread hands its symbols over: as UTF-8 in one transferred buffer, not as strings.
import type { ParseOutcome } from './symbolWorker';

/**
 * Symbols as JSON of SymbolRecord[]: a string, or where it sits in a buffer (UTF-8) — how a parser thread hands them
 * over (see `packTexts`).
 */
export type SymbolText = string | { body: Buffer; off: number; len: number };

/** The JSON text itself. */
export function symbolTextString(text: SymbolText): string {
  return typeof text === 'string' ? text : text.body.toString('utf8', text.off, text.off + text.len);
}

/**
 * Moves the results' symbol texts into one buffer, handed over whole rather than copied: on the receiving thread they
 * then live outside its JavaScript heap (a kernel's come to some 270 MB), which its garbage collector does not copy
 * out of the young generation (on the kernel's drivers, a third less collection work in all; the longest single
 * pause was not shorter). Each text is left as { off, len } (its bytes in `texts`); see `unpackTexts`.
 */
export function packTexts(results: ParseOutcome[]): ArrayBuffer {
  let total = 0;
  for (const r of results) if ((r.kind === 'parsed' || r.kind === 'region') && typeof r.data === 'string') total += Buffer.byteLength(r.data);
  const texts = new ArrayBuffer(total);
  const into = Buffer.from(texts);
  let off = 0;
  for (const r of results) {
    if ((r.kind !== 'parsed' && r.kind !== 'region') || typeof r.data !== 'string') continue;
    const len = into.write(r.data, off, 'utf8');
    (r as { data: unknown }).data = { off, len };
    off += len;
  }
  return texts;
}

/** The results as a parser thread sent them, their texts read back from `texts` in place (no copy). */
export function unpackTexts(results: ParseOutcome[], texts: ArrayBuffer | undefined): ParseOutcome[] {
  if (!texts) return results;
  const body = Buffer.from(texts);
  for (const r of results) {
    if ((r.kind !== 'parsed' && r.kind !== 'region') || typeof r.data === 'string') continue;
    const { off, len } = r.data as { off: number; len: number };
    r.data = { body, off, len };
  }
  return results;
}
