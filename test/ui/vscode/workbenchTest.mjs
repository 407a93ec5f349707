// What the workbench UI tests share: where the repository and the failure artifacts are, the built files they need,
// the real-HTTP test model server (compiled to out/), a temp copy of the shop fixture as the workspace, and evidence
// (a screenshot and the extension host's errors) when a step fails.
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWorkbench, screenshot } from '../../vscode/ui.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test', 'ui', 'artifacts');

/** Fails the test file at once, with the command to run, when a built file it needs is missing. */
export function requireBuilt(files) {
  for (const built of files) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run npm run build && npm run compile-tests`);
  }
}

/** The OpenAI-protocol test server (test/support/modelServer.ts, compiled). */
export function modelServerClass() {
  requireBuilt(['out/test/support/modelServer.js']);
  return createRequire(import.meta.url)(path.join(ROOT, 'out', 'test', 'support', 'modelServer.js')).ModelServer;
}

/** The real git test-repository helpers (test/support/gitRepo.ts, compiled). */
export function gitRepoHelpers() {
  requireBuilt(['out/test/support/gitRepo.js']);
  return createRequire(import.meta.url)(path.join(ROOT, 'out', 'test', 'support', 'gitRepo.js'));
}

/**
 * The workbench with Recurse loaded from this repository, asking the test model server's root-model
 * (`settings` adds or overrides workbench settings). The local server accepts any key; the extension reads it from
 * the environment.
 */
export function openRecurseWorkbench(workspace, server, settings = {}) {
  process.env.OPENAI_API_KEY = 'test-key-for-the-local-model-server';
  return openWorkbench({
    workspace,
    extensions: [ROOT],
    viewport: { width: 1440, height: 900 },
    settings: {
      'recurse.provider': 'openai',
      'recurse.baseUrl': server.url,
      'recurse.model': 'root-model',
      'recurse.maxIterations': 6,
      'editor.minimap.enabled': false,
      ...settings,
    },
  });
}

/** A js fenced block, as a model writes it. */
export const js = (code) => '```js\n' + code + '\n```';

/** A fresh temp copy of test/fixtures/shop; the caller removes it. */
export function shopWorkspace(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cpSync(path.join(ROOT, 'test', 'fixtures', 'shop'), dir, { recursive: true });
  return dir;
}

/** Saves a screenshot of the workbench page under test/ui/artifacts. */
export async function shoot(wb, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await screenshot(wb.page, path.join(ARTIFACTS, name));
}

/** Runs `fn`; on failure leaves `<name>-failure.png` and prints the extension host's errors, so a red run says why. */
export async function withEvidence(wb, name, fn) {
  try {
    await fn();
  } catch (e) {
    if (wb) {
      await shoot(wb, `${name}-failure.png`).catch(() => {});
      for (const line of wb.problems()) console.error(line);
    }
    throw e;
  }
}
