#!/usr/bin/env node
// Runs the UI tests with node's test runner: the webview component tests in Chromium (test/ui/*.test.mjs) and,
// when VS Code can be started (see test/vscode/), the workbench tests (test/ui/vscode/*.test.mjs).
// Pass files to run only those. Needs `npm run build` (media/dist/webview.js, dist/extension.js) first.
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const list = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f)) : []);
const files = process.argv.slice(2).length ? process.argv.slice(2) : [...list(here), ...list(join(here, 'vscode'))];
if (files.length === 0) {
  console.error('no UI test files found');
  process.exit(1);
}
// One file at a time: each starts its own Chromium (and the VS Code ones a code-server), too heavy to run in parallel on 2 cores.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
