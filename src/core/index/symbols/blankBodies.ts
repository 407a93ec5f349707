/**
 * Blanked bodies: the text the parser gets, with the inside of every body that cannot hold a
 * definition replaced by spaces (newlines kept, so every line and every kept column stays where it
 * was). Most of a file is function bodies, and a parser goes through blank text many times faster
 * than through statements: the tree it builds has the same definitions, names, kinds, containers
 * and line ranges, in a fraction of the time.
 *
 * A body is blanked only where a lexer can delimit it and its text cannot hold a definition — the
 * same test the skeleton walk's gates make (languages.ts), on the text instead of the tree:
 * - Python: the block of a `def` with no `def` or `class` in it becomes one parenthesized
 *   expression, `(` where its first statement starts and `)` where its last line ends;
 * - C: a function body or an initializer at the top level (`) {`, `= {`) with no macro, typedef,
 *   struct/union/enum body, statement expression or preprocessor line in it;
 * - Go: a function's body (a `func` at the top level, or a literal there) with no `type` or `func`;
 * - Java: a method's or a constructor's body (`) {`, `) throws X {`) with no local or anonymous
 *   class, no lambda body, and not a body of an enum constant.
 * Braces stay, so `{` and `}` close what they closed. Files the lexer cannot read confidently (a
 * Python file indented with tabs) are returned as they are.
 */
import { anyIn, lineStarts as findLineStarts, matchPositions, quotedEnd, spanAt } from './codeSpans';
import { pythonLayout } from './pythonRegions';

/** How a range is emptied: its newlines only; `(` newlines `)`; a space and its newlines (a block comment). */
const EMPTY = 0;
const WRAP = 1;
const SPACE = 2;

/**
 * Empties text ranges, [from, to, how] triples (sorted, disjoint): only their newlines are left, so
 * every line stays where it was (columns after a range on its last line move; nothing reads them).
 */
function blank(text: string, ranges: number[]): string {
  if (ranges.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (let r = 0; r < ranges.length; r += 3) {
    const from = ranges[r];
    const to = ranges[r + 1];
    const how = ranges[r + 2];
    parts.push(text.slice(at, from));
    let lines = 0;
    for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) lines++;
    parts.push(how === WRAP ? '(' + newlines(lines) + ')' : how === SPACE ? ' ' + newlines(lines) : newlines(lines));
    at = to;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

const NEWLINES = '\n'.repeat(256);
function newlines(n: number): string {
  return n <= NEWLINES.length ? NEWLINES.slice(0, n) : '\n'.repeat(n);
}

const PY_DEF = /^(?:async\s+def|def)\b/;
const PY_GATE = /\b(?:def|class)\b/g;

function blankPython(text: string): string {
  const lineStarts = findLineStarts(text);
  const n = lineStarts.length;
  const { starts, indent, spans } = pythonLayout(text, lineStarts);
  for (let i = 0; i < n; i++) if (indent[i] === -1) return text;
  const lineEnd = (l: number): number => {
    // Without the newline (and a carriage return before it).
    let end = l + 1 < n ? lineStarts[l + 1] - 1 : text.length;
    if (end > lineStarts[l] && text.charCodeAt(end - 1) === 10) end--;
    if (end > lineStarts[l] && text.charCodeAt(end - 1) === 13) end--;
    return end;
  };
  /** Position of the last non-space character of line `l`, or -1 for a blank line. */
  const lastCode = (l: number): number => {
    for (let i = lineEnd(l) - 1; i >= lineStarts[l]; i--) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 12 && c !== 13) return i;
    }
    return -1;
  };
  // Comment spans start with '#': a line whose first non-space character starts one is comment-only.
  const commentAt = new Set<number>();
  for (let s = 0; s < spans.length; s += 2) if (text.charCodeAt(spans[s]) === 35) commentAt.add(spans[s]);
  const gate = matchPositions(text, PY_GATE);
  const ranges: number[] = [];
  for (let s = 0; s < n; s++) {
    if (starts[s] !== 1) continue;
    const c = text.charCodeAt(lineStarts[s] + indent[s]);
    // 'd' or 'a'
    if ((c !== 100 && c !== 97) || !PY_DEF.test(text.slice(lineStarts[s] + indent[s], lineStarts[s] + indent[s] + 12))) continue;
    const k = indent[s];
    let b = s + 1;
    while (b < n && starts[b] !== 1) b++;
    if (b >= n || indent[b] <= k) continue;
    let e = b + 1;
    while (e < n && !(starts[e] === 1 && indent[e] <= k)) e++;
    let last = e - 1;
    while (last > b && lastCode(last) === -1) last--;
    // Trailing comment lines indented less than the block may end up outside it: not delimited here.
    let trailing = last;
    let outdented = false;
    for (; trailing > b; trailing--) {
      const first = lineStarts[trailing] + (text.slice(lineStarts[trailing], lineEnd(trailing)).search(/\S/));
      if (!commentAt.has(first)) break;
      if (first - lineStarts[trailing] < indent[b]) outdented = true;
    }
    if (outdented) continue;
    const from = lineStarts[b] + indent[b];
    const close = lastCode(last);
    if (close < from || anyIn(gate, from, close + 1)) continue;
    ranges.push(from, close + 1, WRAP);
    s = last;
  }
  return blank(text, ranges);
}

