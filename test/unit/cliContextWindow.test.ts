import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cliRun';
import { MARKER, longRunSteps, writeLongRunWorkspace } from '../support/longRun';
import { startScriptedModels } from '../support/scriptedModels';

/** `recurse ask` with small context windows: the endpoint's, or the one the user sets. */
describe('recurse CLI and context windows', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'recurse-window-'));
    writeLongRunWorkspace(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Ollama serving a 4,096-token window: said on stderr with how to raise it, and no prompt is ever cut by the server', async () => {
    const models = await startScriptedModels({
      rootSteps: longRunSteps(8),
      server: { windows: { '*': { tokens: 4_096, supported: 32_768, flavor: 'ollama', overflow: 'truncate' } } },
    });
    try {
      const run = await runCli(['ask', '-w', dir, '--base-url', models.server.url, '-m', 'root-model', 'What is the release key?']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(MARKER));
      assert.match(run.stderr, /Ollama serves root-model with a 4,096-token context window; the model supports 32,768/);
      assert.match(run.stderr, /OLLAMA_CONTEXT_LENGTH=32768/);
      assert.match(run.stderr, /Compacted/);
      const chats = models.server.chatRequests;
      assert.ok(chats.length === 8 && chats.every((r) => !r.overflowed && r.promptTokens! <= 4_096), chats.map((r) => r.promptTokens).join(', '));
    } finally {
      await models.close();
    }
  });

  it('--context-window keeps every prompt within the window set; a window too small to work in is a usage error', async () => {
    const models = await startScriptedModels({ rootSteps: longRunSteps(10), server: { windows: { '*': { tokens: 1_000_000, flavor: 'none' } } } });
    try {
      const run = await runCli(['ask', '-w', dir, '--base-url', models.server.url, '-m', 'root-model', '--context-window', '6000', '--json', 'What is the release key?']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(JSON.parse(run.stdout).answer, new RegExp(MARKER));
      const sizes = models.server.chatRequests.map((r) => r.promptTokens!);
      assert.ok(Math.max(...sizes) <= 6_000, sizes.join(', '));
      const tooSmall = await runCli(['ask', '-w', dir, '--base-url', models.server.url, '--context-window', '1000', 'q']);
      assert.equal(tooSmall.code, 2);
      assert.match(tooSmall.stderr, /--context-window must be an integer >= 2048/);
    } finally {
      await models.close();
    }
  });
});
