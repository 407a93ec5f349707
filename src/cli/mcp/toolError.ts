import { ScopeError } from '../../core/index/scope';
import { ChatModelError } from '../../core/llm/chatModel';
import { CONFIG_HELP } from '../../core/llm/config';
import { RlmCancelledError } from '../../core/rlm/rlm';
import { GitError } from '../../core/review/git';

/** A tool call that failed, as MCP says it: a result with isError and the reason in words an agent can act on. */
export function toolError(e: unknown): { content: { type: 'text'; text: string }[]; isError: true } {
  let text: string;
  if (e instanceof RlmCancelledError) text = 'Cancelled.';
  else if (e instanceof ChatModelError && e.kind === 'config') text = `${e.message}\n\n${CONFIG_HELP}`;
  else if (e instanceof ChatModelError || e instanceof ScopeError || e instanceof GitError) text = e.message;
  else text = `Recurse failed: ${(e as Error)?.message ?? String(e)}`;
  return { content: [{ type: 'text', text }], isError: true };
}
