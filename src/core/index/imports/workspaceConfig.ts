import picomatch from 'picomatch';
import { dirOf, joinPath } from './paths';

export type PackageKind = 'npm' | 'pnpm' | 'go' | 'cargo' | 'python' | 'maven';

export interface PackageInfo {
  name: string;
  /** Directory of the manifest, '' for the workspace root. */
  path: string;
  kind: PackageKind;
}

export interface NpmPackage {
  name: string;
  dir: string;
  manifest: Record<string, unknown>;
}

export interface TsPaths {
  /** Directory `paths` targets are relative to. */
  pathsBase: string;
  baseUrl: string | undefined;
  paths: Array<[pattern: string, targets: string[]]>;
}

/** What the resolvers need to know from manifests and compiler configs, read once per build. */
export interface WorkspaceConfig {
  packages: PackageInfo[];
  /** Named package.json files, longest name first (so `@a/b-c` wins over `@a/b`). */
  npm: NpmPackage[];
  /** go.mod modules, longest module path first. */
  goModules: Array<{ module: string; dir: string }>;
  goModuleDirs: Set<string>;
  /** Cargo crates by name as `use` spells it (dashes → underscores) → crate directory. */
  crates: Map<string, string>;
  cargoDirs: Set<string>;
  /** Directory → its tsconfig/jsconfig settings (only directories holding one). */
  tsconfigs: Map<string, TsPaths>;
}

export const MANIFEST_NAMES = new Set(['package.json', 'pnpm-workspace.yaml', 'go.mod', 'Cargo.toml', 'pyproject.toml', 'pom.xml', 'tsconfig.json', 'jsconfig.json']);

export function isManifest(path: string): boolean {
  return MANIFEST_NAMES.has(path.slice(path.lastIndexOf('/') + 1));
}

/** JSON with comments and trailing commas (tsconfig, jsconfig); undefined when it still does not parse. */
export function parseJsonc(text: string): Record<string, unknown> | undefined {
  const stripped = text.replace(/"(?:[^"\\]|\\.)*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m) => (m.startsWith('"') ? m : ''));
  const noTrailing = stripped.replace(/"(?:[^"\\]|\\.)*"|,(\s*[}\]])/g, (m, close: string | undefined) => (close !== undefined ? close : m));
  try {
    const value: unknown = JSON.parse(noTrailing);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `key = "value"` of a TOML table, by line scanning (enough for names in manifests). */
function tomlValue(text: string, table: string, key: string): string | undefined {
  let inTable = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inTable = line === `[${table}]`;
      continue;
    }
    if (!inTable) continue;
    const m = new RegExp(`^${key.replace(/\./g, '\\.')}\\s*=\\s*["']([^"']+)["']`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function pnpmGlobs(text: string): string[] {
  const globs: string[] = [];
  let inPackages = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '');
    if (/^\S/.test(line)) inPackages = /^packages\s*:/.test(line);
    else if (inPackages) {
      const m = /^\s*-\s*['"]?([^'"]+?)['"]?\s*$/.exec(line);
      if (m) globs.push(m[1]);
    }
  }
  return globs;
}

function pomArtifact(text: string): string | undefined {
  const body = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<parent>[\s\S]*?<\/parent>/g, '').replace(/<(dependencies|build|dependencyManagement|plugins|profiles)>[\s\S]*?<\/\1>/g, '');
  return /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(body)?.[1];
}

function tsPaths(dir: string, options: Record<string, unknown>, inherited: TsPaths | undefined): TsPaths | undefined {
  const baseUrl = typeof options.baseUrl === 'string' ? joinPath(dir, options.baseUrl) ?? dir : inherited?.baseUrl;
  let paths = inherited?.paths ?? [];
  let pathsBase = inherited?.pathsBase ?? baseUrl ?? dir;
  if (options.paths && typeof options.paths === 'object') {
    paths = Object.entries(options.paths as Record<string, unknown>)
      .filter((e): e is [string, string[]] => Array.isArray(e[1]))
      .map(([pattern, targets]) => [pattern, targets.filter((t) => typeof t === 'string')]);
    pathsBase = baseUrl ?? dir;
  }
  if (baseUrl === undefined && paths.length === 0) return undefined;
  return { pathsBase, baseUrl, paths };
}

/**
 * Reads every manifest and compiler config among `files` (through `read`, which may throw for a
 * file that vanished). Unparsable manifests are skipped: a broken package.json must not stop a build.
 */
