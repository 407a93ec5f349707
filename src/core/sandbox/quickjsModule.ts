import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';

/** File name the build copies next to the bundled CLI / extension (dist/quickjs.wasm). */
export const BUNDLED_WASM_NAME = 'quickjs.wasm';

const PAGE_BYTES = 64 * 1024;
/** What the emscripten build asks for at start (static data, C stack, first heap pages). */
const INITIAL_MEMORY_BYTES = 16 * 1024 * 1024;
/** The wasm32 build cannot address more than this. */
const MAX_MEMORY_PAGES = 32768;

/**
 * The package loads its emscripten glue with `import()`, which a CommonJS bundle resolves to the
 * ESM build that needs `import.meta.url` (empty there). `require` picks the CommonJS build instead,
 * which works both from node_modules and inside the esbuild bundle.
 */
const RELEASE_SYNC_CJS: QuickJSSyncVariant = {
  ...RELEASE_SYNC,
  importModuleLoader: async () =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as Awaited<
      ReturnType<QuickJSSyncVariant['importModuleLoader']>
    >,
};

let compiled: Promise<WebAssembly.Module | undefined> | undefined;
let shared: Promise<QuickJSWASMModule> | undefined;

/**
 * The bundle cannot rely on the package resolving its own .wasm (esbuild inlines the JS, not the
 * binary), so a `quickjs.wasm` next to the running script wins; in development the package's file.
 */
function wasmPath(): string | undefined {
  const bundled = path.join(__dirname, BUNDLED_WASM_NAME);
  if (fs.existsSync(bundled)) return bundled;
  try {
    return require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
  } catch {
    return undefined;
  }
}

/** Compiles the QuickJS wasm once per process; undefined when the file cannot be found. */
function compiledWasm(): Promise<WebAssembly.Module | undefined> {
  if (!compiled) {
    compiled = (async () => {
      const file = wasmPath();
      if (!file) return undefined;
      const bytes = await fs.promises.readFile(file);
      return compileEagerly(bytes);
    })();
    compiled.catch(() => {
      compiled = undefined; // a failed load must not poison every later attempt
    });
  }
  return compiled;
}

/**
 * V8 compiles a WebAssembly module's functions lazily, each on its first call and on the calling thread: the first
 * sandbox's set-up (QuickJS parsing and running its bootstrap) then held the event loop 80-140 ms on a 2-core
 * machine, one of the extension host's longest stalls on a first question. Compiled eagerly, the whole module is
 * compiled by V8's background threads while `WebAssembly.compile` is awaited. The flag is V8's, process-wide: it is
 * set for this compile alone and set back (lazy is V8's default) once it is done.
 */
async function compileEagerly(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  let flagged = false;
  try {
    v8.setFlagsFromString('--no-wasm-lazy-compilation');
    flagged = true;
  } catch {
    // Lazily compiled, it still works.
  }
  try {
    return await WebAssembly.compile(bytes);
  } finally {
    if (flagged) v8.setFlagsFromString('--wasm-lazy-compilation');
  }
}

/**
 * A fresh QuickJS instance with its own WebAssembly memory. With `memoryLimitBytes` the memory
 * cannot grow past that much heap: this QuickJS build cannot measure allocation sizes
 * (malloc_usable_size is unavailable), so `runtime.setMemoryLimit` alone does not stop large strings
 * or arrays — a bounded wasm memory does, and malloc failure surfaces as `InternalError: out of memory`.
 * Compiling is memoized; instantiating costs about a millisecond.
 */
export async function createQuickJSModule(options: { memoryLimitBytes?: number } = {}): Promise<QuickJSWASMModule> {
  const wasmModule = await compiledWasm();
  if (!wasmModule) return newQuickJSWASMModuleFromVariant(RELEASE_SYNC_CJS);
  const limit = options.memoryLimitBytes;
  const initial = INITIAL_MEMORY_BYTES / PAGE_BYTES;
  const maximum =
    limit === undefined
      ? MAX_MEMORY_PAGES
      : Math.min(MAX_MEMORY_PAGES, initial + Math.ceil(Math.max(0, limit) / PAGE_BYTES));
  const wasmMemory = new WebAssembly.Memory({ initial, maximum });
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC_CJS, { wasmModule, wasmMemory }));
}

/**
 * Compiles the QuickJS wasm now, in the background: call it as a session starts loading its
 * workspace, so the compile (and V8's compile threads) are done before the first cell runs.
 */
export function prewarmQuickJS(): void {
  void compiledWasm().catch(() => undefined);
}

/** One shared, unbounded instance for callers that need QuickJS without a sandbox; loaded once. */
export function getQuickJSModule(): Promise<QuickJSWASMModule> {
  if (!shared) {
    shared = createQuickJSModule();
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}
