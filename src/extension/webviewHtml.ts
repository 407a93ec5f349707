import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';

/** A webview page of the extension: its one script and its stylesheets inside the extension, and what to say if unbuilt. */
export interface WebviewPage {
  script: string[];
  styles: string[][];
  title: string;
  /** Shown instead of the UI when the script is missing (the extension was not built). */
  missing: string;
}

/** Styles every page shares (buttons). */
const CONTROLS_STYLE = ['media', 'controls.css'];

export const CHAT_PAGE: WebviewPage = {
  script: ['media', 'dist', 'webview.js'],
  styles: [CONTROLS_STYLE, ['media', 'webview.css']],
  title: 'Recurse',
  missing: 'The Recurse chat UI is not built (media/dist/webview.js is missing). Run <code>npm run build</code>.',
};

/** Cytoscape draws on a canvas, which the policy allows; its one style rule lives in graph.css, not inline. */
export const GRAPH_PAGE: WebviewPage = {
  script: ['media', 'dist', 'graph.js'],
  styles: [CONTROLS_STYLE, ['media', 'graph.css']],
  title: 'Dependencies',
  missing: 'The Recurse graph view is not built (media/dist/graph.js is missing). Run <code>npm run build</code>.',
};

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * A page under the extension's policy: CSP `default-src 'none'`, styles, fonts and images only from the extension's
 * own media, and the one script allowed by a nonce minted for this load (so nothing a model writes into the page
 * can run).
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = makeNonce();
  const src = webview.cspSource;
  const csp = [
    "default-src 'none'",
    `img-src ${src} data:`,
    `style-src ${src}`,
    `font-src ${src}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const scriptUri = vscode.Uri.joinPath(extensionUri, ...page.script);
  const script = webview.asWebviewUri(scriptUri);
  const styles = page.styles.map((style) => `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...style))}">`);
  const body = fs.existsSync(scriptUri.fsPath)
    ? `<div id="app"></div>\n  <script nonce="${nonce}" src="${script}"></script>`
    : `<p>${page.missing}</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  ${styles.join('\n  ')}
  <title>${page.title}</title>
</head>
<body>
  ${body}
</body>
</html>`;
}
