// The README's test command installs its own VS Code toolchain (scripts/install-vscode-test.sh, run by
// `npm run test:vscode`). This runs that install path as a new machine would: through npm (inheriting this npm run's
// environment, user agent included: code-server's postinstall once refused the install because of it), with a new,
// empty HOME — no npm cache, no toolchain — and then checks that what it installed runs.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const home = mkdtempSync(path.join(tmpdir(), 'recurse-fresh-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

/** This process's environment with a new HOME: nothing may come from the old one (npm cache, npmrc, toolchain). */
function freshEnv() {
  const env = { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config') };
  for (const name of ['npm_config_cache', 'npm_config_userconfig', 'RECURSE_VSCODE_TEST_HOME']) delete env[name];
  return env;
}

function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('the VS Code test toolchain installs from nothing through npm, with a new HOME', { timeout: 20 * 60_000 }, async () => {
  const env = freshEnv();
  const started = Date.now();
  const { code, output } = await run('npm', ['run', '--silent', 'install:vscode-test'], env);
  console.log(`      install through npm with an empty HOME: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  assert.equal(code, 0, `the install failed:\n${output.slice(-4000)}`);

  const toolchain = path.join(home, '.cache', 'recurse-vscode-test');
  assert.ok(existsSync(path.join(home, '.npm')), 'npm used the new HOME\'s own cache');
  const node = path.join(toolchain, 'node24', 'node_modules', `node-linux-${process.arch}`, 'bin', 'node');
  assert.match(execFileSync(node, ['--version'], { encoding: 'utf8' }), /^v24\./);
  const codeServer = execFileSync(path.join(toolchain, 'code-server.sh'), ['--version'], { encoding: 'utf8', env });
  assert.match(codeServer, /^4\.139\.1 /m, `code-server --version printed: ${codeServer}`);
  const playwright = JSON.parse(readFileSync(path.join(toolchain, 'playwright', 'node_modules', 'playwright-core', 'package.json'), 'utf8'));
  assert.match(playwright.version, /^1\./);

  // A second run has nothing left to do (the test command calls it every time).
  const again = Date.now();
  const second = await run('npm', ['run', '--silent', 'install:vscode-test'], env);
  assert.equal(second.code, 0, second.output);
  assert.ok(Date.now() - again < 30_000, `a second install took ${Date.now() - again} ms`);
  assert.doesNotMatch(second.output, /npm: code-server/, 'nothing is reinstalled');
});
