import type { TraceDirection } from '../../core/trace/traceGraph';

/**
 * `/trace <target> [--to <target>] [--direction in|out|both] [--depth N]` typed in the chat: the host runs the trace
 * (graph panel) and then asks the chat to explain it, instead of sending the text to the model as a question.
 * No `vscode` import, so it is unit-tested on its own.
 */
export interface TraceRequest {
  target: string;
  to?: string;
  direction?: TraceDirection;
  depth?: number;
}

export const TRACE_CHAT_USAGE = 'Usage: /trace <symbol|path> [--to <symbol|path>] [--direction in|out|both] [--depth N]';

const DIRECTIONS: readonly TraceDirection[] = ['in', 'out', 'both'];
const MAX_DEPTH = 10;

/** Whether the chat text is a /trace command at all (then parseTraceChatCommand says if it is a valid one). */
export function isTraceChatCommand(text: string): boolean {
  return /^\/trace(\s|$)/.test(text.trim());
}

/** The request, or an error message (with the usage) for a malformed command. */
export function parseTraceChatCommand(text: string): { ok: true; request: TraceRequest } | { ok: false; message: string } {
  const words = tokenize(text.trim().replace(/^\/trace/, ''));
  if (typeof words === 'string') return { ok: false, message: `${words}. ${TRACE_CHAT_USAGE}` };
  const fail = (why: string) => ({ ok: false as const, message: `${why}. ${TRACE_CHAT_USAGE}` });
  const positionals: string[] = [];
  const request: Partial<TraceRequest> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const value = () => inline ?? words[++i];
    if (flag === '--to') {
      const to = value();
      if (!to) return fail('--to needs a target');
      request.to = to;
    } else if (flag === '--direction') {
      const d = value() as TraceDirection;
      if (!DIRECTIONS.includes(d)) return fail(`--direction must be in, out or both${d ? `, not "${d}"` : ''}`);
      request.direction = d;
    } else if (flag === '--in' || flag === '--out' || flag === '--both') {
      request.direction = flag.slice(2) as TraceDirection;
    } else if (flag === '--depth') {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > MAX_DEPTH) return fail(`--depth must be a whole number from 1 to ${MAX_DEPTH}${raw ? `, not "${raw}"` : ''}`);
      request.depth = n;
    } else if (flag.startsWith('--')) {
      return fail(`unknown option ${flag}`);
    } else {
      positionals.push(word);
    }
  }
  if (positionals.length === 0) return fail('/trace needs a target: a workspace path or a symbol name');
  if (positionals.length > 1) return fail(`/trace takes one target, got ${positionals.length}: ${positionals.join(' ')}`);
  return { ok: true, request: { ...request, target: positionals[0] } };
}

/** Splits on whitespace; "double" or 'single' quotes keep a target with spaces together. */
function tokenize(text: string): string[] | string {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const word = m[1] ?? m[2] ?? m[3];
    if (m[3] !== undefined && /["']/.test(m[3][0])) return 'an unclosed quote';
    words.push(word);
  }
  return words;
}
