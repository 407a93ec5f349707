// The `recurse` command (dist/cli.js): a few lines that load the CLI bundle (dist/cliMain.js, or dist/cliIndex.js for
// `recurse index`) with V8's code cache,
// so a start-up does not compile 2 MB of JavaScript again. Node 22.1+ keeps the cache itself (module.enableCompileCache);
// on older Node the bundle is compiled through vm.Script with the cached data kept in the user cache folder.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { recurseCacheRoot } from '../core/cacheRoot';

interface CliMain {
  runCommandLine(): void;
}

/** `recurse index` has a bundle of its own (no model clients, sandbox or MCP SDK to load); the rest share cliMain.js. */
const MAIN = path.join(__dirname, process.argv[2] === 'index' ? 'cliIndex.js' : 'cliMain.js');

function compileCacheDir(): string {
  return path.join(recurseCacheRoot(), 'compile');
}

/** Node 20: the bundle compiled with the code cache from an earlier run, which is written when this one exits. */
function loadWithCodeCache(): CliMain {
  const source = fs.readFileSync(MAIN, 'utf8');
  const stat = fs.statSync(MAIN);
  const key = createHash('sha256').update(`${MAIN}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 24);
  const cacheFile = path.join(compileCacheDir(), `${key}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source.startsWith('#!') ? `//${source.slice(2)}` : source), { filename: MAIN, cachedData });
  const mod = new Module(MAIN, module);
  mod.filename = MAIN;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  const requireFromMain = Object.assign((id: string) => mod.require(id), { resolve: (id: string) => require.resolve(id, { paths: mod.paths }) }) as unknown as NodeJS.Require;
  wrapper.call(mod.exports, mod.exports, requireFromMain, mod, MAIN, __dirname);
  if (!cachedData || script.cachedDataRejected) {
    // Written at exit: the functions the run compiled are in it too.
    process.once('exit', () => {
      try {
        fs.mkdirSync(compileCacheDir(), { recursive: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch {
        // A cache that cannot be written only costs the next start its speed.
      }
    });
  }
  return mod.exports as CliMain;
}

function load(): CliMain {
  const native = (Module as unknown as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (typeof native === 'function') {
    try {
      native(compileCacheDir());
    } catch {
      // Without a cache the bundle still loads.
    }
    return require(MAIN) as CliMain;
  }
  try {
    return loadWithCodeCache();
  } catch {
    return require(MAIN) as CliMain;
  }
}

load().runCommandLine();