export function readWorkspaceConfig(files: Iterable<string>, read: (path: string) => string | undefined): WorkspaceConfig {
  const packages: PackageInfo[] = [];
  const npm: NpmPackage[] = [];
  const goModules: Array<{ module: string; dir: string }> = [];
  const crates = new Map<string, string>();
  const cargoDirs = new Set<string>();
  const tsconfigPaths: string[] = [];
  const pnpmMatchers: Array<{ dir: string; match: (p: string) => boolean }> = [];
  const npmManifests: string[] = [];
  // A set of paths is its own lookup (a kernel's 83k paths need not be copied).
  const given = files instanceof Set ? (files as ReadonlySet<string>) : undefined;
  const has: Set<string> | ReadonlySet<string> = given ?? new Set<string>();

  for (const path of files) {
    if (!given) (has as Set<string>).add(path);
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (!MANIFEST_NAMES.has(name)) continue;
    const dir = dirOf(path);
    if (name === 'tsconfig.json' || name === 'jsconfig.json') {
      tsconfigPaths.push(path);
      continue;
    }
    const text = read(path);
    if (text === undefined) continue;
    switch (name) {
      case 'package.json':
        npmManifests.push(path);
        break;
      case 'pnpm-workspace.yaml': {
        const globs = pnpmGlobs(text).map((g) => g.replace(/\/+$/, ''));
        if (globs.length) {
          const match = picomatch(globs.filter((g) => !g.startsWith('!')), { ignore: globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1)) });
          pnpmMatchers.push({ dir, match });
        }
        break;
      }
      case 'go.mod': {
        const module = /^\s*module\s+"?([^\s"]+)"?/m.exec(text)?.[1];
        if (module) {
          goModules.push({ module, dir });
          packages.push({ name: module, path: dir, kind: 'go' });
        }
        break;
      }
      case 'Cargo.toml': {
        cargoDirs.add(dir);
        const crate = tomlValue(text, 'package', 'name');
        if (crate) {
          crates.set(crate.replace(/-/g, '_'), dir);
          packages.push({ name: crate, path: dir, kind: 'cargo' });
        }
        break;
      }
      case 'pyproject.toml': {
        const project = tomlValue(text, 'project', 'name') ?? tomlValue(text, 'tool.poetry', 'name');
        if (project) packages.push({ name: project, path: dir, kind: 'python' });
        break;
      }
      case 'pom.xml': {
        const artifact = pomArtifact(text);
        if (artifact) packages.push({ name: artifact, path: dir, kind: 'maven' });
        break;
      }
    }
  }

  for (const path of npmManifests) {
    const manifest = parseJsonc(read(path) ?? '');
    if (!manifest || typeof manifest.name !== 'string' || manifest.name === '') continue;
    const dir = dirOf(path);
    const viaPnpm = pnpmMatchers.some((m) => {
      if (m.dir !== '' && !dir.startsWith(m.dir + '/')) return false;
      const rel = m.dir === '' ? dir : dir.slice(m.dir.length + 1);
      return rel !== '' && m.match(rel);
    }) || (dir === '' && pnpmMatchers.some((m) => m.dir === ''));
    npm.push({ name: manifest.name, dir, manifest });
    packages.push({ name: manifest.name, path: dir, kind: viaPnpm ? 'pnpm' : 'npm' });
  }
  npm.sort((a, b) => b.name.length - a.name.length);
  goModules.sort((a, b) => b.module.length - a.module.length);

  const tsconfigs = new Map<string, TsPaths>();
  for (const path of tsconfigPaths) {
    const config = parseJsonc(read(path) ?? '');
    if (!config) continue;
    const dir = dirOf(path);
    let inherited: TsPaths | undefined;
    // `extends`, one level, for a relative file inside the workspace (a package preset has no paths worth following).
    if (typeof config.extends === 'string' && config.extends.startsWith('.')) {
      let base = joinPath(dir, config.extends);
      if (base !== undefined && !has.has(base) && has.has(base + '.json')) base += '.json';
      const parent = base !== undefined && has.has(base) ? parseJsonc(read(base) ?? '') : undefined;
      const parentOptions = parent?.compilerOptions;
      if (base !== undefined && parentOptions && typeof parentOptions === 'object') inherited = tsPaths(dirOf(base), parentOptions as Record<string, unknown>, undefined);
    }
    const options = config.compilerOptions && typeof config.compilerOptions === 'object' ? (config.compilerOptions as Record<string, unknown>) : {};
    const settings = tsPaths(dir, options, inherited);
    // tsconfig.json wins over jsconfig.json in the same directory.
    if (settings && (!tsconfigs.has(dir) || path.endsWith('tsconfig.json'))) tsconfigs.set(dir, settings);
  }

  packages.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : 1));
  return { packages, npm, goModules, goModuleDirs: new Set(goModules.map((m) => m.dir)), crates, cargoDirs, tsconfigs };
}
