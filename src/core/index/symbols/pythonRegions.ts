/**
 * Regions of Python: the statement holding a line (a def or a class with its whole indented
 * block, its decorators included) and the header of every class or def around it, so the kept
 * lines parse as the same nested definitions. A lexer finds where logical lines start (not inside
 * a string, brackets or a backslash continuation) and where code is; blank and comment-only
 * lines do not end a block. A statement nested in anything but a class or a def (an `if`, a
 * `try`), or indentation with tabs, is not delimited here: the file is then parsed whole.
 */

import { nameInCode, quotedEnd } from './codeSpans';

/** Per line: whether a logical line starts on it, and its indentation (spaces; -1 for a tab or a form feed). */
export interface Layout {
  starts: Uint8Array;
  indent: Int32Array;
  /** Sorted [start, end) text spans that are not code: strings and comments. */
  spans: ArrayLike<number>;
  /** Every string closed and every bracket matched by a closer (counted, not paired): false for code that cannot parse cleanly. */
  balanced: boolean;
}

/** Characters the layout acts on: newline, #, quotes, brackets, backslash. */
const TOKEN = new Uint8Array(128);
for (const ch of '\n#"\'()[]{}\\') TOKEN[ch.charCodeAt(0)] = 1;
const PREFIX = new Uint8Array(65536);
for (const ch of 'rRbBuUfF') PREFIX[ch.charCodeAt(0)] = 1;

export function pythonLayout(text: string, lineStarts: ArrayLike<number>): Layout {
  const n = lineStarts.length;
  const starts = new Uint8Array(n);
  const indent = new Int32Array(n);
  const spans: number[] = [];
  // Where a logical line may start: after a newline that is outside strings and brackets and not escaped.
  let depth = 0;
  let line = 0;
  let balanced = true;
  const markLine = (l: number): void => {
    const at = lineStarts[l];
    let i = at;
    while (text[i] === ' ') i++;
    const ch = text[i];
    if (ch === '\t' || ch === '\f') {
      indent[l] = -1;
      return;
    }
    // Blank and comment-only lines start nothing.
    if (ch === undefined || ch === '\n' || ch === '\r' || ch === '#') return;
    starts[l] = 1;
    indent[l] = i - at;
  };
  markLine(0);
  // A character loop, not a regular expression: every newline and bracket is a token, and a
  // match per token costs several times a table lookup.
  const len = text.length;
  for (let at = 0; at < len; at++) {
    const c = text.charCodeAt(at);
    if (c >= 128 || TOKEN[c] === 0) continue;
    if (c === 10) {
      line++;
      if (line < n && depth === 0) markLine(line);
    } else if (c === 35) {
      let end = text.indexOf('\n', at);
      if (end === -1) end = len;
      spans.push(at, end);
      at = end - 1;
    } else if (c === 34 || c === 39) {
      const quote = text.startsWith(c === 34 ? '"""' : "'''", at) ? text.substr(at, 3) : text[at];
      // String prefixes (r, b, u, f, two at most) belong to the literal.
      let from = at;
      while (from > at - 2 && from > 0 && PREFIX[text.charCodeAt(from - 1)] === 1) from--;
      const body = at + quote.length;
      let end = body;
      if (quote.length === 3) {
        for (;;) {
          const close = text.indexOf(quote, end);
          if (close === -1) {
            end = len;
            balanced = false;
            break;
          }
          // An escaped quote ends nothing.
          if (!escaped(text, close, body)) {
            end = close + 3;
            break;
          }
          end = close + 1;
        }
      } else {
        end = quotedEnd(text, body, quote);
        // Closed when it ends on its quote, not on an escaped one (a line break ends an unclosed one).
        if (end - 1 < body || text[end - 1] !== quote || escaped(text, end - 1, body)) balanced = false;
      }
      spans.push(from, end);
      // Lines inside a triple-quoted string start nothing.
      for (let k = text.indexOf('\n', at); k !== -1 && k < end; k = text.indexOf('\n', k + 1)) line++;
      at = end - 1;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) balanced = false;
      else depth--;
    }
    else if (c === 92) {
      // A backslash before the newline: the next line continues this logical line.
      const next = text.charCodeAt(at + 1) === 13 ? at + 2 : at + 1;
      if (text.charCodeAt(next) === 10) {
        line++;
        at = next;
      }
    }
  }
  return { starts, indent, spans, balanced: balanced && depth === 0 };
}

