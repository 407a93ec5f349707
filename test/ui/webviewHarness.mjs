// A stand-in for VS Code's webview host, for component tests of the chat bundle in a real Chromium:
// an HTTP server on 127.0.0.1 serves a page with the extension's CSP (default-src 'none', one nonce'd script),
// a nonce'd harness script defining acquireVsCodeApi (it records what the webview posts and keeps its state in
// sessionStorage, so a reload plays the part of hiding and showing the view), and media/dist/webview.js itself.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROLS, launchChromium, openPage, startPageServer, useHarness, vscodeApiScript, webviewPage } from './pageHarness.mjs';

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

export async function startHarnessServer() {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const apiScript = vscodeApiScript({ persistState: true });
  return startPageServer((url) => {
    if (url.pathname === '/') {
      const csp = url.searchParams.get('csp') !== '0';
      return ['text/html', webviewPage({ title: 'Recurse', styles: ['/theme.css', '/media/controls.css', '/media/webview.css'], bundle: '/media/dist/webview.js', apiScript, csp })];
    }
    if (url.pathname === '/theme.css') return ['text/css', THEME_CSS];
    if (url.pathname === '/media/controls.css') return ['text/css', readFileSync(CONTROLS)];
    if (url.pathname === '/media/webview.css') return ['text/css', readFileSync(STYLE)];
    if (url.pathname === '/media/dist/webview.js') return ['text/javascript', readFileSync(BUNDLE)];
    return undefined;
  });
}

export { launchChromium };

/**
 * Opens the chat in a fresh page. Returns the page and helpers: `send(message)` posts a host message,
 * `posted()` lists what the webview posted, `requests` every URL the page asked for, `errors` page errors.
 */
export async function openChat(browser, serverUrl, { csp = true } = {}) {
  return openPage(browser, `${serverUrl}${csp ? '' : '?csp=0'}`, { viewport: { width: 420, height: 900 } });
}

/** The chat harness for a test file: `const chats = useChat()`, then `await chats.open()` in each test. */
export function useChat() {
  return useHarness(startHarnessServer, openChat);
}
