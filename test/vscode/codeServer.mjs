// The project's own real-VS-Code launcher: a private code-server (VS Code 1.139 server + web workbench) in its own
// process group, and Debian's Chromium driven by playwright-core. Installed by scripts/install-vscode-test.sh.
//
// Exports:
//   TEST_HOME                          the install folder (RECURSE_VSCODE_TEST_HOME or ~/.cache/recurse-vscode-test)
//   QUIET_SETTINGS                     user settings every window starts with (callers may override any key)
//   startCodeServer(options)           → { url, port, workspace, tmp, userDataDir, extensionsDir, logFile, exited, stop() }
//       options: { workspace, extensions: [folder | .vsix], settings, vscodeOptions: [flag], keep }
//   launchBrowser({ headless })        → a playwright Browser on /usr/bin/chromium (RECURSE_VSCODE_TEST_CHROMIUM)
//   serverErrors(server, needles)      → lines worth showing when something failed (matching server-log lines,
//                                        [error] entries of the extension host logs)
//   manifestOf(folder)                 → { id: 'publisher.name', version }
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const TEST_HOME = process.env.RECURSE_VSCODE_TEST_HOME || path.join(os.homedir(), '.cache', 'recurse-vscode-test');
const CODE_SERVER = path.join(TEST_HOME, 'code-server.sh');
const CHROMIUM = process.env.RECURSE_VSCODE_TEST_CHROMIUM || '/usr/bin/chromium';

export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'window.confirmBeforeClose': 'never',
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.enabled': false,
};

export function manifestOf(folder) {
  const pkg = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
  return { id: `${pkg.publisher}.${pkg.name}`, version: pkg.version };
}

