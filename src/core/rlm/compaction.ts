// How text is cut to fit the model's context window: a head and a tail, whole lines where it can, and between them a
// note saying what was cut and that nothing is lost — the REPL still holds every variable the cell made.
import { countTokens } from '../llm/tokenEstimate';

export const KEPT_IN_REPL =
  'every variable the cell made is still in the REPL: print a part of it, or search it, to see more';

/**
 * `text` within about `maxTokens` tokens (by the raw estimate): unchanged when it fits, else its first and last
 * lines around a note. `why` says what the cut is for ("to fit the model's context window").
 */
export function cutToTokens(text: string, maxTokens: number, why: string): string {
  const tokens = countTokens(text);
  if (tokens <= maxTokens) return text;
  const note = (chars: number, lines: number) =>
    `\n[… ${chars.toLocaleString('en-US')} characters (${lines.toLocaleString('en-US')} lines) cut here ${why}; ${KEPT_IN_REPL}]\n`;
  const noteTokens = countTokens(note(text.length, countLines(text))) + 2;
  const keepTokens = Math.max(0, maxTokens - noteTokens);
  const charsPerToken = text.length / Math.max(1, tokens);
  const keepChars = Math.floor(keepTokens * charsPerToken);
  const head = snapToLine(text.slice(0, Math.ceil(keepChars * 0.6)), 'end');
  const tail = snapToLine(text.slice(text.length - Math.floor(keepChars * 0.4)), 'start');
  const cut = text.slice(head.length, text.length - tail.length);
  return `${head}${note(cut.length, countLines(cut))}${tail}`;
}

/** A one-line stand-in for an output an older turn no longer shows at all. */
export function outputStub(text: string): string {
  return `[output of ${text.length.toLocaleString('en-US')} characters removed for space; the cell's variables are still in the REPL]`;
}

/** Only the fenced code of a response: what an older turn ran, without the prose around it. */
export function codeOnly(response: string): string {
  const blocks = [...response.matchAll(/```[^\n`]*\n[\s\S]*?```/g)].map((m) => m[0]);
  return blocks.length ? blocks.join('\n\n') : '[a response without code]';
}

function countLines(text: string): number {
  if (!text) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Drops a partial line at the cut side when a whole line boundary is near (within a fifth of the piece). */
function snapToLine(piece: string, side: 'start' | 'end'): string {
  if (side === 'end') {
    const nl = piece.lastIndexOf('\n');
    return nl >= piece.length * 0.8 ? piece.slice(0, nl + 1) : piece;
  }
  const nl = piece.indexOf('\n');
  return nl !== -1 && nl <= piece.length * 0.2 ? piece.slice(nl + 1) : piece;
}
