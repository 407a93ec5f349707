/**
 * A reasoning model's thinking, separated from what it says. Models served by Ollama, LM Studio or vLLM without a
 * reasoning parser (Qwen3, QwQ, DeepSeek-R1 and their distills) write it into the content between `<think>` and
 * `</think>` (some `<thinking>`), including code and FINAL(...) lines they considered and dropped. Only what follows
 * is the response: the thinking is shown, never run, never searched for an answer, and never sent back.
 */
export interface SplitResponse {
  /** The thinking, blocks joined with a blank line ('' when none). */
  thinking: string;
  /** The response without it. */
  visible: string;
}

const BLOCK = /<(think|thinking)>([\s\S]*?)<\/\1>/gi;
const OPEN = /<(think|thinking)>/i;
const STRAY_CLOSE = /<\/(think|thinking)>/i;

export function splitThinking(text: string): SplitResponse {
  const thoughts: string[] = [];
  let visible = text.replace(BLOCK, (_, _tag: string, body: string) => {
    thoughts.push(body.trim());
    return '';
  });
  // Cut off while thinking (a length limit): everything after the opening tag is thinking.
  const open = OPEN.exec(visible);
  if (open) {
    thoughts.push(visible.slice(open.index + open[0].length).trim());
    visible = visible.slice(0, open.index);
  }
  // Chat templates that put the opening tag in the prompt leave only the closing one: what precedes it is thinking.
  const close = STRAY_CLOSE.exec(visible);
  if (close) {
    thoughts.unshift(visible.slice(0, close.index).trim());
    visible = visible.slice(close.index + close[0].length);
  }
  return { thinking: thoughts.filter(Boolean).join('\n\n'), visible: visible.replace(/^\s*\n/, '').trimEnd() };
}