function requireInstalled() {
  if (!fs.existsSync(CODE_SERVER)) {
    throw new Error(`no code-server in ${TEST_HOME}: run scripts/install-vscode-test.sh (or set RECURSE_VSCODE_TEST_HOME)`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rmrf(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {}
  return !fs.existsSync(dir);
}

/**
 * A detached shell that outlives a SIGKILLed test process (no hook runs then): once this process is gone it kills
 * process group `pgid` and removes `paths`. Returns a function that dismisses it.
 */
function reaper(pgid, paths) {
  const script = 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; [ "$1" = 0 ] || kill -KILL -"$1" 2>/dev/null; sleep 1; shift; rm -rf "$@"';
  const child = spawn('sh', ['-c', script, String(process.pid), String(pgid), ...paths], { detached: true, stdio: 'ignore' });
  child.unref();
  return () => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  };
}

/**
 * The server's environment: throw-away XDG folders and TMPDIR (VS Code leaves sockets and caches there), the
 * extension gallery off (offline: otherwise it logs ENOTFOUND forever), and no VSCODE_* / CODE_SERVER_* variables
 * inherited from an editor's terminal (with VSCODE_IPC_HOOK_CLI set, code-server hands the folder to that editor).
 */
function serverEnvironment(tmp) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VSCODE_|CODE_SERVER_)|^ELECTRON_RUN_AS_NODE$/.test(k)) env[k] = v;
  const sub = (name) => {
    const d = path.join(tmp, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  return { ...env, XDG_CONFIG_HOME: sub('xdg-config'), XDG_DATA_HOME: sub('xdg-data'), XDG_CACHE_HOME: sub('xdg-cache'),
    TMPDIR: sub('tmp'), EXTENSIONS_GALLERY: '{}' };
}

function installExtension(ext, { extensionsDir, userDataDir, env }) {
  if (/\.vsix$/i.test(ext)) {
    const r = spawnSync(CODE_SERVER, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--install-extension', path.resolve(ext), '--force'], { env, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 || !/successfully installed/.test(out)) throw new Error(`installing ${ext} failed (${r.status ?? r.signal}):\n${out}`);
    return;
  }
  // An unpacked folder is linked the way VS Code lays out installed extensions: <id>-<version>.
  const real = fs.realpathSync(ext);
  const { id, version } = manifestOf(real);
  fs.symlinkSync(real, path.join(extensionsDir, `${id.toLowerCase()}-${version}`));
}

export async function startCodeServer({ workspace, extensions = [], settings = {}, vscodeOptions = [], keep = false, env: extraEnv = {} } = {}) {
  requireInstalled();
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-vscode-')));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir);
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  const env = { ...serverEnvironment(tmp), ...extraEnv };
  const logFile = path.join(tmp, 'code-server.log');

  let child;
  let exited = Promise.resolve('not started');
  let dismissReaper = () => {};
  const killGroup = (signal) => {
    try {
      if (child?.pid) process.kill(-child.pid, signal);
    } catch {}
  };
  const onExit = () => {
    killGroup('SIGKILL');
    if (!keep) rmrf(tmp);
  };
  // The group is detached, so Ctrl+C never reaches it: kill it ourselves, then let the signal do its usual thing
  // unless somebody else handles it (a caller with its own handler must use process.on and exit by itself).
  const onSignal = (signal) => {
    onExit();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(s, onSignal);
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, onSignal);
      if (child) {
        killGroup('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        killGroup('SIGKILL'); // the extension host, pty host and watchers that outlived the server
      }
      dismissReaper();
      if (!keep && !rmrf(tmp)) reaper(0, [tmp]);
      process.off('exit', onExit);
    })());

  try {
    for (const ext of extensions) installExtension(ext, { extensionsDir, userDataDir, env });
    if (workspace) workspace = fs.realpathSync(path.resolve(workspace));
    else fs.mkdirSync((workspace = path.join(tmp, 'workspace')));
    const port = await freePort();
    const out = fs.openSync(logFile, 'a');
    const args = ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', '--reconnection-grace-time', '5',
      '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      ...vscodeOptions.flatMap((o) => ['--vscode-option', o]), workspace];
    child = spawn(CODE_SERVER, args, { detached: true, stdio: ['ignore', out, out], env });
    fs.closeSync(out);
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    dismissReaper = reaper(child.pid, keep ? [] : [tmp]);
    const url = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 60_000; ;) {
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`code-server did not start on ${url}:\n${fs.readFileSync(logFile, 'utf8')}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    return { url, port, workspace, tmp, userDataDir, extensionsDir, logFile, exited, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function playwright() {
  return createRequire(path.join(TEST_HOME, 'playwright', 'package.json'))('playwright-core');
}

/** Headless Chromium with its profile, caches and temp files in one folder removed when the browser closes. */
export async function launchBrowser({ headless = true } = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-chromium-'));
  const dismiss = reaper(0, [home]);
  const cleanup = () => {
    if (rmrf(home)) {
      dismiss();
      process.off('exit', cleanup);
    }
  };
  process.once('exit', cleanup);
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = home; // Playwright makes its own temp folders while launching
  try {
    const browser = await playwright().chromium.launch({
      executablePath: CHROMIUM,
      headless,
      // Without the networking flags Chromium keeps dialling out on an offline machine.
      args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run'],
      env: { ...process.env, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home, TMPDIR: home },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const close = browser.close.bind(browser);
    browser.close = async (...a) => {
      try {
        return await close(...a);
      } finally {
        cleanup();
      }
    };
    return browser;
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
}

function extensionHostLogs(userDataDir) {
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return [];
  return fs.readdirSync(logs, { recursive: true }).filter((f) => /exthost\.log$/.test(f)).map((f) => path.join(logs, f));
}

/** True once the (remote) extension host has activated its startup extensions. */
export function extensionHostReady(server) {
  return extensionHostLogs(server.userDataDir).some((f) => fs.readFileSync(f, 'utf8').includes('Eager extensions activated'));
}

export function serverErrors(server, needles = [], max = 60) {
  const out = [];
  if (fs.existsSync(server.logFile)) {
    for (const line of fs.readFileSync(server.logFile, 'utf8').split('\n')) {
      if (needles.some((n) => n && line.includes(n)) && !/Loading development extension/.test(line)) out.push(`code-server.log: ${line}`);
    }
  }
  for (const f of extensionHostLogs(server.userDataDir)) {
    let inError = false;
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (/^\d{4}-\d\d-\d\d /.test(line)) inError = / \[error\] /.test(line);
      if (inError && line.trim()) out.push(`${path.basename(f)}: ${line}`);
    }
  }
  return out.length > max ? [...out.slice(0, max), `… ${out.length - max} more`] : out;
}
