// UI-test helpers for a real VS Code workbench (code-server + headless Chromium through playwright-core).
//
//   import { openWorkbench, openViewContainer, webviewFrame, webviewLocator, runCommand, openFile,
//            activeEditor, waitForActiveEditor, screenshot } from '../vscode/ui.mjs';
//
//   const wb = await openWorkbench({ workspace, extensions: [repoRoot], settings: { 'recurse.baseUrl': url } });
//   try {
//     await openViewContainer(wb.page, 'Recurse');
//     const view = await webviewFrame(wb.page, { title: 'Chat' });          // a playwright Frame with the chat's HTML
//     await view.getByLabel('Ask about this workspace').fill('where is tax computed?');
//     await view.getByRole('button', { name: 'Ask' }).click();
//     await view.locator('a[data-path="src/orders/pricing.ts"]').click();
//     await waitForActiveEditor(wb.page, { file: 'pricing.ts', line: 3 });
//   } catch (e) { await screenshot(wb.page, 'out/ui-failure.png'); console.error(wb.problems().join('\n')); throw e; }
//   finally { await wb.close(); }
//
// Exports (all async unless noted):
//   openWorkbench({ workspace, extensions, settings, viewport, headless, timeout, keep, verbose })
//       → { page, context, browser, server, timings: { serverMs, workbenchMs }, problems() (sync), close() }
//       Starts code-server with the extensions (folders are linked, .vsix files installed), opens the workspace in
//       Chromium, waits for the workbench and the extension host. Throws when VS Code refused an extension.
//   openViewContainer(page, title)      clicks the activity-bar (or panel) item titled `title`; no-op when shown
//   webviewFrame(page, { title, extensionId, timeout })  → Frame of a visible webview's own document (`title`: the
//       view name, its container title, or a webview panel's tab label). Stale after webview.html is set again.
//   webviewLocator(page, opts)          → FrameLocator of the same webview (re-resolves by itself)
//   runCommand(page, label)             runs a command by its exact palette label, e.g. 'Recurse: New Chat'
//   openFile(page, 'dir/file', { line }) Quick Open, then Go to Line
//   activeEditor(page)                  → { file, path, line, column, selection, title } as the workbench shows it
//                                         (selection: the status bar's '(N selected)' count or 0)
//   waitForActiveEditor(page, expected, { timeout })  polls activeEditor until every given key matches
//   screenshot(page, file)              PNG of the window → file
import fs from 'node:fs';
import path from 'node:path';
import { extensionHostReady, launchBrowser, serverErrors, startCodeServer } from './codeServer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function openWorkbench({ workspace, extensions = [], settings = {}, viewport = { width: 1400, height: 900 },
  headless = true, timeout = 60_000, keep = false, verbose = false, vscodeOptions = [] } = {}) {
  const started = Date.now();
  const server = await startCodeServer({ workspace, extensions, settings, vscodeOptions, keep });
  const timings = { serverMs: Date.now() - started };
  let browser;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server.stop();
  };
  try {
    browser = await launchBrowser({ headless });
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    if (verbose) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
    const kind = /\.code-workspace$/.test(server.workspace) ? 'workspace' : 'folder';
    await page.goto(`${server.url}/?${kind}=${encodeURIComponent(server.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout });
    while (!extensionHostReady(server)) {
      if (Date.now() - started > timeout) throw new Error(`the extension host did not start within ${timeout} ms`);
      await sleep(100);
    }
    timings.workbenchMs = Date.now() - started;
    // VS Code logs refused extensions (engines.vscode, bad manifest) with their folder: only the server log says so.
    const needle = `[${server.extensionsDir}${path.sep}`;
    const refused = fs.readFileSync(server.logFile, 'utf8').split('\n').filter((l) => l.includes(needle));
    if (refused.length) throw new Error(`VS Code refused extension(s):\n${[...new Set(refused)].join('\n')}`);
    return { page, context, browser, server, timings, problems: () => serverErrors(server, [needle]), close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function openViewContainer(page, title, { timeout = 30_000 } = {}) {
  const labels = [`[aria-label=${JSON.stringify(title)}]`, `[aria-label^=${JSON.stringify(`${title} (`)}]`,
    `[aria-label^=${JSON.stringify(`${title} - `)}]`];
  const item = page.locator(labels.map((l) => `.monaco-workbench .composite-bar .action-item a.action-label${l}`).join(', ')).first();
  try {
    await item.waitFor({ timeout });
  } catch {
    const have = await page.locator('.monaco-workbench .composite-bar .action-item a.action-label')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    throw new Error(`no view container "${title}" (have ${JSON.stringify(have)})`);
  }
  const isOpen = async () => /\bchecked\b/.test((await item.locator('xpath=..').getAttribute('class')) ?? '');
  if (await isOpen()) return; // a second click would close the side bar
  await item.click();
  for (const deadline = Date.now() + timeout; !(await isOpen()); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`view container "${title}" did not open`);
  }
  // A webview view takes focus once its content has loaded; wait for it, or it steals focus from the next step
  // (a command palette closes when it loses focus).
  await page.waitForFunction(() => {
    const a = document.activeElement;
    return !!a && (a.matches('iframe.webview') || !!a.closest('.part.sidebar, .part.panel, .part.auxiliarybar'));
  }, null, { timeout: 10_000 }).catch(() => {});
}

// Runs in the page. Webviews are not inside their view's DOM: each is an <iframe class="webview ready"> in an
// overlay positioned over the view's .pane-body (or an editor group for panels), so they are matched by geometry.
function locateWebview({ title, extensionId }) {
  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
  const contains = (el, x, y) => {
    const b = el.getBoundingClientRect();
    return x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
  };
  for (const frame of document.querySelectorAll('iframe.webview.ready')) {
    const r = frame.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(frame).visibility === 'hidden') continue;
    if (extensionId && norm(new URL(frame.src).searchParams.get('extensionId')) !== norm(extensionId)) continue;
    if (!title) return frame.name;
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const names = [];
    for (const body of document.querySelectorAll('.pane-body')) {
      if (!contains(body, x, y)) continue;
      const pane = body.closest('.pane');
      names.push(pane?.querySelector('.pane-header h3.title')?.textContent,
        pane?.querySelector('.pane-header')?.getAttribute('aria-label')?.replace(/ Section$/, ''));
      const heading = body.closest('.part')?.querySelector('.composite.title h2')?.textContent;
      names.push(heading, heading?.split(':')[0]);
    }
    for (const group of document.querySelectorAll('.editor-group-container')) {
      if (!contains(group, x, y)) continue;
      const tab = group.querySelector('.tab.active');
      names.push(tab?.getAttribute('data-resource-name'), tab?.getAttribute('aria-label')?.replace(/, preview$/, ''));
    }
    if (names.some((n) => n && norm(n) === norm(title))) return frame.name;
  }
  return null;
}

async function webviewName(page, { title, extensionId, timeout = 30_000 } = {}) {
  for (const deadline = Date.now() + timeout; ; await sleep(100)) {
    const name = await page.evaluate(locateWebview, { title, extensionId });
    if (name) return name;
    if (Date.now() > deadline) throw new Error(`no visible webview${title ? ` "${title}"` : ''}${extensionId ? ` of ${extensionId}` : ''}`);
  }
}

export async function webviewFrame(page, { title, extensionId, timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  const name = await webviewName(page, { title, extensionId, timeout });
  for (;; await sleep(100)) {
    const host = page.frames().find((f) => f.name() === name);
    // The document lives in a child iframe whose element id becomes 'active-frame' once loaded (its frame name
    // keeps saying 'pending-frame', so the element id is what tells).
    for (const child of host?.childFrames() ?? []) {
      const id = await child.frameElement().then((el) => el.getAttribute('id'), () => null);
      if (id === 'active-frame') {
        await child.waitForLoadState('domcontentloaded');
        return child;
      }
    }
    if (Date.now() > deadline) throw new Error(`webview ${title ?? name} has no loaded document`);
  }
}

export async function webviewLocator(page, options = {}) {
  const name = await webviewName(page, options);
  return page.frameLocator(`iframe[name=${JSON.stringify(name)}]`).frameLocator('#active-frame');
}

const QUICK_INPUT = '.quick-input-widget .quick-input-box input';

/**
 * Opens a quick input with `key`, types `text` and clicks the row whose label matches. Retried until picked: the
 * quick input closes when it loses focus (a webview that just loaded takes it) and Quick Open's file index lags
 * behind startup. Never retried after the pick, since the command may open a quick input of its own.
 */
async function pick(page, { key, text, label, description, what, timeout }) {
  const input = page.locator(QUICK_INPUT);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  let lastError;
  for (const deadline = Date.now() + timeout; Date.now() < deadline;) {
    try {
      if (await input.isVisible()) {
        await page.keyboard.press('Escape');
        await input.waitFor({ state: 'hidden', timeout: 3000 });
      }
      await page.keyboard.press(key);
      await input.waitFor({ state: 'visible', timeout: 3000 });
      await input.fill(text, { timeout: 3000 });
      let row = rows.filter({ has: page.locator('.label-name', { hasText: label }) });
      if (description) row = row.filter({ has: page.locator('.label-description', { hasText: description }) });
      await row.first().click({ timeout: 3000 });
    } catch (e) {
      const seen = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))).catch(() => []);
      lastError = new Error(`${what}: no row matching ${label} (rows ${JSON.stringify(seen)}; ${e.message.split('\n')[0]})`);
      if (await input.isVisible().catch(() => false)) await page.keyboard.press('Escape');
      continue;
    }
    await page.waitForFunction(([sel, t]) => {
      const el = document.querySelector(sel);
      return !el || !el.checkVisibility() || el.value !== t;
    }, [QUICK_INPUT, text], { timeout: 3000 }).catch(() => {});
    return;
  }
  throw lastError ?? new Error(`${what}: timed out`);
}

export async function runCommand(page, label, { timeout = 30_000 } = {}) {
  await pick(page, { key: 'F1', text: `>${label}`, label: new RegExp(`^\\s*${escapeRe(label)}\\s*$`), what: `command "${label}"`, timeout });
}

export async function openFile(page, relativePath, { line, timeout = 30_000 } = {}) {
  const parts = relativePath.split('/');
  const base = parts.pop();
  const dir = parts.join('/');
  await pick(page, { key: 'Control+P', text: relativePath, label: new RegExp(`^${escapeRe(base)}$`),
    description: dir ? new RegExp(`(^|[\\s/•])${escapeRe(dir)}$`) : undefined, what: `file "${relativePath}"`, timeout });
  await waitForActiveEditor(page, { file: base }, { timeout });
  if (line) {
    // `file:line` finds nothing in this build's Quick Open, so the line goes through Go to Line.
    const input = page.locator(QUICK_INPUT);
    await page.keyboard.press('Control+G');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(`:${line}`);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout });
    await waitForActiveEditor(page, { file: base, line }, { timeout });
  }
}

export async function activeEditor(page) {
  return page.evaluate(() => {
    const group = document.querySelector('.editor-group-container.active') ?? document.querySelector('.editor-group-container');
    const tab = group?.querySelector('.tab.active');
    const file = tab?.getAttribute('data-resource-name') ?? tab?.getAttribute('aria-label')?.replace(/, preview$/, '') ?? null;
    const crumbs = [...(group?.querySelectorAll('.breadcrumbs-control .monaco-breadcrumb-item') ?? [])]
      .filter((e) => e.classList.contains('folder') || e.classList.contains('file')).map((e) => e.textContent.trim());
    const status = document.getElementById('status.editor.selection')?.textContent ?? '';
    const pos = /Ln (\d+), Col (\d+)/.exec(status);
    const sel = /\((\d+) selected\)/.exec(status);
    return { file, path: crumbs.length ? crumbs.join('/') : null, line: pos ? Number(pos[1]) : null,
      column: pos ? Number(pos[2]) : null, selection: sel ? Number(sel[1]) : 0, title: document.title };
  });
}

export async function waitForActiveEditor(page, expected, { timeout = 10_000 } = {}) {
  let last;
  for (const deadline = Date.now() + timeout; ; await sleep(100)) {
    last = await activeEditor(page);
    if (Object.entries(expected).every(([k, v]) => v === undefined || last[k] === v)) return last;
    if (Date.now() > deadline) throw new Error(`active editor is ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
  }
}

export async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/**
 * Waits for a notification whose text matches `text`: as a toast, or — when the toast has already hidden itself (a
 * slow machine reaches the wait after VS Code's toast timeout) — in the notification center, opened for the purpose.
 */
export async function waitForNotification(page, text, { timeout = 30_000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text });
  try {
    await toast.first().waitFor({ timeout });
    return;
  } catch {
    // Not (or no longer) a toast: look where VS Code keeps every notification.
  }
  await runCommand(page, 'Notifications: Show Notifications');
  await page.locator('.notifications-center .notification-list-item', { hasText: text }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Escape');
}
