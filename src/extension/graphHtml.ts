import * as vscode from 'vscode';

/** Where the graph panel's UI lives inside the extension; the panel may load nothing else. */
export const GRAPH_SCRIPT = ['media', 'dist', 'graph.js'];
export const GRAPH_STYLE = ['media', 'graph.css'];

/**
 * The graph page, under the same policy as the chat: `default-src 'none'`, styles only from the extension's media,
 * and one script allowed by a nonce minted for this load. Cytoscape draws on a canvas, which the policy allows.
 */
export function graphHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce: string, options: { scriptExists: boolean }): string {
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
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...GRAPH_SCRIPT));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...GRAPH_STYLE));
  const body = options.scriptExists
    ? `<div id="app"></div>\n  <script nonce="${nonce}" src="${script}"></script>`
    : '<p>The Recurse graph view is not built (media/dist/graph.js is missing). Run <code>npm run build</code>.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}">
  <title>Dependencies</title>
</head>
<body>
  ${body}
</body>
</html>`;
}
