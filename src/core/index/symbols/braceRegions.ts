/**
 * Regions of a brace language (Java): the member declaration holding a line, plus the header and
 * the closing brace of every block around it — the class (and any method, lambda or anonymous
 * class) the member sits in — so the kept lines parse as the same nested declarations.
 *
 * A member runs from just after the previous `;` or `}` of its block (or the block's `{`) to its
 * own `;` or to the `}` that closes its body. A lexer skips comments, strings, text blocks and
 * character literals; braces and semicolons inside parentheses (an annotation's array, a lambda
 * passed as an argument) do not end a member of the block around them. Misjudged edges (a field
 * whose initializer holds an anonymous class, odd line breaks) only make a region that does not
 * parse cleanly, which the caller then parses whole.
 */

import { lineAt, nameInCode, quotedEnd, spanAt } from './codeSpans';

interface Token {
  at: number;
  /** '{', '}' or ';'. */
  ch: number;
  /** Brace depth before the token. */
  depth: number;
  /** Open parentheses of the enclosing block at the token (for `{` and `}`: of the block around them). */
  parens: number;
  /** For braces: the index of the matching brace token, -1 if unmatched. */
  match: number;
}

const OPEN = 123;
const CLOSE = 125;
const SEMI = 59;

/** Braces and semicolons of the code (not comments or literals), and spans that are not code. */
function lex(text: string): { tokens: Token[]; spans: number[] } {
  const tokens: Token[] = [];
  const spans: number[] = [];
  const parens: number[] = [0];
  const opens: number[] = [];
  const re = /\/\/|\/\*|"""|"|'|[{};()]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index;
    const t = m[0];
    if (t === '//') {
      const end = text.indexOf('\n', at);
      spans.push(at, end === -1 ? text.length : end);
      if (end === -1) break;
      re.lastIndex = end;
    } else if (t === '/*' || t === '"""') {
      const close = t === '/*' ? '*/' : '"""';
      let end = text.indexOf(close, at + t.length);
      // A text block's closing delimiter may follow escaped quotes: skip `\"""`.
      while (end !== -1 && close === '"""' && text[end - 1] === '\\') end = text.indexOf(close, end + 1);
      end = end === -1 ? text.length : end + close.length;
      spans.push(at, end);
      re.lastIndex = end;
    } else if (t === '"' || t === "'") {
      const end = quotedEnd(text, at + 1, t);
      spans.push(at, end);
      re.lastIndex = end;
    } else if (t === '(') parens[parens.length - 1]++;
    else if (t === ')') parens[parens.length - 1] = Math.max(0, parens[parens.length - 1] - 1);
    else if (t === '{') {
      opens.push(tokens.length);
      tokens.push({ at, ch: OPEN, depth: opens.length - 1, parens: parens[parens.length - 1], match: -1 });
      parens.push(0);
    } else if (t === '}') {
      if (parens.length > 1) parens.pop();
      const open = opens.pop();
      const i = tokens.length;
      tokens.push({ at, ch: CLOSE, depth: opens.length + 1, parens: parens[parens.length - 1], match: open ?? -1 });
      if (open !== undefined) tokens[open].match = i;
    } else {
      tokens.push({ at, ch: SEMI, depth: opens.length, parens: parens[parens.length - 1], match: -1 });
    }
  }
  return { tokens, spans };
}

/** Index of the first token at or after `at` (binary search). */
function tokenAt(tokens: Token[], at: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Brace depth at text position `at`, given the index of the first token at or after it. */
function depthBefore(tokens: Token[], i: number): number {
  if (i < tokens.length) return tokens[i].depth;
  const last = tokens[tokens.length - 1];
  if (!last) return 0;
  return last.ch === OPEN ? last.depth + 1 : last.ch === CLOSE ? last.depth - 1 : last.depth;
}

/**
 * The start of the member holding token position `i` at brace depth `depth`: just after the
 * previous separator of that block, or its opening brace (whose index is returned as `opener`).
 */
function memberStart(tokens: Token[], i: number, depth: number): { start: number; opener: number } {
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.ch === OPEN) {
      if (t.depth === depth - 1 && t.match === -1) return { start: t.at + 1, opener: j };
      if (t.depth === depth - 1 && tokens[t.match].at >= (tokens[i]?.at ?? Infinity)) return { start: t.at + 1, opener: j };
      continue;
    }
    if (t.ch === CLOSE) {
      // A block closed back to this depth ends the previous member (unless inside parentheses).
      if (t.depth === depth + 1 && t.parens === 0) return { start: t.at + 1, opener: findOpener(tokens, j, depth) };
      continue;
    }
    if (t.depth === depth && t.parens === 0) return { start: t.at + 1, opener: findOpener(tokens, j, depth) };
  }
  return { start: 0, opener: -1 };
}

