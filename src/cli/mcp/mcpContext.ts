import type { RlmEvent } from '../../core/rlm/events';
import type { WarmWorkspace } from '../../core/workspace/warmWorkspace';
import type { RunOptions } from '../askCommand';
import type { CliModels } from '../models';

/** What every MCP tool works with: the warm workspace, the server's default scope, the models and run options. */
export interface McpContext {
  root: string;
  warm: WarmWorkspace;
  /** The server's --scope; a tool call's own scope replaces it. */
  scope?: string;
  /** The models, resolved on the first call that needs one (the server starts without). */
  models(): Promise<CliModels>;
  /** ask's options (budgets, prices, sub-call cache, windows) for one call. */
  runOptions(models: CliModels, signal: AbortSignal, onEvent: (event: RlmEvent) => void): RunOptions;
}
