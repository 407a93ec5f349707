import { ScopeError } from '../core/index/scope';
import { ChatModelError } from '../core/llm/chatModel';
import { RlmCancelledError } from '../core/rlm/cancelled';
import { USAGE, UsageError } from './args';
import { err, EXIT } from './cliCommon';

/** Runs one command line's command; resolves to the process's exit code. */
export type Dispatch = (argv: string[], signal: AbortSignal) => Promise<number>;

/**
 * A command line run the way every `recurse` bundle runs it: Ctrl-C cancels (twice quits at once), and errors become
 * a message and an exit code — usage mistakes 2 with the usage text, a cancelled run 130, anything else 1.
 */
export async function runMain(argv: string[], dispatch: Dispatch): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      err('recurse: cancelling… (Ctrl-C again to quit at once)');
      controller.abort();
    } else {
      process.exit(EXIT.cancelled);
    }
  };
  process.on('SIGINT', onSigint);
  try {
    return await dispatch(argv, controller.signal);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`recurse: ${e.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (e instanceof ScopeError) {
      err(`recurse: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof ChatModelError && e.kind === 'config') {
      err(`recurse: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof RlmCancelledError || controller.signal.aborted) {
      err('recurse: cancelled');
      return EXIT.cancelled;
    }
    err(`recurse: ${(e as Error).message}`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Runs this process's command line with `dispatch` and exits with its code (see launcher.ts, which picks the bundle). */
export function exitWith(dispatch: Dispatch): void {
  // Exit explicitly once stdout is flushed: idle keep-alive sockets must not hold the terminal.
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  runMain(process.argv.slice(2), dispatch).then(exit, (e) => {
    err(`recurse: ${(e as Error).stack ?? e}`);
    exit(EXIT.failed);
  });
}
