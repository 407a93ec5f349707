import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Where the chat UI lives inside the extension; the webview may load nothing else. */
export const WEBVIEW_SCRIPT = ['media', 'dist', 'webview.js'];
export const WEBVIEW_STYLE = ['media', 'webview.css'];

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The chat page: CSP `default-src 'none'`, styles, fonts and images only from the extension's own media, and the
 * one script allowed by a nonce minted for this load (so nothing a model writes into the page can run).
 */
export function chatHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce: string, options: { scriptExists: boolean }): string {
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
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_SCRIPT));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_STYLE));
  const body = options.scriptExists
    ? `<div id="app"></div>\n  <script nonce="${nonce}" src="${script}"></script>`
    : '<p>The Recurse chat UI is not built (media/dist/webview.js is missing). Run <code>npm run build</code>.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}">
  <title>Recurse</title>
</head>
<body>
  ${body}
</body>
</html>`;
}