/**
 * The skeleton walk's gates (languages.ts): a body with none of these in its code holds no
 * definition the walk would find.
 */
const BRACE_GATES: Record<string, RegExp> = {
  c: /#\s*define\b|\btypedef\b|\b(?:struct|union|enum)(?:\s+\w+){0,2}\s*\{|\(\{/g,
  go: /\b(?:type|func)\b/g,
  // The walk's gate enters lambda bodies and array initializers too, which hold a definition only
  // through one of these.
  java: /\b(?:class|interface|enum|record)\b|\bnew\s[^;{}]*\)[^;{}]*\{/g,
};

const BRACE_TOKENS: Record<string, RegExp> = {
  // A directive (`#` first on a line) runs to its end, continuations included.
  c: /\/\/|\/\*|"|'|[{}();]|^[ \t]*#/gm,
  go: /\/\/|\/\*|"|'|`|[{}();]/g,
  java: /\/\/|\/\*|"""|"|'|[{}();]/g,
};

/** Per open brace: where, whether its body may be blanked, and the state of the block around it. */
interface Open {
  at: number;
  candidate: boolean;
  /** Open parentheses in this block. */
  parens: number;
  /** Java: an enum body before the `;` that ends its constants (their bodies hold methods). */
  enumConstants: boolean;
}

function blankBraces(language: string, text: string): string {
  const tokens = BRACE_TOKENS[language];
  const directives: number[] = [];
  const found: number[] = [];
  // Comments: [from, to, how] triples.
  const comments: number[] = [];
  // Strings and comments: [from, to) pairs.
  const literals: number[] = [];
  const stack: Open[] = [];
  let parens = 0;
  let enumConstants = false;
  // Just after the last `;`, `{` or `}`: where the declaration or statement being read starts.
  let statement = 0;
  tokens.lastIndex = 0;
  for (let m = tokens.exec(text); m; m = tokens.exec(text)) {
    const at = m.index;
    const t = m[0];
    let end = -1;
    if (t === '//') {
      end = lineEnd(text, at);
      if (end > at && text.charCodeAt(end - 1) === 13) end--;
      comments.push(at, end, EMPTY);
    } else if (t === '/*') {
      end = text.indexOf('*/', at + 2);
      end = end === -1 ? text.length : end + 2;
      comments.push(at, end, SPACE);
    } else if (t === '"""') {
      end = text.indexOf('"""', at + 3);
      while (end !== -1 && text[end - 1] === '\\') end = text.indexOf('"""', end + 1);
      end = end === -1 ? text.length : end + 3;
    } else if (t === '"' || t === "'") end = quotedEnd(text, at + 1, t);
    else if (t === '`') {
      end = text.indexOf('`', at + 1);
      end = end === -1 ? text.length : end + 1;
    } else if (t.endsWith('#')) {
      directives.push(at);
      end = at + t.length;
      for (;;) {
        end = lineEnd(text, end);
        if (end > 0 && text.charCodeAt(end - 1) === 92 && end < text.length) end++;
        else if (end > 1 && text.charCodeAt(end - 1) === 13 && text.charCodeAt(end - 2) === 92 && end < text.length) end++;
        else break;
      }
    } else if (t === '(') parens++;
    else if (t === ')') parens = Math.max(0, parens - 1);
    else if (t === ';') {
      if (parens === 0) enumConstants = false;
      statement = at + 1;
    } else if (t === '{') {
      const candidate = parens === 0 && !(language === 'java' && enumConstants) && isBody(language, code(text, statement, at, literals), previousCode(text, at), stack.length);
      stack.push({ at, candidate, parens, enumConstants });
      parens = 0;
      enumConstants = language === 'java' && /\benum\b/.test(text.slice(statement, at));
      statement = at + 1;
    } else {
      const open = stack.pop();
      // More closing braces than opening ones: the lexer is lost (a directive's branches); blank nothing.
      if (!open) return text;
      if (open.candidate) found.push(open.at + 1, at);
      parens = open.parens;
      enumConstants = open.enumConstants;
      statement = at + 1;
    }
    if (end !== -1) {
      if (t !== '(' && t !== ')') literals.push(at, end);
      if (end >= text.length) break;
      tokens.lastIndex = end;
    }
  }
  if (stack.length > 0) return text;
  // A gate's word in a string or a comment declares nothing.
  const gates = matchPositions(text, BRACE_GATES[language]).filter((at) => spanAt(literals, at) === -1);
  // Inner bodies close first: keep the outermost of nested ones.
  const pairs: [number, number][] = [];
  for (let i = 0; i < found.length; i += 2) {
    const from = found[i];
    const to = found[i + 1];
    if (anyIn(gates, from, to) || anyIn(directives, from, to)) continue;
    pairs.push([from, to]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  // Bodies and the comments outside them, in order (a comment is never partly inside a body).
  const ranges: number[] = [];
  let last = -1;
  let c = 0;
  for (const [from, to] of pairs) {
    if (from < last) continue;
    for (; c < comments.length && comments[c] < from; c += 3) ranges.push(comments[c], comments[c + 1], comments[c + 2]);
    for (; c < comments.length && comments[c] < to; c += 3);
    ranges.push(from, to, EMPTY);
    last = to;
  }
  for (; c < comments.length; c += 3) ranges.push(comments[c], comments[c + 1], comments[c + 2]);
  return blank(text, ranges);
}

/** The position of the line break ending the line `at` is on (the text's length on the last line). */
function lineEnd(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end === -1 ? text.length : end;
}

/** The last character of code before `at`, skipping spaces (a comment there makes it unknown: ''). */
function previousCode(text: string, at: number): string {
  let i = at - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return i < 0 ? '' : text[i];
}

/** The code in [from, to): the text without the strings and comments in it (`literals`: sorted pairs). */
function code(text: string, from: number, to: number, literals: number[]): string {
  let i = literals.length - 2;
  while (i >= 0 && literals[i] >= from) i -= 2;
  let out = '';
  let at = from;
  for (i += 2; i < literals.length && literals[i] < to; i += 2) {
    out += text.slice(at, literals[i]) + ' ';
    at = literals[i + 1];
  }
  return out + text.slice(at, to);
}

/**
 * Whether a `{` opens a body that may be blanked (its text is checked later): `head` is the code of
 * the declaration or statement it ends, `before` the code character before it, `depth` the braces around it.
 */
function isBody(language: string, head: string, before: string, depth: number): boolean {
  if (language === 'c') return depth === 0 && (before === ')' || before === '=');
  if (language === 'go') return depth === 0 && !/\b(?:struct|interface)\s*$/.test(head);
  // Java: a method's or a constructor's body, or a statement's block inside one; not a class or an anonymous class.
  if (depth === 0) return false;
  if (/\b(?:class|interface|enum|record|new)\b|->/.test(head)) return false;
  return before === ')' || before === '=' || /\)\s*throws\s+[\w\s.,<>?]+$/.test(head);
}

/** `text` with the bodies that cannot hold a definition blanked (see the file comment). */
export function blankBodies(language: string, text: string): string {
  if (language === 'python') return blankPython(text);
  if (language === 'c' || language === 'go' || language === 'java') return blankBraces(language, text);
  return text;
}
