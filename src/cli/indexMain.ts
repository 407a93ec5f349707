import { parseCliArgs, USAGE } from './args';
import { EXIT } from './cliCommon';
import { exitWith } from './commandLine';
import { runIndex } from './indexCommand';

/**
 * `recurse index` on its own (dist/cliIndex.js): the launcher loads this bundle for that command, so a warm open
 * does not read and compile the model clients, the sandbox and the MCP SDK it never uses (a fifth of the code).
 */
async function dispatch(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (args.command !== 'index') throw new Error(`the index bundle runs \`recurse index\` only, not ${args.command}`);
  return await runIndex(args);
}

export function runCommandLine(): void {
  exitWith(dispatch);
}
