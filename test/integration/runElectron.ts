// The same extension-host tests on a downloaded desktop VS Code, through @vscode/test-electron — for machines that
// can reach VS Code's update servers (this project's own CI cannot; it uses test/vscode/runExtensionTests.mjs).
//   npm run build && npm run compile-tests && node out/test/integration/runElectron.js [version]
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const tmp = mkdtempSync(path.join(tmpdir(), 'recurse-electron-'));
  try {
    // The workspace the tests expect (see makeWorkspace in test/vscode/runExtensionTests.mjs).
    const ws = path.join(tmp, 'shop');
    cpSync(path.join(repo, 'test', 'fixtures', 'shop'), ws, { recursive: true });
    writeFileSync(path.join(ws, '.env.local'), 'OPENAI_API_KEY=sk-dotenv-SECRET-7f3a9c\nDB_PASSWORD=hunter2-SECRET-7f3a9c\n');
    mkdirSync(path.join(ws, 'generated'));
    writeFileSync(path.join(ws, 'generated', 'schema.ts'), 'export const GENERATED_MARKER_4b1d = 1;\n');
    mkdirSync(path.join(ws, '.vscode'));
    writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'files.exclude': { '**/generated': true } }));
    const lmProvider = path.join(tmp, 'lm-provider');
    cpSync(path.join(repo, 'test', 'vscode', 'lm-provider'), lmProvider, { recursive: true });
    await runTests({
      version: process.argv[2] ?? 'stable',
      extensionDevelopmentPath: [repo, lmProvider],
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [ws, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
    return 0;
  } catch (err) {
    console.error(`extension tests failed: ${(err as Error).message ?? err}`);
    return 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
