/**
 * Per-file trigram signatures: a small Bloom filter (about 1/32 of the file) of every 3-byte
 * window, computed by the load workers while they read each file anyway. Grep asks it first:
 * a file whose signature lacks one of a literal's trigrams cannot contain the literal, so most
 * files are dismissed without being opened again — which is how a search over a loaded map beats
 * one that must read the whole tree.
 *
 * Bytes are folded with `| 32` (ASCII case, and a few punctuation pairs) on both sides, so one
 * signature serves case-sensitive and case-insensitive literals; folding only adds false positives.
 * THE SAME HASH is written out in the worker source (scanWorkers.ts): change both together.
 */

const GOLDEN = 0x9e3779b1;
export const MIN_SIGNATURE_BYTES = 32;
export const MAX_SIGNATURE_BYTES = 16384;
/** Once a map's signatures reach this, later files go without (and are simply always searched). */
export const SIGNATURE_BUDGET_BYTES = 64 * 1024 * 1024;

/** Signature size for a file of `size` bytes: a power of two near size/32, clamped. */
export function signatureBytes(size: number): number {
  let bytes = MIN_SIGNATURE_BYTES;
  while (bytes * 32 < size && bytes < MAX_SIGNATURE_BYTES) bytes *= 2;
  return bytes;
}

/** Builds the signature of `content` (the main-thread twin of the worker's code, used in tests). */
export function buildSignature(content: Uint8Array): Uint8Array {
  const sig = new Uint8Array(signatureBytes(content.length));
  const shift = 32 - Math.log2(sig.length * 8);
  if (content.length < 3) return sig;
  let h = ((content[0] | 32) << 8) | (content[1] | 32);
  for (let i = 2; i < content.length; i++) {
    h = ((h << 8) | (content[i] | 32)) & 0xffffff;
    const k = Math.imul(h, GOLDEN) >>> shift;
    sig[k >> 3] |= 1 << (k & 7);
  }
  return sig;
}

/** The folded trigrams of a literal (UTF-8 bytes); empty when it is shorter than three bytes. */
export function literalTrigrams(bytes: Uint8Array): number[] {
  const out = new Set<number>();
  for (let i = 2; i < bytes.length; i++) out.add(((bytes[i - 2] | 32) << 16) | ((bytes[i - 1] | 32) << 8) | (bytes[i] | 32));
  return [...out];
}

/** False only when the file certainly does not contain the literal the trigrams came from. */
export function mayContain(signature: Uint8Array | undefined, trigrams: readonly number[]): boolean {
  if (!signature || trigrams.length === 0) return true;
  const shift = 32 - Math.log2(signature.length * 8);
  for (const t of trigrams) {
    const k = Math.imul(t, GOLDEN) >>> shift;
    if ((signature[k >> 3] & (1 << (k & 7))) === 0) return false;
  }
  return true;
}
