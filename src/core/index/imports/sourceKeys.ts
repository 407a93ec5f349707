// What keys the import caches to the code that made them: the extractor's (imports.json) and the resolver's
// (resolved.json). In a bundle the keys are hashes of the source files, fixed at build time (esbuild's `define`, see
// esbuild.config.mjs), so every bundle — `recurse index`, the rest of the CLI, the extension — reads what another
// wrote: a function's text differs from bundle to bundle (the bundler renames identifiers to keep them apart), and
// keying on it made each bundle throw the others' caches away. Run from tsc's output (the tests), the functions'
// own text is hashed.
import { createHash } from 'node:crypto';

declare const RECURSE_RESOLVER_KEY: string | undefined;
declare const RECURSE_EXTRACTOR_KEY: string | undefined;

function textKey(...texts: string[]): string {
  const hash = createHash('sha256');
  for (const text of texts) hash.update(text);
  return hash.digest('hex').slice(0, 16);
}

/** The import resolver's key, or (unbundled) a hash of these functions' text. */
export function resolverKey(...code: { toString(): string }[]): string {
  return typeof RECURSE_RESOLVER_KEY === 'string' ? RECURSE_RESOLVER_KEY : textKey(...code.map(String));
}

/** The import extractor's key, or (unbundled) a hash of its source. */
export function extractorKey(source: string): string {
  return typeof RECURSE_EXTRACTOR_KEY === 'string' ? RECURSE_EXTRACTOR_KEY : textKey(source);
}
