import type { FileMap } from '../workspace/fileMap';
import type { ImportGraph } from './imports/importGraph';

/**
 * Monorepo scoping: a question limited to one package or directory. The scope is a directory of the workspace
 * (`packages/core`) or a package name from packages() (`@mono/core`); the scoped map holds only its files, so the
 * metadata, every helper and citation checking stay inside it.
 */
export interface Scope {
  /** What the user asked for. */
  spec: string;
  /** The directory it resolved to ('' for the whole workspace). */
  dir: string;
  /** The package name when the scope is a package. */
  packageName?: string;
  map: FileMap;
}

export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

function normalizeDir(spec: string): string {
  return spec.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
}

export async function resolveScope(map: FileMap, spec: string, graph: () => Promise<ImportGraph>): Promise<Scope> {
  const dir = normalizeDir(spec.trim());
  if (dir === '' || dir === '.') return { spec, dir: '', map };
  if (dir.startsWith('../') || dir.startsWith('/')) throw new ScopeError(`scope must be inside the workspace: ${spec}`);
  const under = (d: string) => map.files().filter((f) => f.path.startsWith(`${d}/`)).map((f) => f.path);
  const inDir = under(dir);
  if (inDir.length > 0) return { spec, dir, map: map.subset(inDir) };
  const packages = (await graph()).packages();
  const pkg = packages.find((p) => p.name === spec.trim());
  if (pkg) {
    const files = pkg.path ? under(pkg.path) : map.files().map((f) => f.path);
    if (files.length === 0) throw new ScopeError(`package ${pkg.name} (${pkg.path}) has no files in the workspace map`);
    return { spec, dir: pkg.path, packageName: pkg.name, map: map.subset(files) };
  }
  const names = packages.map((p) => p.name).slice(0, 20);
  throw new ScopeError(
    `unknown scope "${spec}": not a directory with files and not a package` + (names.length ? ` (packages: ${names.join(', ')})` : ''),
  );
}

/** What a result reports about its scope (the map stays with the caller). */
export type ScopeInfo = Pick<Scope, 'spec' | 'dir' | 'packageName'>;

export function scopeInfo(scope: Scope): ScopeInfo {
  return { spec: scope.spec, dir: scope.dir, ...(scope.packageName ? { packageName: scope.packageName } : {}) };
}

/** True when a workspace path lies inside the scope's directory ('' is the whole workspace). */
export function inScopeDir(dir: string, path: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** How a scope reads in a report line: `@mono/core (packages/core)`, `packages/core`, or `.`. */
export function scopeLabel(scope: ScopeInfo): string {
  return scope.packageName ? `${scope.packageName} (${scope.dir || '.'})` : scope.dir || '.';
}
