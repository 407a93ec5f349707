// A stand-in for VS Code's webview host for the dependency-graph panel, like webviewHarness.mjs for the chat: an HTTP
// server on 127.0.0.1 serves a page with the panel's CSP (default-src 'none', one nonce'd script), a nonce'd harness
// script defining acquireVsCodeApi (it records what the page posts, and every CSP violation), media/graph.css and the
// real media/dist/graph.js.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROLS, openPage, startPageServer, useHarness, vscodeApiScript, webviewPage } from './pageHarness.mjs';

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

export async function startGraphServer() {
  if (!existsSync(GRAPH_BUNDLE)) throw new Error(`${GRAPH_BUNDLE} is missing: run npm run build first`);
  const apiScript = vscodeApiScript({ persistState: false });
  return startPageServer((url) => {
    if (url.pathname === '/') {
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      return ['text/html', webviewPage({ title: 'Dependencies', styles: [`/theme-${theme}.css`, '/media/controls.css', '/media/graph.css'], bundle: '/media/dist/graph.js',
        apiScript, bodyClass: THEMES[theme].bodyClass })];
    }
    const themeFile = /^\/theme-(dark|light)\.css$/.exec(url.pathname);
    if (themeFile) return ['text/css', themeCss(THEMES[themeFile[1]])];
    if (url.pathname === '/media/controls.css') return ['text/css', readFileSync(CONTROLS)];
    if (url.pathname === '/media/graph.css') return ['text/css', readFileSync(STYLE)];
    if (url.pathname === '/media/dist/graph.js') return ['text/javascript', readFileSync(GRAPH_BUNDLE)];
    return undefined;
  });
}

/**
 * Opens the graph panel page. Returns the page and helpers: `send(message)` posts a host message, `posted()` lists what
 * the page posted, `violations()` the CSP violations seen, `requests` every URL asked for, `errors` page errors.
 */
export async function openGraph(browser, serverUrl, { theme = 'dark' } = {}) {
  return openPage(browser, `${serverUrl}?theme=${theme}`, { viewport: { width: 1000, height: 900 }, consoleTypes: ['error', 'warning'] });
}

/** The graph harness for a test file: `const graphs = useGraph()`, then `await graphs.open({theme})` in each test. */
export function useGraph() {
  return useHarness(startGraphServer, openGraph);
}
