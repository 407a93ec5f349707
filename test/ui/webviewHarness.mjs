// A stand-in for VS Code's webview host, for component tests of the chat bundle in a real Chromium:
// an HTTP server on 127.0.0.1 serves a page with the extension's CSP (default-src 'none', one nonce'd script),
// a nonce'd harness script defining acquireVsCodeApi (it records what the webview posts and keeps its state in
// sessionStorage, so a reload plays the part of hiding and showing the view), and media/dist/webview.js itself.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE = path.join(ROOT, 'media', 'dist', 'webview.js');
const STYLE = path.join(ROOT, 'media', 'webview.css');

// What a dark theme gives a webview; only a few, enough to see that the stylesheet uses them.
const THEME_CSS = `:root {
  --vscode-foreground: rgb(204, 204, 204);
  --vscode-sideBar-background: rgb(30, 31, 34);
  --vscode-textLink-foreground: rgb(55, 148, 255);
  --vscode-errorForeground: rgb(241, 76, 76);
  --vscode-button-background: rgb(0, 120, 212);
  --vscode-button-foreground: rgb(255, 255, 255);
  --vscode-font-family: sans-serif;
  --vscode-font-size: 13px;
}`;

const HARNESS = `
  window.__posted = [];
  window.__stateWrites = 0;
  window.acquireVsCodeApi = (() => {
    let acquired = false;
    return () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => JSON.parse(sessionStorage.getItem('state') || 'null'),
        setState: (s) => { window.__stateWrites++; sessionStorage.setItem('state', JSON.stringify(s)); },
      };
    };
  })();`;

function page({ nonce, csp }) {
  const policy = [
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'self'",
    "font-src 'self'",
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  ${csp ? `<meta http-equiv="Content-Security-Policy" content="${policy}">` : ''}
  <link rel="stylesheet" href="/theme.css">
  <link rel="stylesheet" href="/media/webview.css">
  <title>Recurse</title>
</head>
<body>
  <div id="app"></div>
  <script nonce="${nonce}">${HARNESS}</script>
  <script nonce="${nonce}" src="/media/dist/webview.js"></script>
</body>
</html>`;
}

export async function startHarnessServer() {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') return send('text/html', page({ nonce: randomBytes(16).toString('base64'), csp: url.searchParams.get('csp') !== '0' }));
    if (url.pathname === '/theme.css') return send('text/css', THEME_CSS);
    if (url.pathname === '/media/webview.css') return send('text/css', readFileSync(STYLE));
    if (url.pathname === '/media/dist/webview.js') return send('text/javascript', readFileSync(BUNDLE));
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404).end();
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
 * Opens the chat in a fresh page. Returns the page and helpers: `send(message)` posts a host message,
 * `posted()` lists what the webview posted, `requests` every URL the page asked for, `errors` page errors.
 */
export async function openChat(browser, serverUrl, { csp = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 420, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${serverUrl}${csp ? '' : '?csp=0'}`);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return {
    page,
    context,
    requests,
    errors,
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
    posted: () => page.evaluate(() => window.__posted),
    clearPosted: () => page.evaluate(() => { window.__posted.length = 0; }),
    close: () => context.close(),
  };
}
