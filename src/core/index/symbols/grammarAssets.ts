import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LANGUAGES } from './languages';
import type { WorkerSetup } from './symbolWorker';

/** Bump when extraction changes what a file's symbols are, so cached records are re-parsed. */
const EXTRACTOR_VERSION = 3;

/**
 * Where a packaged asset lives: beside the bundle (dist/grammars/<pkg>/<file>, copied by
 * esbuild.config.mjs) first, else in node_modules (tests, development).
 */
export function assetPath(pkg: string, file: string): string {
  const bundled = path.join(__dirname, 'grammars', pkg, file);
  if (fs.existsSync(bundled)) return bundled;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
  } catch {
    // web-tree-sitter's package.json is not exported; its entry point sits beside the .wasm.
    return path.join(path.dirname(require.resolve(pkg)), file);
  }
}

/** The worker script: dist/symbolWorker.js in the bundle, symbolWorker.js beside this file otherwise. */
export function workerScript(): string {
  return path.join(__dirname, 'symbolWorker.js');
}

let setup: WorkerSetup | undefined;
const versions = new Map<string, string>();

/** Grammar paths and the combined query (extra patterns, then the shipped tags.scm) per language. */
export function workerSetup(): WorkerSetup {
  if (setup) return setup;
  const languages: WorkerSetup['languages'] = {};
  for (const spec of Object.values(LANGUAGES)) {
    const tags = spec.tags.map((pkg) => fs.readFileSync(assetPath(pkg, 'queries/tags.scm'), 'utf8'));
    languages[spec.id] = { wasm: assetPath(spec.pkg, spec.wasm), query: [spec.extra, ...tags].join('\n'), skeleton: spec.skeleton };
  }
  setup = { runtimeWasm: assetPath('web-tree-sitter', 'web-tree-sitter.wasm'), languages };
  return setup;
}

/**
 * Changes whenever a language's grammar, queries or extractor change: the cache key beside content hashes. The same
 * on every machine with the same Recurse (index packs travel between them): the grammar and runtime packages by name
 * and version, the grammar file by its size — never a file time, which a copy or a rebuilt bundle changes.
 */
export function grammarVersion(language: string): string {
  let v = versions.get(language);
  if (!v) {
    const spec = workerSetup().languages[language];
    const pkg = Object.values(LANGUAGES).find((l) => l.id === language)?.pkg;
    const h = createHash('sha1').update(String(EXTRACTOR_VERSION)).update(spec ? spec.query + JSON.stringify(spec.skeleton ?? null) : 'none');
    h.update(`${packageVersion('web-tree-sitter')}|${pkg ? `${pkg}@${packageVersion(pkg)}` : ''}`);
    // Not the wasm's bytes: hashing megabytes of wasm per language cost a warm reload a fifth of its time.
    const st = spec && fs.statSync(spec.wasm, { throwIfNoEntry: false });
    if (st) h.update(String(st.size));
    v = h.digest('base64').slice(0, 12);
    versions.set(language, v);
  }
  return v;
}

const packageVersions = new Map<string, string>();

/** A grammar package's version, from its package.json beside the bundle's copy (or in node_modules); read once. */
function packageVersion(pkg: string): string {
  let v = packageVersions.get(pkg);
  if (v === undefined) {
    try {
      v = String((JSON.parse(fs.readFileSync(assetPath(pkg, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '');
    } catch {
      v = '';
    }
    packageVersions.set(pkg, v);
  }
  return v;
}
