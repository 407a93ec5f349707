#!/usr/bin/env node
// Builds recurse-<version>.vsix with @vscode/vsce, offline. package.json's "files" (the npm package of the CLI) and
// .vscodeignore cannot coexist for vsce, so the extension is staged in out/vsix/ with a manifest without "files",
// "bin" and the dev-only fields, and .vscodeignore filters that stage. Run after `node esbuild.config.mjs --production`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stage = path.join(repo, 'out', 'vsix');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));

const required = ['dist/extension.js', 'dist/core.js', 'dist/cli.js', 'dist/cliMain.js', 'dist/cliIndex.js', 'dist/quickjs.wasm', 'dist/symbolWorker.js', 'dist/grammars', 'media/dist/webview.js', 'media/dist/graph.js'];
for (const f of required) {
  if (!fs.existsSync(path.join(repo, f))) {
    console.error(`[package] ${f} is missing: run npm run build first`);
    process.exit(1);
  }
}
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(path.join(stage, 'dist'), { recursive: true });
// Everything the bundles load at run time: the engine, the QuickJS and tree-sitter wasm, the symbol worker and the
// grammars (wasm + tags queries), and the CLI bundle (the MCP server VS Code is offered runs it). Source maps stay out.
fs.cpSync(path.join(repo, 'dist'), path.join(stage, 'dist'), { recursive: true });
fs.cpSync(path.join(repo, 'media'), path.join(stage, 'media'), { recursive: true });
for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
  if (fs.existsSync(path.join(repo, f))) fs.copyFileSync(path.join(repo, f), path.join(stage, f));
}
// README images are relative to the repository; copy them so vsce can package them as they are referenced.
const readme = fs.existsSync(path.join(repo, 'README.md')) ? fs.readFileSync(path.join(repo, 'README.md'), 'utf8') : '';
for (const m of readme.matchAll(/!\[[^\]]*\]\((?!https?:)([^)\s]+)\)/g)) {
  const src = path.join(repo, m[1]);
  if (fs.existsSync(src)) {
    fs.mkdirSync(path.dirname(path.join(stage, m[1])), { recursive: true });
    fs.copyFileSync(src, path.join(stage, m[1]));
  }
}
const { files, bin, scripts, devDependencies, dependencies, ...manifest } = pkg;
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const out = path.join(repo, `${pkg.name}-${pkg.version}.vsix`);
const vsce = path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out];
// Without a repository URL vsce cannot rewrite relative README links; give it one when the manifest has none.
if (!manifest.repository) args.push('--baseContentUrl', 'https://github.com/recurse/recurse/blob/HEAD', '--baseImagesUrl', 'https://github.com/recurse/recurse/raw/HEAD');
const r = spawnSync(process.execPath, args, { cwd: stage, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const listing = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: stage, encoding: 'utf8' });
console.log(`[package] ${path.relative(repo, out)}: ${(fs.statSync(out).size / 1024).toFixed(0)} KiB\n${listing.stdout}`);
