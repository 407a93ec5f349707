import { parseCliArgs, USAGE } from './args';
import { runAsk } from './askCommand';
import { runChat } from './chatCommand';
import { EXIT } from './cliCommon';
import { exitWith, runMain } from './commandLine';
import { runIndex } from './indexCommand';
import { runModels } from './modelsCommand';
import { runEval } from './evalCommand';
import { runExport } from './exportCommand';
import { runReplay } from './replayCommand';
import { runReview } from './reviewCommand';
import { runTrace } from './traceCommand';
import { recurseVersion } from './version';

/** `recurse` — the core from a terminal. Progress goes to stderr, the answer (or one JSON object) to stdout. */

/** Every command. */
async function dispatch(argv: string[], signal: AbortSignal): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(`recurse ${recurseVersion()}\n`);
    return EXIT.ok;
  }
  if (argv[0] === 'review') return await runReview(argv.slice(1), signal);
  if (argv[0] === 'trace') return await runTrace(argv.slice(1), signal);
  if (argv[0] === 'models') return await runModels(argv.slice(1), signal);
  if (argv[0] === 'replay') return await runReplay(argv.slice(1), signal);
  if (argv[0] === 'eval') return await runEval(argv.slice(1), signal);
  if (argv[0] === 'export') return await runExport(argv.slice(1));
  // The MCP server's SDK (and its schema libraries) is loaded only by the command that serves it.
  if (argv[0] === 'mcp') return await (await import('./mcpCommand')).runMcp(argv.slice(1), signal);
  const args = parseCliArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (args.command === 'index') return await runIndex(args);
  if (args.command === 'chat') return await runChat(args, signal);
  return await runAsk(args, signal);
}

export function main(argv: string[]): Promise<number> {
  return runMain(argv, dispatch);
}

/** Runs the command line of this process, and exits with its code (see launcher.ts, which loads this bundle). */
export function runCommandLine(): void {
  exitWith(dispatch);
}

if (require.main === module) runCommandLine();
