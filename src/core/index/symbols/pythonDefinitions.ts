/**
 * Definitions of one name in Python, read off the layout (pythonRegions.ts; a lookup computes it
 * with the WebAssembly twin in pythonLayoutWasm.ts) without a parse. What
 * the tags queries capture (languages.ts and tree-sitter-python's tags.scm) is a def or a class
 * named by its header, anywhere, and `name = …` / `name: T = …` as a statement of its own directly
 * in the module or in a class body; a def's container is the nearest class around it (a def
 * anywhere inside a class is a method). Python's blocks are its indentation, so a def's lines are
 * its header's line to the end of its block, and the classes around it are the headers it is
 * indented under.
 *
 * A lookup before the index is complete asks this first: a common name (`__init__`) is defined in
 * hundreds of files, and a fresh process pays more for loading and warming the grammar and the
 * parser than for the parse. The answer must be the parse's, so anything this does not read with
 * certainty is left to the parser (undefined): code that cannot parse cleanly (an unclosed string
 * or bracket, tabs in indentation, a block that is not indented under a header, a dedent to no
 * enclosing level), a name after `;` or after a header's colon on its line, a keyword as the
 * name, non-ASCII identifiers next to it. Compared with the parser on every identifier of five
 * Python trees (~710,000 lookups in ~24,500 files, Python 2.7 to 3.13): no difference.
 */

import { lineAt, spanAfter, spanAt } from './codeSpans';
import { SYMBOL_KINDS, SymbolRecord } from './extractSymbols';
import { Layout, pythonLayout } from './pythonRegions';

const MAX_SIGNATURE = 200;
/** Keywords, and names the grammar also reads as keywords somewhere (print and exec statements, match, type aliases). */
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'print', 'exec', 'match', 'case', 'type', '_',
]);
const HEADER = /(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_]\w*)/y;
const CLASS = /class[ \t]+([A-Za-z_]\w*)/y;
const KEYWORD = /(?:async[ \t]+)?(?:def|class)\b/y;
const KIND = {
  function: SYMBOL_KINDS.indexOf('function'),
  method: SYMBOL_KINDS.indexOf('method'),
  class: SYMBOL_KINDS.indexOf('class'),
  constant: SYMBOL_KINDS.indexOf('constant'),
  variable: SYMBOL_KINDS.indexOf('variable'),
};

/** Whether a lookup of `name` in `language` is first tried without a parse (see the file comment). */
export function readsWithoutParse(language: string, name: string): boolean {
  return language === 'python' && /^[A-Za-z_]\w*$/.test(name) && !KEYWORDS.has(name);
}

/**
 * The lines (1-based, ascending) where `name` is written as a whole word not after `.`: those a
 * definition of it can be on (the same as the workspace search's, definitionSearch.ts).
 */
export function pythonNameLines(text: string, lineStarts: ArrayLike<number>, name: string): number[] {
  const lines: number[] = [];
  let line = 0;
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    if (!definable(text, at, name.length, 0)) continue;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= at) line++;
    if (lines[lines.length - 1] !== line + 1) lines.push(line + 1);
  }
  return lines;
}

/**
 * The definitions of `name` on `lines` (1-based, the lines a search found it on), in source order,
 * exactly as a parse of the whole file would report them; undefined when that is not certain.
 */
