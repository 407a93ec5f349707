import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside a `<script type="application/json">`: no `</script>` (or `<!--`) can end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * One self-contained HTML file: everything inline, nothing fetched (it opens offline, from a mail attachment or a CI
 * artifact), under a policy that runs only its own nonce'd scripts and styles.
 */
export function htmlPage(options: { title: string; style: string; body: string; scripts?: string[] }): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`;
  const scripts = (options.scripts ?? []).map((s) => `<script nonce="${nonce}">${s.replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style nonce="${nonce}">${options.style}</style>
</head>
<body>
${options.body}
${scripts}
</body>
</html>
`;
}

/**
 * A browser library inlined into generated pages: dist/vendor/<file> beside the bundle (copied by
 * esbuild.config.mjs), else from the package in node_modules (tests, development).
 */
export function vendorScript(pkg: 'chart.js', file: string): string {
  const bundled = path.join(__dirname, 'vendor', file);
  if (fs.existsSync(bundled)) return fs.readFileSync(bundled, 'utf8');
  return fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file), 'utf8');
}

/** The pages' shared look: system fonts, light and dark. */
export const BASE_STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de; --accent: #0969da; --bad: #cf222e; --good: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --panel: #161b22; --line: #30363d; --accent: #4493f8; --bad: #f85149; --good: #3fb950; } }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
code { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
details { border-left: 2px solid var(--line); margin: 6px 0; padding: 2px 0 2px 12px; }
summary { cursor: pointer; }
.good { color: var(--good); } .bad { color: var(--bad); }
`;
