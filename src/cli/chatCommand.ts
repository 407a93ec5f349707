import * as readline from 'node:readline';
import { CodeIndex } from '../core/index/codeIndex';
import { RlmCancelledError } from '../core/rlm/rlm';
import { ask } from '../core/workflows/ask';
import { Conversation } from '../core/workflows/conversation';
import { FileMap } from '../core/workspace/fileMap';
import type { CliArgs } from './args';
import { printAnswer, runOptions } from './askCommand';
import { checkWorkspace, err, EXIT } from './cliCommon';
import { createCliModels } from './models';

/**
 * `recurse chat`: questions from stdin, one per line, answered one after the other in one conversation — one REPL
 * whose variables carry over, the earlier questions in its `history`. At a terminal it is an interactive prompt
 * with line editing; with --json every answer is one JSON line (the shape of `ask --json`). Exit 0 at end of input
 * (1 when a question failed), 130 on Ctrl-C.
 */
export async function runChat(args: CliArgs, signal: AbortSignal): Promise<number> {
  const root = await checkWorkspace(args.workspace);
  const models = await createCliModels(args, root);
  const options = runOptions(args, root, models, signal);
  const interactive = Boolean(process.stdin.isTTY);
  if (!args.quiet) err(`recurse chat: ${models.label}${interactive ? ' — one question per line, Ctrl-D to end' : ''}`);
  const map = await FileMap.load(root, { ...options.fileMap, signal });
  const code = new CodeIndex(map);
  code.start();
  const conversation = new Conversation();
  let failed = 0;
  const lines = readline.createInterface({ input: process.stdin, output: interactive ? process.stderr : undefined, terminal: interactive });
  if (interactive) lines.setPrompt('recurse> ');
  try {
    if (interactive) lines.prompt();
    for await (const line of lines) {
      const question = line.trim();
      if (question) failed += await answerOne(args, { ...options, map, code, conversation, question });
      if (interactive) lines.prompt();
    }
  } finally {
    lines.close();
    conversation.dispose();
    code.dispose();
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/** One question of the chat: its answer printed, or its failure said — the chat goes on either way (0 or 1 failed). */
async function answerOne(args: CliArgs, options: Parameters<typeof ask>[0]): Promise<number> {
  try {
    printAnswer(args, await ask(options));
    return 0;
  } catch (e) {
    if (e instanceof RlmCancelledError || options.signal?.aborted) throw e;
    err(`recurse chat: ${(e as Error).message}`);
    if (args.json) process.stdout.write(`${JSON.stringify({ question: options.question, error: (e as Error).message })}\n`);
    return 1;
  }
}
