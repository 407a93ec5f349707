import type * as vscode from 'vscode';
import type { RlmEvent } from '../../core/rlm/events';

/**
 * Writes a run's whole trajectory to the Recurse log: every model reply, code cell and output in full, sub-calls,
 * usage. Streaming deltas are left out (the complete reply follows as model-text). Nested RLMs are indented.
 */
export function logEvent(log: vscode.LogOutputChannel, e: RlmEvent): void {
  const pad = '  '.repeat(e.depth);
  const block = (text: string) => text.replace(/\n/g, `\n${pad}    `);
  switch (e.type) {
    case 'run-start':
      log.info(`${pad}[run ${e.runId}] depth ${e.depth}: ${e.files} files — ${block(e.question)}`);
      break;
    case 'turn':
      log.info(`${pad}turn ${e.turn}/${e.maxTurns}`);
      break;
    case 'model-delta':
      break;
    case 'model-retry':
      log.warn(`${pad}model call failed, retry ${e.attempt} in ${e.delayMs} ms: ${e.message}`);
      break;
    case 'model-text':
      if (e.thinking) log.info(`${pad}thinking (turn ${e.turn}, not run):\n${pad}    ${block(e.thinking)}`);
      log.info(`${pad}model (turn ${e.turn}):\n${pad}    ${block(e.text)}`);
      break;
    case 'cell-start':
      log.info(`${pad}cell ${e.cell}:\n${pad}    ${block(e.code)}`);
      break;
    case 'cell-output':
      (e.error ? log.warn : log.info).call(
        log,
        `${pad}cell ${e.cell} output (${e.durationMs} ms)${e.error ? ` error: ${e.error}` : ''}:\n${pad}    ${block(e.output)}`,
      );
      break;
    case 'subcall-start':
      log.info(`${pad}${e.kind}_query #${e.id} started:\n${pad}    ${block(e.prompt)}`);
      break;
    case 'subcall-end':
      log.info(`${pad}${e.kind}_query #${e.id} ${e.ok ? 'returned' : 'failed'} in ${e.durationMs} ms:\n${pad}    ${block(e.result)}`);
      break;
    case 'usage':
      log.debug(
        `${pad}usage ${e.model}: +${e.usage.totalTokens} tokens${e.usage.estimated ? ' (estimated)' : ''}, total ${e.totalTokens}` +
          `${e.cost !== undefined ? `, $${e.cost.toFixed(4)}` : ''}`,
      );
      break;
    case 'notice':
      log.info(`${pad}notice: ${e.message}`);
      break;
    case 'finish':
      log.info(`${pad}finished (${e.reason}${e.forced ? ', forced' : ''}):\n${pad}    ${block(e.answer)}`);
      break;
    case 'error':
      log.error(`${pad}error: ${e.message}`);
      break;
  }
}
