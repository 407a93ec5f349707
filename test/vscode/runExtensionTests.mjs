#!/usr/bin/env node
// Runs the extension-host tests (mocha, compiled to out/test/integration/**/*.test.js) inside a real VS Code:
// code-server 4.139 (VS Code 1.139) driven by headless Chromium. Install it first: scripts/install-vscode-test.sh.
//
//   node test/vscode/runExtensionTests.mjs [--grep <mocha grep>] [--multi-root | --single-folder] [--timeout <s>] [--keep] [--verbose]
//   node test/vscode/runExtensionTests.mjs --workspace <dir> --bench <out.json>   (the *.bench.js suites, for npm run bench)
//
// Two windows, one after the other, each on its own code-server: the single-folder window (a temp copy of
// test/fixtures/shop plus a .env secret and a files.exclude'd folder) runs every suite but
// test/integration/multiRoot.test.ts, then a multi-root window (a .code-workspace with a fresh shop copy and a small "web" folder) runs only that one. Without
// options both run; --grep runs the single-folder window only, unless --multi-root asks for the other one instead.
// The test language-model extension (test/vscode/lm-provider) is loaded beside Recurse. Prints a final
// "N passed, N failed" line. Exit: 0 passed · 1 a test failed · 2 bad usage/not built · 3 VS Code or browser
// failure · 124 timeout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, parseArgs } from 'node:util';
import { launchBrowser, manifestOf, serverErrors, startCodeServer } from './codeServer.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TESTS = path.join(REPO, 'out', 'test', 'integration', 'index.js');
const LM_PROVIDER = path.join(REPO, 'test', 'vscode', 'lm-provider');
const RESULT_MARKER = 'RECURSE_MOCHA_RESULT ';
const say = (m) => console.log(`[vscode-tests] ${m}`);

let opt;
try {
  ({ values: opt } = parseArgs({ options: { grep: { type: 'string' }, timeout: { type: 'string', default: '600' },
    workspace: { type: 'string' }, bench: { type: 'string' },
    keep: { type: 'boolean' }, verbose: { type: 'boolean' }, 'multi-root': { type: 'boolean' }, 'single-folder': { type: 'boolean' } } }));
  if (opt['multi-root'] && opt['single-folder']) throw new Error('--multi-root and --single-folder exclude each other');
} catch (e) {
  console.error(e.message);
  process.exit(2);
}
// `listing`: the single-folder suites again, every first question starting on the folder's listing while its files
// are measured (RECURSE_SMALL_TREE_FILES=0: the path a large tree takes), which must not change any answer.
const phases = opt['multi-root'] ? ['multi-root'] : opt['single-folder'] || opt.grep !== undefined || opt.bench ? ['single-folder'] : ['single-folder', 'listing', 'multi-root'];
/** Environment of a phase's server (and so of its extension host). */
const PHASE_ENV = { listing: { RECURSE_SMALL_TREE_FILES: '0' } };
for (const f of [path.join(REPO, 'dist', 'extension.js'), TESTS]) {
  if (!fs.existsSync(f)) {
    console.error(`[vscode-tests] ${path.relative(REPO, f)} is missing: run npm run build && npm run compile-tests`);
    process.exit(2);
  }
}

/** The test workspace: the shop fixture, a secret that must never be sent, and a folder hidden by files.exclude. */
function makeWorkspace(root) {
  const ws = path.join(root, 'shop');
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'shop'), ws, { recursive: true });
  // The fixture has its own .env; this adds a second secret file with another name pattern.
  fs.writeFileSync(path.join(ws, '.env.local'), 'OPENAI_API_KEY=sk-dotenv-SECRET-7f3a9c\nDB_PASSWORD=hunter2-SECRET-7f3a9c\n');
  fs.mkdirSync(path.join(ws, 'generated'));
  fs.writeFileSync(path.join(ws, 'generated', 'schema.ts'), 'export const GENERATED_MARKER_4b1d = 1;\n');
  fs.mkdirSync(path.join(ws, '.vscode'));
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'files.exclude': { '**/generated': true } }, null, 2));
  return ws;
}

/**
 * The multi-root workspace: a fresh shop copy and a second folder with its own secret and ignored file, in a
 * .code-workspace. Returns the .code-workspace file.
 */
