import { EventLoopSlices } from '../../eventLoopSlices';
import type { ImportLanguage, RawImport } from './importExtractor';
import { baseName, dirOf, joinPath, nearest } from './paths';
import type { NpmPackage, TsPaths, WorkspaceConfig } from './workspaceConfig';

/** A resolved import: `to` a file; `packageDir` when the import names a whole directory (a Go package, a Java wildcard). */
export interface Resolution {
  specifier: string;
  to: string | undefined;
  packageDir?: string;
}

const JS_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
// TypeScript's rule: a '.js' specifier names the '.ts' source it compiles from.
const JS_SOURCE_FOR: Record<string, string[]> = { '.js': ['.ts', '.tsx', '.d.ts'], '.jsx': ['.tsx'], '.mjs': ['.mts', '.d.mts'], '.cjs': ['.cts', '.d.cts'] };
const PY_EXT = /\.pyi?$/;

/**
 * Precomputed lookup tables over the workspace's paths, and one resolver per language on top of
 * them: every resolution is a handful of Map lookups, never a filesystem call.
 */
export class ImportResolver {
  private readonly files: Set<string>;
  private readonly dirFiles = new Map<string, string[]>();
  private readonly byBase = new Map<string, string[]>();
  private readonly dirsByName = new Map<string, string[]>();
  /** Path below an `include` (or `include/uapi`) directory → the files there. */
  private readonly includeIndex = new Map<string, string[]>();
  private pyModules: Map<string, string[]> | undefined;
  private readonly tsconfigForDir = new Map<string, TsPaths | null>();
  private readonly cargoForDir = new Map<string, string | null>();
  private readonly goModuleForDir = new Map<string, string | null>();

  constructor(paths: Iterable<string>, private readonly config: WorkspaceConfig) {
    this.files = new Set(paths);
    for (const p of this.files) this.addPath(p);
    for (const list of this.dirFiles.values()) list.sort();
  }

  /** The same resolver, its tables built a slice of milliseconds at a time (a kernel's 83k paths took ~300 ms). */
  static async inSlices(paths: Iterable<string>, config: WorkspaceConfig): Promise<ImportResolver> {
    const resolver = new ImportResolver([], config);
    const slices = new EventLoopSlices();
    for (const p of paths) {
      if (resolver.files.has(p)) continue;
      resolver.files.add(p);
      resolver.addPath(p);
      await slices.yield();
    }
    for (const list of resolver.dirFiles.values()) {
      list.sort();
      await slices.yield();
    }
    return resolver;
  }

  private addPath(p: string): void {
    const dir = dirOf(p);
    let list = this.dirFiles.get(dir);
    if (!list) {
      list = [];
      this.dirFiles.set(dir, list);
      this.indexDir(dir);
    }
    list.push(p);
    push(this.byBase, baseName(p), p);
    const segments = p.split('/');
    for (let i = 0; i < segments.length - 1; i++) {
      if (segments[i] !== 'include') continue;
      push(this.includeIndex, segments.slice(i + 1).join('/'), p);
      if (segments[i + 1] === 'uapi' && i + 2 < segments.length - 1) push(this.includeIndex, segments.slice(i + 2).join('/'), p);
    }
  }

