/**
 * Reading a model response: the fenced cells to run, and a plain-text FINAL(...) answer for prompts written
 * for the paper. Parsing is line-based and fence-aware, because regexes over the whole response break on
 * nested parentheses and on fences inside answers.
 */

const RUNNABLE = new Set(['js', 'javascript', 'repl']);

export interface CodeBlock {
  code: string;
  /** 1-based line of the opening fence in the response, for messages. */
  line: number;
}

export interface ParsedResponse {
  blocks: CodeBlock[];
  /** The response with every fenced block removed (where FINAL is looked for). */
  prose: string;
}

export function parseResponse(text: string): ParsedResponse {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  let open: { fence: string; runnable: boolean; line: number; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!open) {
      const m = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/.exec(line);
      if (m) {
        open = { fence: m[1], runnable: RUNNABLE.has(m[2].toLowerCase()), line: i + 1, body: [] };
      } else {
        prose.push(line);
      }
      continue;
    }
    const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      if (open.runnable) blocks.push({ code: open.body.join('\n'), line: open.line });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  // An unclosed fence at the end (a truncated response) still runs: the model meant it as code.
  if (open?.runnable && open.body.join('').trim()) blocks.push({ code: open.body.join('\n'), line: open.line });
  return { blocks: blocks.filter((b) => b.code.trim().length > 0), prose: prose.join('\n') };
}

export type FinalAnswer = { kind: 'text'; value: string } | { kind: 'var'; name: string };

/**
 * Finds `FINAL(answer)` or `FINAL_VAR(name)` at the start of a line of prose. The argument runs to the
 * matching parenthesis (nested parentheses and quoted strings are balanced); an unbalanced argument runs to
 * the last `)` of the text, so a long markdown answer containing `(` still comes through whole.
 */
export function findFinal(prose: string): FinalAnswer | undefined {
  const m = /^[ \t]*(FINAL_VAR|FINAL)\(/m.exec(prose);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  let depth = 1;
  let end = -1;
  for (let i = start; i < prose.length; i++) {
    const ch = prose[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) {
        end = i;
        break;
      }
    }
  }
  if (end < 0) end = prose.lastIndexOf(')');
  if (end < start) end = prose.length;
  let value = prose.slice(start, end).trim();
  if (m[1] === 'FINAL_VAR') {
    value = value.replace(/^["'`]|["'`]$/g, '');
    return /^[A-Za-z_$][\w$]*$/.test(value) ? { kind: 'var', name: value } : undefined;
  }
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(value);
  if (quoted) value = quoted[2];
  return value ? { kind: 'text', value } : undefined;
}
