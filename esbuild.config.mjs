// Bundles the CLI (and, once it exists, the extension) into dist/, with the QuickJS .wasm copied beside them.
import { build, context } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** A hash of source files, fixed at build time: the same in every bundle (see src/core/index/imports/sourceKeys.ts). */
function sourceKey(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '').update('\0');
  return JSON.stringify(hash.digest('hex').slice(0, 16));
}

const common = {
  bundle: true,
  define: {
    RECURSE_RESOLVER_KEY: sourceKey(['src/core/index/imports/importResolver.ts', 'src/core/index/imports/workspaceConfig.ts']),
    RECURSE_EXTRACTOR_KEY: sourceKey(['src/core/index/imports/importExtractor.ts']),
  },
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

const entries = [
  // `recurse` is a small launcher that loads the CLI bundle with V8's code cache (see src/cli/launcher.ts).
  { entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cliMain.js' },
  // `recurse index` alone, a tenth of the size: what a warm open reads and compiles before it can start.
  { entryPoints: ['src/cli/indexMain.ts'], outfile: 'dist/cliIndex.js' },
];
// The symbol index's parser threads run this file (see src/core/index/symbols/grammarAssets.ts).
if (existsSync('src/core/index/symbols/symbolWorker.ts')) {
  entries.push({ entryPoints: ['src/core/index/symbols/symbolWorker.ts'], outfile: 'dist/symbolWorker.js' });
}
if (existsSync('src/extension/extension.ts')) {
  // The extension entry stays small so activation is cheap; the engine (openai SDK, QuickJS, file map) is a second
  // bundle, dist/core.js, that the extension requires on first use (see src/extension/core.ts).
  entries.push({ entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './core.js'],
    // When the bundle starts and ends evaluating, so activation time can be split into our code loading, VS Code's
    // own preparation of the extension context, and activate() itself.
    // The thread's CPU time too (Node ≥ 23.9): what our code costs, whatever else the machine's cores are doing.
    banner: { js: 'var __recurseBundleStart = performance.now(), __recurseBundleCpu = process.threadCpuUsage && process.threadCpuUsage();' },
    footer: { js: 'var __recurseBundleEnd = performance.now(), __recurseBundleCpuUsed = __recurseBundleCpu && process.threadCpuUsage(__recurseBundleCpu);' } });
  entries.push({ entryPoints: ['src/extension/core.ts'], outfile: 'dist/core.js' });
}
// The chat webview (media/src/main.ts → media/dist/webview.js) runs in a browser sandbox: no node, no require.
if (existsSync('media/src/main.ts')) {
  entries.push({ entryPoints: ['media/src/main.ts'], outfile: 'media/dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' });
}
// The dependency-graph panel (media/src/graph/main.ts → media/dist/graph.js, cytoscape inside), a browser sandbox too.
if (existsSync('media/src/graph/main.ts')) {
  entries.push({ entryPoints: ['media/src/graph/main.ts'], outfile: 'media/dist/graph.js', platform: 'browser', format: 'iife', target: 'es2022' });
}

mkdirSync('dist', { recursive: true });
// The sandbox loads this file next to the bundle (see src/core/sandbox/quickjsModule.ts).
const wasm = join(dirname(require.resolve('@jitl/quickjs-wasmfile-release-sync/package.json')), 'dist', 'emscripten-module.wasm');
copyFileSync(wasm, 'dist/quickjs.wasm');
// Chart.js, inlined into the HTML reports `recurse eval --format html` writes (see src/core/html/htmlPage.ts).
mkdirSync('dist/vendor', { recursive: true });
copyFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'dist/vendor/chart.umd.min.js');
// Tree-sitter runtime, grammars and their tags.scm, as dist/grammars/<package>/<file>.
const grammarAssets = {
  'web-tree-sitter': ['web-tree-sitter.wasm'],
  'tree-sitter-typescript': ['tree-sitter-typescript.wasm', 'tree-sitter-tsx.wasm', 'queries/tags.scm'],
  'tree-sitter-javascript': ['tree-sitter-javascript.wasm', 'queries/tags.scm'],
  'tree-sitter-python': ['tree-sitter-python.wasm', 'queries/tags.scm'],
  'tree-sitter-go': ['tree-sitter-go.wasm', 'queries/tags.scm'],
  'tree-sitter-rust': ['tree-sitter-rust.wasm', 'queries/tags.scm'],
  'tree-sitter-java': ['tree-sitter-java.wasm', 'queries/tags.scm'],
  'tree-sitter-c': ['tree-sitter-c.wasm', 'queries/tags.scm'],
  'tree-sitter-cpp': ['tree-sitter-cpp.wasm', 'queries/tags.scm'],
  'tree-sitter-c-sharp': ['tree-sitter-c_sharp.wasm', 'queries/tags.scm'],
  'tree-sitter-ruby': ['tree-sitter-ruby.wasm', 'queries/tags.scm'],
};
for (const [pkg, files] of Object.entries(grammarAssets)) {
  let dir;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    dir = dirname(require.resolve(pkg));
  }
  // Its package.json too: the grammar's version is part of every cached record's key (see grammarVersion).
  for (const file of [...files, 'package.json']) {
    mkdirSync(dirname(join('dist', 'grammars', pkg, file)), { recursive: true });
    copyFileSync(join(dir, file), join('dist', 'grammars', pkg, file));
  }
}

if (watch) {
  for (const options of entries) await (await context({ ...common, ...options })).watch();
} else {
  await Promise.all(entries.map((options) => build({ ...common, ...options })));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