function makeMultiRootWorkspace(root) {
  const dir = path.join(root, 'multi');
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'shop'), path.join(dir, 'shop'), { recursive: true });
  const web = path.join(dir, 'web');
  const files = {
    'package.json': JSON.stringify({ name: '@shop/web', private: true }, null, 2),
    '.gitignore': 'build/\n',
    '.env': 'WEB_SECRET=web-SECRET-51c2e8\n',
    'build/bundle.js': 'const BUILD_MARKER_9e4a = 1;\n',
    'src/catalog.ts': 'export interface Product {\n  sku: string;\n  title: string;\n}\n\nexport function listProducts(): Product[] {\n  return [{ sku: "A-1", title: "Anvil" }];\n}\n',
    'src/render.ts': "import { listProducts } from './catalog';\n\nexport function renderCatalog(): string {\n  return listProducts().map((p) => p.title).join('\\n');\n}\n",
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(web, rel)), { recursive: true });
    fs.writeFileSync(path.join(web, rel), text);
  }
  const file = path.join(dir, 'recurse-multi.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: [{ path: 'shop' }, { path: 'web' }], settings: {} }, null, 2));
  return file;
}

// Workbench chatter forwarded through codeAutomationLog, shown only with --verbose.
const NOISE = [/^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/, /additional builtin extensions/,
  /^\[Service Worker\]/, /^\[AgentHost/, /^\[AccountPolicyGate\]/, /^Canceled: Canceled/, /^No search provider registered/,
  /ENOTFOUND/, /^Extension host \(Remote\) is unresponsive/, /^Started local extension host/,
  // A window closed after its tests (the multi-root window follows the single-folder one).
  /^Unable to read file 'vscode-remote:.*\(Canceled: Canceled\)/, /^\[RemoteAgentHostProtocol\]/];
const INTERNAL_FRAME = /^\s*at .*(\/lib\/vscode\/out\/|\/static\/out\/vs\/|new Promise \(<anonymous>\))/;
// codeAutomationLog gets a string, console.log's arguments (printf-style, as mocha's reporter uses) or an Error.
const asText = (m) => (typeof m === 'string' ? m : Array.isArray(m) ? format(...m)
  : m instanceof Error ? m.stack || m.message : m && typeof m === 'object' ? JSON.stringify(m) : String(m));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-ext-tests-'));
// extensionTestsPath must be a module exporting run(); this one hands the options over and delegates to mocha's
// index, which lives inside the extension folder (require('vscode') resolves by the requiring file's real path).
const shimFor = (phase) => {
  const shim = path.join(tmp, `entry-${phase}.js`);
  fs.writeFileSync(shim, `exports.run = () => {
  globalThis.__recurseTestOptions = ${JSON.stringify({ grep: opt.grep ?? null, multiRoot: phase === 'multi-root', listing: phase === 'listing', ...(opt.bench ? { bench: { out: path.resolve(opt.bench) } } : {}) })};
  return require(${JSON.stringify(TESTS)}).run();
};\n`);
  return shim;
};
// --workspace: an existing folder instead (the benchmark's kernel), opened as it is.
const workspace = opt.workspace ? path.resolve(opt.workspace) : makeWorkspace(tmp);
const multiRootWorkspace = makeMultiRootWorkspace(tmp);
// Installed as an ordinary extension (the server honours only one extensionDevelopmentPath), from a copy outside the
// repository: VS Code maps a file to the extension whose folder contains it, and nesting would confuse that.
const lmProvider = path.join(tmp, 'lm-provider');
fs.cpSync(LM_PROVIDER, lmProvider, { recursive: true });

let server;
let browser;
let code = 3;
/** Each window's mocha result, by phase. */
const results = {};

/** Opens one workbench window on the phase's workspace and waits until its extension host has run the tests. */
async function runWindow(phase, deadline) {
  const page = await browser.newPage();
  try {
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationLog', (level, message) => {
      const text = asText(message);
      const at = text.indexOf(RESULT_MARKER);
      if (at >= 0) {
        try {
          results[phase] = JSON.parse(text.slice(at + RESULT_MARKER.length).split('\n')[0]);
        } catch {}
        return;
      }
      if (!opt.verbose && NOISE.some((re) => re.test(text))) return;
      const shown = opt.verbose ? text : text.split('\n').filter((l) => !INTERNAL_FRAME.test(l)).join('\n');
      (level === 'error' ? process.stderr : process.stdout).write(`${shown}\n`);
    });
    // The workbench calls this when the extension host exits after the tests, with run()'s outcome as the code.
    await page.exposeFunction('codeAutomationExit', (exitCode) => finish(exitCode));
    if (opt.verbose) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
    page.on('crash', () => finish('the page crashed'));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(fs.realpathSync(REPO))],
      ['extensionTestsPath', remote(shimFor(phase))],
    ];
    const where = phase === 'multi-root' ? `workspace=${encodeURIComponent(fs.realpathSync(multiRootWorkspace))}` : `folder=${encodeURIComponent(server.workspace)}`;
    say(`${phase} window: ${phase === 'multi-root' ? multiRootWorkspace : server.workspace}`);
    await page.goto(`${server.url}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    return await Promise.race([finished, server.exited.then((c) => `code-server exited (${c})`),
      new Promise((r) => setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())))]);
  } finally {
    await page.close().catch(() => {});
  }
}
let cleaning;
const cleanup = () => (cleaning ??= (async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  if (!opt.keep) fs.rmSync(tmp, { recursive: true, force: true });
})());
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (interrupted) return;
    interrupted = true;
    say(`interrupted (${sig})`);
    await cleanup();
    process.exit(130);
  });
}

try {
  const t0 = Date.now();
  browser = await launchBrowser();
  const deadline = Date.now() + Number(opt.timeout) * 1000;
  for (const phase of phases) {
    // Each window gets its own code-server (about a second to start): a second window opened on a server whose
    // first window is still shutting down its extension host could come up with no workspace folders at all.
    if (server) {
      if (!opt.keep) await server.stop();
      server = undefined;
    }
    const started = Date.now();
    // A release workbench ignores the extensionDevelopmentPath / extensionTestsPath payload unless the server runs
    // with the smoke-test driver enabled: without this flag the tests silently never start.
    // The listing phase runs the single-folder suites again: on a fresh copy of the fixture (the first run edits it).
    const phaseWorkspace = phase === 'listing' && !opt.workspace ? makeWorkspace(fs.mkdtempSync(path.join(tmp, 'listing-'))) : workspace;
    server = await startCodeServer({ workspace: phaseWorkspace, extensions: [lmProvider], vscodeOptions: ['enable-smoke-test-driver'], keep: opt.keep, env: PHASE_ENV[phase] ?? {} });
    say(`${phase}: code-server up in ${Date.now() - started} ms`);
    const outcome = await runWindow(phase, deadline);
    const passed = typeof outcome === 'number' && outcome === 0;
    if (typeof outcome === 'number') {
      code = Math.max(code === 3 ? 0 : code, passed ? 0 : 1);
      say(`${phase}: ${passed ? 'passed' : `FAILED (exit ${outcome})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      code = outcome === 'timeout' ? 124 : 3;
      say(`${phase}: ${outcome === 'timeout' ? `TIMED OUT after ${opt.timeout} s` : `FAILED: ${outcome}`}`);
    }
    if (!passed) {
      const problems = serverErrors(server, [REPO]).filter((l) => opt.verbose || !INTERNAL_FRAME.test(l.replace(/^[^:]+: /, '')));
      if (problems.length) console.error(`[vscode-tests] ${phase}: server-side errors:\n${problems.join('\n')}`);
    }
    if (typeof outcome !== 'number') break;
  }
  if (opt.keep) say(`kept ${server.tmp} and ${tmp}`);
} catch (e) {
  if (!interrupted) console.error(`[vscode-tests] ERROR: ${e.stack || e}`);
} finally {
  await cleanup();
}
const ran = phases.map((p) => results[p]).filter(Boolean);
const result = ran.length === phases.length
  ? { passed: ran.reduce((n, r) => n + r.passed, 0), failed: ran.reduce((n, r) => n + r.failed, 0),
    pending: ran.reduce((n, r) => n + (r.pending ?? 0), 0), activation: results['single-folder']?.activation }
  : undefined;
if (result) {
  console.log(`${result.passed} passed, ${result.failed} failed${result.pending ? `, ${result.pending} pending` : ''}` +
    (phases.length > 1 ? ` (${phases.map((p) => `${p}: ${results[p].passed}/${results[p].passed + results[p].failed}`).join(', ')})` : ''));
  if (result.activation) {
    const a = result.activation;
    say(`activation: ${(a.bundleEvalMs + a.insideActivateMs).toFixed(1)} ms ours (bundle ${a.bundleEvalMs.toFixed(1)} + activate() ` +
      `${a.insideActivateMs.toFixed(1)}); ext.activate() ${a.activateCallMs.toFixed(1)} ms with VS Code's share → out/activation.json`);
  }
} else {
  console.log(`0 passed, 1 failed (no mocha result: the extension host tests did not run to the end)`);
  if (code === 0) code = 1;
}
if (result?.activation) {
  fs.mkdirSync(path.join(REPO, 'out'), { recursive: true });
  fs.writeFileSync(path.join(REPO, 'out', 'activation.json'), `${JSON.stringify(result.activation, null, 2)}\n`);
}
process.exit(interrupted ? 130 : code);