/** Whether the character at `at` is escaped: an odd run of backslashes before it, back to `from`. */
function escaped(text: string, at: number, from: number): boolean {
  let slashes = 0;
  for (let k = at - 1; k >= from && text.charCodeAt(k) === 92; k--) slashes++;
  return slashes % 2 === 1;
}

const HEADER = /^(?:async\s+def|def|class)\b/;
/** Clauses that continue a compound statement at its own indentation. */
const CLAUSE = /^(?:elif|else|except|finally)\b/;

/**
 * Marks in `keep` the lines of the statement holding each wanted line, and the headers of the
 * classes and defs around it. False when one cannot be delimited (see the file comment).
 */
export function pythonRegions(text: string, lineStarts: number[], lines: readonly number[], keep: Uint8Array, name?: string): boolean {
  const { starts, indent, spans } = pythonLayout(text, lineStarts);
  const n = lineStarts.length;
  const lineText = (l: number): string => text.slice(lineStarts[l], l + 1 < n ? lineStarts[l + 1] : text.length);
  /** The logical line holding line `l`: the nearest start at or above it. */
  const logical = (l: number): number => {
    while (l > 0 && starts[l] !== 1) l--;
    return l;
  };
  /** The next logical start after `l` whose indentation is at most `k` (n if none). */
  const nextAtMost = (l: number, k: number): number => {
    for (let i = l + 1; i < n; i++) if (starts[i] === 1 && indent[i] <= k) return i;
    return n;
  };
  const nextStart = (l: number): number => {
    for (let i = l + 1; i < n; i++) if (starts[i] === 1) return i;
    return n;
  };
  /** Decorators right above a def or class line, at its indentation. */
  const decorated = (l: number): number => {
    let from = l;
    for (let i = l - 1; i >= 0; i--) {
      if (starts[i] !== 1) continue;
      if (indent[i] !== indent[l] || !text.startsWith('@', lineStarts[i] + indent[i])) break;
      from = i;
    }
    return from;
  };
  for (let i = 0; i < n; i++) if (indent[i] === -1) return false;
  for (const wanted of lines) {
    const l = wanted - 1;
    if (l < 0 || l >= n) return false;
    if (name && nameInCode(text, lineStarts[l], l + 1 < n ? lineStarts[l + 1] : text.length, name, spans) === -1) continue;
    const s = logical(l);
    if (starts[s] !== 1) return false;
    const k = indent[s];
    // The statement with its whole block (a def's body, a class's members), and its decorators.
    keep.fill(1, decorated(s), nextAtMost(s, k));
    // Every enclosing header of a class or a def: its lines up to the next logical line, with its
    // decorators. Inside anything else (if, try, with...), the whole top-level statement instead.
    let inner = k;
    for (let i = s - 1; i >= 0 && inner > 0; i--) {
      if (starts[i] !== 1 || indent[i] >= inner) continue;
      if (!HEADER.test(lineText(i).slice(indent[i]))) {
        let top = i;
        while (top > 0 && !(starts[top] === 1 && indent[top] === 0)) top--;
        if (starts[top] !== 1 || indent[top] !== 0) return false;
        let end = s;
        do end = nextAtMost(end, 0);
        while (end < n && CLAUSE.test(lineText(end)));
        keep.fill(1, decorated(top), end);
        inner = 0;
        break;
      }
      keep.fill(1, decorated(i), nextStart(i));
      inner = indent[i];
    }
    if (inner > 0) return false;
  }
  return true;
}