  private indexDir(dir: string): void {
    // Parent directories without files of their own still name Java packages.
    for (let d = dir; d !== ''; d = dirOf(d)) {
      const list = this.dirsByName.get(baseName(d));
      if (list?.includes(d)) return;
      push(this.dirsByName, baseName(d), d);
    }
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** Non-test source files of a Go package or Java package directory. */
  packageFiles(dir: string, from: string): string[] {
    const list = this.dirFiles.get(dir) ?? [];
    if (from.endsWith('.go')) return list.filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
    if (from.endsWith('.java')) return list.filter((f) => f.endsWith('.java'));
    return list;
  }

  resolve(from: string, raw: RawImport, language: ImportLanguage): Resolution[] {
    switch (language) {
      case 'js':
        return [{ specifier: raw.s, to: this.resolveJs(from, raw.s) }];
      case 'py':
        return this.resolvePy(from, raw);
      case 'go':
        return [this.resolveGo(from, raw.s)];
      case 'rs':
        return [{ specifier: raw.s, to: raw.k === 'mod' ? this.resolveRustMod(from, raw.s) : this.resolveRustUse(from, raw.s) }];
      case 'java':
        return [this.resolveJava(from, raw)];
      case 'c':
        return [{ specifier: raw.s, to: this.resolveC(from, raw.s, raw.n?.[0] === '<') }];
    }
  }

  // ---- TypeScript / JavaScript

  private resolveJs(from: string, spec: string): string | undefined {
    if (spec.startsWith('.')) {
      const base = joinPath(dirOf(from), spec);
      return base === undefined ? undefined : this.jsFile(base);
    }
    if (spec.startsWith('/') || /^[a-z]+:/i.test(spec)) return undefined;
    const ts = this.tsconfigFor(dirOf(from));
    if (ts) {
      for (const [pattern, targets] of ts.paths) {
        const star = pattern.indexOf('*');
        let captured: string | undefined;
        if (star === -1) captured = pattern === spec ? '' : undefined;
        else if (spec.length >= pattern.length - 1 && spec.startsWith(pattern.slice(0, star)) && spec.endsWith(pattern.slice(star + 1))) {
          captured = spec.slice(star, spec.length - (pattern.length - star - 1));
        }
        if (captured === undefined) continue;
        for (const target of targets) {
          const p = joinPath(ts.pathsBase, target.replace('*', captured));
          const hit = p === undefined ? undefined : this.jsFile(p);
          if (hit) return hit;
        }
      }
      if (ts.baseUrl !== undefined) {
        const p = joinPath(ts.baseUrl, spec);
        const hit = p === undefined ? undefined : this.jsFile(p);
        if (hit) return hit;
      }
    }
    for (const pkg of this.config.npm) {
      if (spec === pkg.name) return this.packageEntry(pkg);
      if (spec.startsWith(pkg.name + '/')) return this.packageSubpath(pkg, spec.slice(pkg.name.length + 1));
    }
    return undefined;
  }

  private jsFile(base: string): string | undefined {
    if (this.files.has(base) && base !== '') return base;
    const dot = base.lastIndexOf('.');
    if (dot > base.lastIndexOf('/')) {
      for (const ext of JS_SOURCE_FOR[base.slice(dot)] ?? []) if (this.files.has(base.slice(0, dot) + ext)) return base.slice(0, dot) + ext;
    }
    for (const ext of JS_EXTENSIONS) if (this.files.has(base + ext)) return base + ext;
    const prefix = base === '' ? '' : base + '/';
    for (const ext of JS_EXTENSIONS) if (this.files.has(prefix + 'index' + ext)) return prefix + 'index' + ext;
    return undefined;
  }

  private packageEntry(pkg: NpmPackage): string | undefined {
    const m = pkg.manifest;
    const targets: unknown[] = [exportTarget(m.exports, '.'), m.types, m.typings, m.module, m.main];
    for (const t of targets) {
      if (typeof t !== 'string') continue;
      const hit = this.packageFile(pkg.dir, t);
      if (hit) return hit;
    }
    return this.jsFile(joinPath(pkg.dir, 'src/index') ?? '') ?? this.jsFile(pkg.dir);
  }

  private packageSubpath(pkg: NpmPackage, sub: string): string | undefined {
    const target = exportTarget(pkg.manifest.exports, './' + sub);
    if (typeof target === 'string') {
      const hit = this.packageFile(pkg.dir, target);
      if (hit) return hit;
    }
    const direct = joinPath(pkg.dir, sub);
    const viaSrc = joinPath(pkg.dir, 'src/' + sub);
    return (direct !== undefined ? this.jsFile(direct) : undefined) ?? (viaSrc !== undefined ? this.jsFile(viaSrc) : undefined);
  }

  /** A manifest target, or — since build output is usually absent from a checkout — the source it was built from. */
  private packageFile(dir: string, target: string): string | undefined {
    const p = joinPath(dir, target);
    if (p === undefined) return undefined;
    const hit = this.jsFile(p);
    if (hit) return hit;
    const source = /^(?:\.\/)?(?:dist|lib|out|build)\/(.*?)(?:\.d)?\.[mc]?[jt]sx?$/.exec(target)?.[1];
    if (source === undefined) return undefined;
    const src = joinPath(dir, 'src/' + source);
    return src === undefined ? undefined : this.jsFile(src);
  }

  private tsconfigFor(dir: string): TsPaths | undefined {
    const known = this.tsconfigForDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    const own = this.config.tsconfigs.get(dir);
    const found = own ?? (dir === '' ? undefined : this.tsconfigFor(dirOf(dir)));
    this.tsconfigForDir.set(dir, found ?? null);
    return found;
  }

  // ---- Python

  private modules(): Map<string, string[]> {
    if (this.pyModules) return this.pyModules;
    const modules = new Map<string, string[]>();
    const isPackage = (dir: string): boolean => this.files.has(dir === '' ? '__init__.py' : dir + '/__init__.py');
    for (const p of this.files) {
      if (!PY_EXT.test(p)) continue;
      const stem = p.replace(PY_EXT, '');
      const moduleParts = (baseName(stem) === '__init__' ? dirOf(stem) : stem).split('/');
      if (moduleParts.length === 1 && moduleParts[0] === '') continue;
      const names = new Set<string>();
      names.add(moduleParts.join('.'));
      // Relative to the parent of the topmost regular package: where sys.path would have to point.
      let top = dirOf(p);
      while (top !== '' && isPackage(top)) top = dirOf(top);
      const depth = top === '' ? 0 : top.split('/').length;
      names.add(moduleParts.slice(depth).join('.'));
      if (moduleParts[0] === 'src' || moduleParts[0] === 'lib') names.add(moduleParts.slice(1).join('.'));
      for (const name of names) if (name) push(modules, name, p);
    }
    this.pyModules = modules;
    return modules;
  }

  private pyModuleAt(dirPath: string): string | undefined {
    if (this.files.has(dirPath + '.py')) return dirPath + '.py';
    if (this.files.has(dirPath + '.pyi')) return dirPath + '.pyi';
    const init = dirPath === '' ? '__init__.py' : dirPath + '/__init__.py';
    return this.files.has(init) ? init : undefined;
  }

  private pyAbsolute(from: string, dotted: string): string | undefined {
    const list = this.modules().get(dotted);
    return list ? nearest(from, list) : undefined;
  }

  private resolvePy(from: string, raw: RawImport): Resolution[] {
    const spec = raw.s;
    const dots = /^\.*/.exec(spec)![0].length;
    let lookup: (dotted: string) => string | undefined;
    if (dots > 0) {
      let base: string | undefined = dirOf(from);
      for (let i = 1; i < dots && base !== undefined; i++) base = base === '' ? undefined : dirOf(base);
      if (base === undefined) return [{ specifier: spec, to: undefined }];
      const root = base;
      lookup = (dotted) => this.pyModuleAt(dotted === '' ? root : joinPath(root, dotted.replace(/\./g, '/')) ?? root);
    } else lookup = (dotted) => this.pyAbsolute(from, dotted);
    const module = spec.slice(dots);
    if (raw.n === undefined) {
      // `import a.b.c`: the deepest module that exists.
      const parts = module.split('.');
      for (let i = parts.length; i > 0; i--) {
        const hit = lookup(parts.slice(0, i).join('.'));
        if (hit) return [{ specifier: spec, to: hit }];
      }
      return [{ specifier: spec, to: undefined }];
    }
    // `from X import a, b`: each name that is a submodule is an edge of its own; otherwise X itself.
    const out: Resolution[] = [];
    for (const name of raw.n) {
      if (name === '*') continue;
      const dotted = module === '' ? name : `${module}.${name}`;
      const hit = lookup(dotted);
      if (hit) out.push({ specifier: spec.endsWith('.') ? spec + name : `${spec}.${name}`, to: hit });
    }
    if (out.length === 0) {
      let hit = lookup(module);
      if (!hit && dots === 0) {
        const parts = module.split('.');
        for (let i = parts.length - 1; i > 0 && !hit; i--) hit = lookup(parts.slice(0, i).join('.'));
      }
      out.push({ specifier: spec, to: hit });
    }
    return out;
  }

  // ---- Go

  private goModuleOf(dir: string): string | undefined {
    const known = this.goModuleForDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    const found = this.config.goModuleDirs.has(dir) ? dir : dir === '' ? undefined : this.goModuleOf(dirOf(dir));
    this.goModuleForDir.set(dir, found ?? null);
    return found;
  }

  private goPackage(dir: string | undefined): Resolution | undefined {
    if (dir === undefined) return undefined;
    const files = (this.dirFiles.get(dir) ?? []).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
    if (files.length === 0) return undefined;
    // The representative: the file named after the package directory, else the first by name.
    const named = files.find((f) => baseName(f) === baseName(dir) + '.go');
    return { specifier: '', to: named ?? files[0], packageDir: dir };
  }

  private resolveGo(from: string, spec: string): Resolution {
    const own = this.goModuleOf(dirOf(from));
    let hit: Resolution | undefined;
    if (own !== undefined) hit = this.goPackage(joinPath(own, 'vendor/' + spec));
    for (const m of this.config.goModules) {
      if (hit) break;
      if (spec === m.module) hit = this.goPackage(m.dir);
      else if (spec.startsWith(m.module + '/')) hit = this.goPackage(joinPath(m.dir, spec.slice(m.module.length + 1)));
    }
    // The standard library's own module ('std') imports its packages by bare path.
    if (!hit && own !== undefined && !spec.split('/')[0].includes('.')) {
      const std = this.config.goModules.find((m) => m.dir === own && (m.module === 'std' || m.module === 'cmd'));
      if (std) hit = this.goPackage(joinPath(std.module === 'cmd' ? dirOf(std.dir) : std.dir, spec));
    }
    return hit ? { ...hit, specifier: spec } : { specifier: spec, to: undefined };
  }

  // ---- Rust

  private crateOf(dir: string): string | undefined {
    const known = this.cargoForDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    const found = this.config.cargoDirs.has(dir) ? dir : dir === '' ? undefined : this.crateOf(dirOf(dir));
    this.cargoForDir.set(dir, found ?? null);
    return found;
  }

  /** The directory holding a module file's child modules. */
  private rustModuleDir(file: string): string {
    const name = baseName(file);
    if (name === 'mod.rs' || name === 'lib.rs' || name === 'main.rs') return dirOf(file);
    return file.slice(0, -3);
  }

  private rustModuleFile(dirPath: string): string | undefined {
    if (this.files.has(dirPath + '.rs')) return dirPath + '.rs';
    if (this.files.has(dirPath + '/mod.rs')) return dirPath + '/mod.rs';
    return undefined;
  }

  private resolveRustMod(from: string, name: string): string | undefined {
    const dir = this.rustModuleDir(from);
    return this.rustModuleFile(dir === '' ? name : `${dir}/${name}`);
  }

  private crateRootFile(crateDir: string): string | undefined {
    const src = crateDir === '' ? 'src' : crateDir + '/src';
    for (const f of ['lib.rs', 'main.rs']) if (this.files.has(`${src}/${f}`)) return `${src}/${f}`;
    return undefined;
  }

  private resolveRustUse(from: string, spec: string): string | undefined {
    const segments = spec.split('::').filter((s) => s !== '' && s !== '*');
    if (segments.length === 0) return undefined;
    let rootFile: string | undefined;
    let i = 0;
    if (segments[0] === 'crate') {
      const crate = this.crateOf(dirOf(from));
      rootFile = crate === undefined ? undefined : this.crateRootFile(crate);
      i = 1;
    } else if (segments[0] === 'self' || segments[0] === 'super') {
      rootFile = from;
      for (; i < segments.length && segments[i] === 'super'; i++) rootFile = rootFile && this.rustParentModule(rootFile);
      if (segments[0] === 'self') i = 1;
    } else if (this.config.crates.has(segments[0])) {
      rootFile = this.crateRootFile(this.config.crates.get(segments[0])!);
      i = 1;
    } else if (this.resolveRustMod(from, segments[0])) {
      rootFile = from; // 2018 edition: a path may start at a child module of the current one
    }
    if (rootFile === undefined) return undefined;
    let file = rootFile;
    for (; i < segments.length; i++) {
      const dir = this.rustModuleDir(file);
      const next = this.rustModuleFile(dir === '' ? segments[i] : `${dir}/${segments[i]}`);
      if (!next) break; // the rest names items inside `file`
      file = next;
    }
    return file;
  }

  private rustParentModule(file: string): string | undefined {
    const name = baseName(file);
    const moduleDir = name === 'mod.rs' ? dirOf(file) : file.slice(0, -3);
    const parentDir = dirOf(moduleDir);
    for (const candidate of [`${parentDir}/mod.rs`, `${parentDir}/lib.rs`, `${parentDir}/main.rs`, `${parentDir}.rs`]) {
      const key = candidate.replace(/^\//, '');
      if (this.files.has(key)) return key;
    }
    return undefined;
  }

  // ---- Java

  private resolveJava(from: string, raw: RawImport): Resolution {
    const spec = raw.s;
    const parts = spec.split('.');
    if (parts[parts.length - 1] === '*') {
      const dirPath = parts.slice(0, -1).join('/');
      const dirs = (this.dirsByName.get(parts[parts.length - 2]) ?? []).filter((d) => d === dirPath || d.endsWith('/' + dirPath));
      for (const dir of dirs.length ? [nearest(from, dirs)] : []) {
        const files = this.packageFiles(dir, from);
        if (files.length) return { specifier: spec, to: files[0], packageDir: dir };
      }
      // `import static a.b.C.*` and `import a.b.C.*` name a class's members.
      parts.pop();
    }
    const last = raw.n?.[0] === 'static' ? parts.length - 1 : parts.length;
    for (let i = last; i > 0; i--) {
      const rel = parts.slice(0, i).join('/') + '.java';
      const candidates = (this.byBase.get(parts[i - 1] + '.java') ?? []).filter((p) => p === rel || p.endsWith('/' + rel));
      if (candidates.length) return { specifier: spec, to: nearest(from, candidates) };
      if (i < last - 1) break; // at most one nested class level
    }
    return { specifier: spec, to: undefined };
  }

  // ---- C / C++

  private resolveC(from: string, spec: string, angle: boolean): string | undefined {
    const dir = dirOf(from);
    if (!angle) {
      const local = joinPath(dir, spec);
      if (local !== undefined && this.files.has(local)) return local;
    }
    const listed = this.includeIndex.get(spec);
    if (listed) return nearest(from, listed);
    if (this.files.has(spec)) return spec;
    if (!angle) {
      for (let d = dirOf(dir); d !== ''; d = dirOf(d)) {
        const p = joinPath(d, spec);
        if (p !== undefined && this.files.has(p)) return p;
      }
    }
    return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The target of `exports[key]`: a string, or the first of types/import/require/default in a conditions object. */
function exportTarget(exports: unknown, key: string): unknown {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports === 'string') return key === '.' ? exports : undefined;
  if (Array.isArray(exports)) return exportTarget(exports[0], key);
  if (typeof exports !== 'object') return undefined;
  const obj = exports as Record<string, unknown>;
  const keys = Object.keys(obj);
  const entry = keys.some((k) => k.startsWith('.')) ? obj[key] : key === '.' ? obj : undefined;
  return conditionTarget(entry);
}

function conditionTarget(entry: unknown): unknown {
  if (typeof entry === 'string' || entry === undefined || entry === null) return entry;
  if (Array.isArray(entry)) return conditionTarget(entry[0]);
  if (typeof entry !== 'object') return undefined;
  const obj = entry as Record<string, unknown>;
  for (const c of ['types', 'import', 'require', 'node', 'default']) if (obj[c] !== undefined) return conditionTarget(obj[c]);
  return undefined;
}