export function pythonDefinitions(text: string, lineStarts: ArrayLike<number>, lines: readonly number[], name: string, layout?: Layout): SymbolRecord[] | undefined {
  if (!readsWithoutParse('python', name)) return undefined;
  const { starts, indent, spans, balanced } = layout ?? pythonLayout(text, lineStarts);
  if (!balanced) return undefined;
  const n = lineStarts.length;
  const len = text.length;
  const lineStart = (l: number): number => (l < n ? lineStarts[l] : len);
  // Tabs or form feeds in indentation: only on a blank line (a page break in the stdlib's email
  // package) or a comment line (unless a block's end depends on it, below).
  const tabbed = (i: number): boolean => indent[i] === -1;
  for (let i = 0; i < n; i++) {
    if (!tabbed(i)) continue;
    const c = firstNonSpace(text, lineStarts[i], lineStart(i + 1));
    if (c !== -1 && text.charCodeAt(c) !== 35) return undefined;
  }
  const lineOf = (at: number): number => lineAt(lineStarts, at);
  const nextStart = (l: number): number => {
    for (let i = l + 1; i < n; i++) if (starts[i] === 1) return i;
    return n;
  };
  const isComment = (span: number): boolean => text.charCodeAt(spans[span]) === 35;
  /** The last character of code in [from, to) (not space, not a comment), or from - 1. */
  const lastCode = (from: number, to: number): number => {
    let p = to - 1;
    while (p >= from) {
      const c = text.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12) {
        p--;
        continue;
      }
      const span = spanAt(spans, p);
      if (span !== -1 && isComment(span)) {
        p = spans[span] - 1;
        continue;
      }
      break;
    }
    return p;
  };
  /**
   * Where `word` is written as a whole word in code in [from, to) (not in a string or a comment,
   * not after `.`, where no query captures a name): every position.
   */
  const wordsInCode = (from: number, to: number, word: string): number[] => {
    const at: number[] = [];
    for (let i = text.indexOf(word, from); i !== -1 && i + word.length <= to; i = text.indexOf(word, i + 1)) {
      if (definable(text, i, word.length, from) && spanAt(spans, i) === -1) at.push(i);
    }
    return at;
  };
  /**
   * The colon closing the header that starts logical line `s`, and the first `;` at bracket depth
   * 0, scanning code to the end of the logical line (`to`): -1 for either when there is none.
   */
  const punctuation = (s: number, to: number): { colon: number; semicolon: number } => {
    let depth = 0;
    let colon = -1;
    let semicolon = -1;
    const from = lineStarts[s] + indent[s];
    // Strings and comments are skipped whole: the next span ending after p (past the end: none).
    let span = spanAfter(spans, from);
    for (let p = from; p < to; p++) {
      if (span !== -1 && spans[span + 1] <= p) span = spanAfter(spans, p);
      if (span !== -1 && spans[span] <= p) {
        p = spans[span + 1] - 1;
        continue;
      }
      const c = text.charCodeAt(p);
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) depth--;
      else if (depth === 0 && c === 58 && colon === -1 && text.charCodeAt(p + 1) !== 61) colon = p;
      else if (depth === 0 && c === 59 && semicolon === -1) semicolon = p;
    }
    return { colon, semicolon };
  };
  /**
   * The class around logical line `s` (nearest first) and the header right above it, walking up
   * the headers it is indented under; undefined when the indentation is not that of clean code
   * (a line indented under no header, or deeper than its block's first statement).
   */
  const enclosing = (s: number): { container: string; classLike: boolean; parentIsClass: boolean } | undefined => {
    let inner = indent[s];
    let child = s;
    let container = '';
    let classLike = false;
    let parentIsClass = false;
    for (let i = s - 1; i >= 0 && inner > 0; i--) {
      if (starts[i] !== 1 || indent[i] >= inner) continue;
      // i is the header of the block holding `child`: its block starts on the next logical line, at child's indentation.
      const first = nextStart(i);
      if (first >= n || indent[first] !== inner) return undefined;
      const { colon } = punctuation(i, lineStart(first));
      if (colon === -1 || lastCode(colon + 1, lineStart(first)) > colon) return undefined;
      CLASS.lastIndex = lineStarts[i] + indent[i];
      const m = CLASS.exec(text);
      if (child === s) parentIsClass = m !== null;
      if (m && !classLike) {
        container = m[1].slice(0, 200);
        classLike = true;
      }
      inner = indent[i];
      child = i;
    }
    if (inner > 0) return undefined;
    return { container, classLike, parentIsClass };
  };
  const signature = (row: number): string => {
    const start = lineStarts[row];
    const end = row + 1 < n ? lineStarts[row + 1] - 1 : len;
    const line = text.slice(start, Math.min(end, start + MAX_SIGNATURE * 2)).trim();
    return line.length > MAX_SIGNATURE ? line.slice(0, MAX_SIGNATURE) + '…' : line;
  };

  const out: SymbolRecord[] = [];
  const seen = new Set<number>();
  for (const wanted of lines) {
    const l = wanted - 1;
    if (l < 0 || l >= n) return undefined;
    if (wordsInCode(lineStarts[l], lineStart(l + 1), name).length === 0) continue;
    let s = l;
    while (s > 0 && starts[s] !== 1) s--;
    if (starts[s] !== 1) return undefined;
    if (seen.has(s)) continue;
    seen.add(s);
    const k = indent[s];
    const head = lineStarts[s] + k;
    const next = nextStart(s);
    const { colon, semicolon } = punctuation(s, lineStart(next));
    const named = wordsInCode(head, lineStart(next), name);
    HEADER.lastIndex = head;
    const header = HEADER.exec(text);
    if (header) {
      const nameAt = HEADER.lastIndex - header[2].length;
      if (text.charCodeAt(HEADER.lastIndex) >= 128 || colon === -1 || semicolon !== -1) return undefined;
      // The name after the colon (a body on the header's line) may be a definition in it.
      if (named.some((at) => at > colon)) return undefined;
      if (header[2] !== name) continue;
      const around = enclosing(s);
      if (!around) return undefined;
      // The block: the next lines indented deeper, or the rest of the header's line.
      let end: number;
      if (lastCode(colon + 1, lineStart(next)) > colon) {
        if (next < n && indent[next] > k) return undefined;
        end = lineOf(lastCode(colon + 1, lineStart(next)));
      } else {
        if (next >= n || indent[next] <= k) return undefined;
        const body = indent[next];
        let stop = next;
        while (stop < n && (starts[stop] !== 1 || indent[stop] > k)) stop++;
        // A dedent must land on the level of an enclosing block: this header's own, or one around it.
        if (stop < n && indent[stop] !== k && !enclosingLevel(starts, indent, s, indent[stop])) return undefined;
        end = lineOf(lastCode(lineStarts[next], lineStart(stop)));
        // Comments after the last statement, as deep as the body, stay in the block.
        for (let i = end + 1; i < stop; i++) {
          const c = firstNonSpace(text, lineStarts[i], lineStart(i + 1));
          if (c === -1) continue;
          if (text.charCodeAt(c) !== 35) break;
          if (tabbed(i)) return undefined;
          if (c - lineStarts[i] < body) break;
          end = i;
        }
      }
      const kind = header[1] === 'class' ? KIND.class : around.classLike ? KIND.method : KIND.function;
      out.push([name, kind, s + 1, end + 1, around.container, signature(lineOf(nameAt))]);
      continue;
    }
    // A header this does not read (`def \` with the name on the next line).
    KEYWORD.lastIndex = head;
    if (KEYWORD.test(text)) return undefined;
    // A statement of its own that is `name = …` or `name: T = …`.
    if (semicolon !== -1 && named.some((at) => at > semicolon)) return undefined;
    if (named[0] !== head) continue;
    let p = head + name.length;
    while (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9) p++;
    const op = text.charCodeAt(p);
    const after = text.charCodeAt(p + 1);
    // `name \` and the operator on the next line.
    if (op === 92) return undefined;
    if (!((op === 61 && after !== 61) || (op === 58 && after !== 61))) continue;
    if (semicolon !== -1) return undefined;
    const around = enclosing(s);
    if (!around) return undefined;
    if (k > 0 && !around.parentIsClass) continue;
    const kind = /^[A-Z][A-Z0-9_]*$/.test(name) ? KIND.constant : KIND.variable;
    out.push([name, kind, s + 1, lineOf(lastCode(head, lineStart(next))) + 1, k > 0 ? around.container : '', signature(s)]);
  }
  return out.sort((a, b) => a[2] - b[2] || a[3] - b[3]);
}

/**
 * Whether the `length` characters at `at` are a whole word not after `.` (looking back no further
 * than `from`): where a query could capture them as a name.
 */
function definable(text: string, at: number, length: number, from: number): boolean {
  if (isWordChar(text.charCodeAt(at - 1)) || isWordChar(text.charCodeAt(at + length))) return false;
  let b = at - 1;
  while (b >= from && (text.charCodeAt(b) === 32 || text.charCodeAt(b) === 9)) b--;
  return !(b >= from && text.charCodeAt(b) === 46);
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}

/** The first character in [from, to) that is not white space, or -1. */
function firstNonSpace(text: string, from: number, to: number): number {
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 12) return p;
  }
  return -1;
}

/** Whether `level` is the indentation of a header enclosing logical line `s`. */
function enclosingLevel(starts: Uint8Array, indent: Int32Array, s: number, level: number): boolean {
  let inner = indent[s];
  for (let i = s - 1; i >= 0 && inner > level; i--) {
    if (starts[i] !== 1 || indent[i] >= inner) continue;
    if (indent[i] === level) return true;
    inner = indent[i];
  }
  return level === 0;
}
