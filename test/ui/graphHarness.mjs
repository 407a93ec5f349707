// A stand-in for VS Code's webview host for the dependency-graph panel, like webviewHarness.mjs for the chat: an HTTP
// server on 127.0.0.1 serves a page with the panel's CSP (default-src 'none', one nonce'd script), a nonce'd harness
// script defining acquireVsCodeApi (it records what the page posts, and every CSP violation), media/graph.css and the
// real media/dist/graph.js.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GRAPH_BUNDLE = path.join(ROOT, 'media', 'dist', 'graph.js');
const STYLE = path.join(ROOT, 'media', 'graph.css');

// A few of the variables a theme gives a webview, enough to see that the page and the canvas use them.
export const THEMES = {
  dark: { bodyClass: 'vscode-dark', focusBorder: 'rgb(0, 127, 212)', foreground: 'rgb(204, 204, 204)', background: 'rgb(30, 30, 30)' },
  light: { bodyClass: 'vscode-light', focusBorder: 'rgb(0, 90, 158)', foreground: 'rgb(51, 51, 51)', background: 'rgb(255, 255, 255)' },
};

const themeCss = (t) => `:root {
  --vscode-foreground: ${t.foreground};
  --vscode-editor-foreground: ${t.foreground};
  --vscode-editor-background: ${t.background};
  --vscode-focusBorder: ${t.focusBorder};
  --vscode-textLink-foreground: rgb(55, 148, 255);
  --vscode-charts-blue: rgb(55, 148, 255);
  --vscode-charts-orange: rgb(209, 134, 22);
  --vscode-charts-purple: rgb(177, 128, 215);
  --vscode-button-background: rgb(0, 120, 212);
  --vscode-button-foreground: rgb(255, 255, 255);
  --vscode-font-family: sans-serif;
  --vscode-font-size: 13px;
}`;

const HARNESS = `
  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = (() => {
    let acquired = false;
    return () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return { postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))), getState: () => null, setState: () => {} };
    };
  })();`;

function page({ nonce, theme }) {
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
  <meta http-equiv="Content-Security-Policy" content="${policy}">
  <link rel="stylesheet" href="/theme-${theme}.css">
  <link rel="stylesheet" href="/media/graph.css">
  <title>Dependencies</title>
</head>
<body class="${THEMES[theme].bodyClass}">
  <div id="app"></div>
  <script nonce="${nonce}">${HARNESS}</script>
  <script nonce="${nonce}" src="/media/dist/graph.js"></script>
</body>
</html>`;
}

export async function startGraphServer() {
  if (!existsSync(GRAPH_BUNDLE)) throw new Error(`${GRAPH_BUNDLE} is missing: run npm run build first`);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
    if (url.pathname === '/') return send('text/html', page({ nonce: randomBytes(16).toString('base64'), theme }));
    const themeFile = /^\/theme-(dark|light)\.css$/.exec(url.pathname);
    if (themeFile) return send('text/css', themeCss(THEMES[themeFile[1]]));
    if (url.pathname === '/media/graph.css') return send('text/css', readFileSync(STYLE));
    if (url.pathname === '/media/dist/graph.js') return send('text/javascript', readFileSync(GRAPH_BUNDLE));
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

/**
 * Opens the graph panel page. Returns the page and helpers: `send(message)` posts a host message, `posted()` lists what
 * the page posted, `violations()` the CSP violations seen, `requests` every URL asked for, `errors` page errors.
 */
export async function openGraph(browser, serverUrl, { theme = 'dark' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  await page.goto(`${serverUrl}?theme=${theme}`);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return {
    page,
    requests,
    errors,
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
    posted: () => page.evaluate(() => window.__posted),
    clearPosted: () => page.evaluate(() => { window.__posted.length = 0; }),
    violations: () => page.evaluate(() => window.__cspViolations),
    close: () => context.close(),
  };
}