/** The unclosed `{` that opens the block at `depth` around token `j` (-1 at the top level). */
function findOpener(tokens: Token[], j: number, depth: number): number {
  if (depth === 0) return -1;
  for (let k = j; k >= 0; k--) {
    const t = tokens[k];
    if (t.ch === OPEN && t.depth === depth - 1 && (t.match === -1 || t.match > j)) return k;
  }
  return -1;
}

/** The end (exclusive) of the member that starts before token `i` at `depth`. */
function memberEnd(text: string, tokens: Token[], i: number, depth: number): number {
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.ch === SEMI && t.depth === depth && t.parens === 0) return t.at + 1;
    if (t.ch === CLOSE) {
      if (t.depth === depth + 1 && t.parens === 0) return t.at + 1;
      if (t.depth === depth) return t.at;
    }
  }
  return text.length;
}

/**
 * Marks in `keep` the lines of the member holding each wanted line, and the headers and closing
 * braces of the blocks around it. False when a line cannot be placed.
 */
export function braceRegions(text: string, starts: number[], lines: readonly number[], keep: Uint8Array, name?: string): boolean {
  const { tokens, spans } = lex(text);
  const lineOf = (at: number): number => lineAt(starts, at);
  const mark = (from: number, to: number): void => {
    // From the member's first character: the line of the separator before it may hold another member's end.
    while (from < to && /\s/.test(text[from])) from++;
    if (to <= from) return;
    keep.fill(1, lineOf(from), lineOf(to - 1) + 1);
  };
  /**
   * A block's closing brace, and the braces of any block that the same line opens after it
   * (`} else {`, `} catch (E e) {`, `} finally {`; left empty), as often as that repeats.
   */
  const markCloser = (close: number): void => {
    for (;;) {
      const c = tokens[close];
      mark(c.at, c.at + 1);
      const next = tokens[close + 1];
      if (!next || next.ch !== OPEN || next.match === -1 || lineOf(next.at) !== lineOf(c.at)) return;
      mark(c.at, next.at + 1);
      close = next.match;
    }
  };
  for (const line of lines) {
    const l = line - 1;
    if (l < 0 || l >= starts.length) return false;
    const lineStart = starts[l];
    const lineEnd = l + 1 < starts.length ? starts[l + 1] : text.length;
    // Where the name is written in code on the line (else its first character of code): a line
    // with the name only in comments and literals, or wholly in a comment or a text block, defines nothing.
    let at = -1;
    if (name) {
      at = nameInCode(text, lineStart, lineEnd, name, spans, '\\w$');
      if (at === -1) continue;
    } else {
      at = lineStart;
      while (at < lineEnd && /\s/.test(text[at])) at++;
      const span = spanAt(spans, at);
      if (span !== -1) {
        if (spans[span + 1] >= lineEnd) continue;
        return false;
      }
      if (at >= lineEnd) continue;
    }
    let i = tokenAt(tokens, at);
    let depth = depthBefore(tokens, i);
    let { start, opener } = memberStart(tokens, i, depth);
    mark(start, memberEnd(text, tokens, i, depth));
    // Every block around the member: its header (the member it belongs to, up to its `{`) and its `}`.
    while (opener !== -1) {
      const open = tokens[opener];
      if (open.match === -1) return false;
      markCloser(open.match);
      i = opener;
      depth = open.depth;
      ({ start, opener } = memberStart(tokens, i, depth));
      mark(start, open.at + 1);
      // An enum's body starts with its constants, up to the `;` before any other member.
      if (/\benum\b/.test(text.slice(start, open.at))) {
        for (let j = i + 1; j < open.match; j++) {
          const t = tokens[j];
          if (t.ch === SEMI && t.depth === depth + 1 && t.parens === 0) {
            mark(open.at + 1, t.at + 1);
            break;
          }
        }
      }
    }
  }
  return true;
}
