import type { RlmEvent } from '../core/rlm/events';
import { preview } from '../core/rlm/events';

/**
 * Human-mode progress on stderr: turns, cells, sub-calls and tokens as they happen, indented by depth, so the
 * answer on stdout stays clean for pipes.
 */
export function createProgressPrinter(write: (line: string) => void): (event: RlmEvent) => void {
  const pad = (depth: number) => '  '.repeat(depth);
  return (event) => {
    switch (event.type) {
      case 'turn':
        write(`${pad(event.depth)}▸ turn ${event.turn}/${event.maxTurns}${event.depth ? ` (depth ${event.depth})` : ''}`);
        break;
      case 'cell-start':
        write(`${pad(event.depth)}  cell ${event.cell}: ${preview(event.code, 100)}`);
        break;
      case 'cell-output': {
        const lines = event.output ? event.output.split('\n').length : 0;
        const status = event.error ? `✗ ${preview(event.error, 120)}` : `✓ ${lines} line${lines === 1 ? '' : 's'} of output`;
        write(`${pad(event.depth)}    ${status} (${event.durationMs} ms)`);
        break;
      }
      case 'subcall-start':
        write(`${pad(event.depth)}↳ ${event.kind === 'rlm' ? 'rlm_query' : 'llm_query'} #${event.id}: ${preview(event.prompt, 80)}`);
        break;
      case 'subcall-end':
        if (!event.ok) write(`${pad(event.depth)}↳ #${event.id} failed: ${preview(event.result, 120)}`);
        else if (event.cached) write(`${pad(event.depth)}↳ #${event.id} cached (no cost)`);
        break;
      case 'usage':
        if (event.depth === 0) {
          write(`${pad(event.depth)}  tokens: ${event.totalTokens}${event.cost !== undefined ? ` · $${event.cost.toFixed(4)}` : ''}`);
        }
        break;
      case 'model-retry':
        write(`${pad(event.depth)}! ${preview(event.message, 160)} — retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s`);
        break;
      case 'notice':
        write(`${pad(event.depth)}! ${event.message}`);
        break;
      case 'finish':
        if (event.depth === 0) write(`✓ finished (${event.reason}${event.forced ? ', forced' : ''})`);
        break;
      default:
        break;
    }
  };
}
