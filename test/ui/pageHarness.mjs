// What the webview harnesses share (webviewHarness.mjs for the chat, graphHarness.mjs for the dependency graph): a page
// with the extension's CSP (default-src 'none', nonce'd scripts only), served with its assets from an HTTP server on
// 127.0.0.1, a stand-in acquireVsCodeApi that records what the page posts, and a page opener with the usual probes.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The stylesheet every webview page loads first (buttons), see src/extension/webviewHtml.ts. */
export const CONTROLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'media', 'controls.css');

/** The policy the extension's webviews use, with the harness server in place of the webview's own origin. */
export function webviewCsp(nonce) {
  return [
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'self'",
    "font-src 'self'",
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * acquireVsCodeApi as VS Code defines it (callable once): posted messages go to window.__posted, CSP violations to
 * window.__cspViolations; state lives in sessionStorage when `persistState` (a reload then plays the part of hiding
 * and showing the view), else nowhere.
 */
export function vscodeApiScript({ persistState }) {
  const state = persistState
    ? `getState: () => JSON.parse(sessionStorage.getItem('state') || 'null'),
        setState: (s) => { window.__stateWrites++; sessionStorage.setItem('state', JSON.stringify(s)); },`
    : 'getState: () => null, setState: () => { window.__stateWrites++; },';
  return `
  window.__posted = [];
  window.__stateWrites = 0;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = (() => {
    let acquired = false;
    return () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        ${state}
      };
    };
  })();`;
}

/** The page: CSP (unless `csp` is false), stylesheets, the harness script and the bundle, both with the nonce. */
export function webviewPage({ title, styles, bundle, apiScript, csp = true, bodyClass }) {
  const nonce = randomBytes(16).toString('base64');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  ${csp ? `<meta http-equiv="Content-Security-Policy" content="${webviewCsp(nonce)}">` : ''}
  ${styles.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n  ')}
  <title>${title}</title>
</head>
<body${bodyClass ? ` class="${bodyClass}"` : ''}>
  <div id="app"></div>
  <script nonce="${nonce}">${apiScript}</script>
  <script nonce="${nonce}" src="${bundle}"></script>
</body>
</html>`;
}

/**
 * An HTTP server on 127.0.0.1: `route(url)` returns `[contentType, body]` for a path it serves, or undefined (404).
 * Resolves to `{url, close()}`; close() drops open connections so the test runner can exit.
 */
export async function startPageServer(route) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    const found = route(url);
    if (!found) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': found[0], 'cache-control': 'no-store' });
    res.end(found[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.RECURSE_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/**
 * Opens `url` in a fresh browser context and waits for the page's ready message. Returns the page and helpers:
 * `send(message)` posts a host message, `posted()` what the page posted, `violations()` CSP violations, `requests`
 * every URL asked for, `errors` page errors and console messages of the given types.
 */
export async function openPage(browser, url, { viewport, consoleTypes = ['error'] }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (consoleTypes.includes(m.type())) errors.push(m.text()); });
  await page.goto(url);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return {
    page,
    context,
    requests,
    errors,
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
    posted: () => page.evaluate(() => window.__posted),
    clearPosted: () => page.evaluate(() => { window.__posted.length = 0; }),
    violations: () => page.evaluate(() => window.__cspViolations),
    close: () => context.close(),
  };
}

/**
 * For a test file: starts the page server and Chromium before its tests and stops both after them. Returns
 * `{open(options), url}`: open() opens a fresh page through `openWith(browser, serverUrl, options)`.
 */
export function useHarness(startServer, openWith) {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    open: (options) => openWith(browser, server.url, options),
    get url() {
      return server.url;
    },
  };
}
