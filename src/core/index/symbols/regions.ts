/**
 * Parsing part of a file for a lookup. A name's definitions sit in the top-level declarations
 * around the lines a definition search matched; the parser gets the file with every other line
 * blanked (newlines kept, so lines and columns stay those of the file) and reports the same
 * definitions there as a parse of the whole file — in a fraction of the time when a common name
 * (`init`) is defined once in each of hundreds of large files.
 *
 * Only where declarations can be delimited without a parse: in Go every top-level declaration
 * starts a line, at column 0, with func/type/var/const/import/package (the lexer below tells such a
 * line inside a raw string or a block comment apart); in Java a member ends at its `;` or at the
 * brace closing its body (braceRegions.ts); in Python a block ends at the next line indented no
 * deeper (pythonRegions.ts). A caller must still check the tree: a region that does
 * not parse cleanly (code that is not gofmt-shaped, a syntax error) is parsed whole.
 */
import { braceRegions } from './braceRegions';
import { lineStarts, quotedEnd } from './codeSpans';
import { pythonRegions } from './pythonRegions';

const GO_TOP = /^(?:func|type|var|const|import|package)\b/;

/** Languages `regionText` handles. */
export function hasRegions(language: string): boolean {
  return language === 'go' || language === 'java' || language === 'python';
}

/**
 * `text` with only the declarations holding `lines` (1-based; in Java, where `name` is written in
 * code on them, if given) kept, or undefined when
 * they cannot be told (a line that starts inside a comment or a raw string, one before any
 * declaration, a language without regions).
 */
export function regionText(language: string, text: string, lines: readonly number[], name?: string): string | undefined {
  if (!hasRegions(language) || lines.length === 0) return undefined;
  const starts = lineStarts(text);
  const keep = new Uint8Array(starts.length);
  const delimited = language === 'go' ? goRegions(text, starts, lines, keep)
    : language === 'python' ? pythonRegions(text, starts, lines, keep, name)
    : braceRegions(text, starts, lines, keep, name);
  if (!delimited) return undefined;
  // Runs of kept lines as slices of the text, runs of dropped lines as their line breaks.
  const parts: string[] = [];
  const n = starts.length;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && keep[j] === keep[i]) j++;
    const end = j < n ? starts[j] : text.length;
    if (keep[i] === 1) parts.push(text.slice(starts[i], end));
    else parts.push('\n'.repeat(end > starts[j - 1] && text.charCodeAt(end - 1) === 10 ? j - i : j - i - 1));
    i = j;
  }
  return parts.join('');
}

/** Marks the top-level Go declarations holding `lines`; false when one cannot be delimited. */
function goRegions(text: string, starts: number[], lines: readonly number[], keep: Uint8Array): boolean {
  const inside = goLineStarts(text, starts);
  const top = (i: number): boolean => inside[i] === 0 && GO_TOP.test(text.slice(starts[i], starts[i] + 8));
  for (const line of lines) {
    const i = line - 1;
    if (i < 0 || i >= starts.length) return false;
    if (inside[i] !== 0) {
      // A line wholly inside a comment or a raw string defines nothing; one where code follows the span is not delimited.
      if (i + 1 < starts.length && inside[i] >= starts[i + 1]) continue;
      return false;
    }
    let from = i;
    while (from >= 0 && !top(from)) from--;
    if (from < 0) return false;
    let to = i + 1;
    while (to < starts.length && !top(to)) to++;
    keep.fill(1, from, to);
  }
  return true;
}

/** Per line: 0 if it starts in code, else where the block comment or raw string it starts in ends. */
function goLineStarts(text: string, starts: number[]): Float64Array {
  // Spans of text that are not code and may hold newlines: [start, end) of /* */ and `...`.
  const spans: number[] = [];
  const lex = /\/\/|\/\*|`|"|'/g;
  for (let m = lex.exec(text); m; m = lex.exec(text)) {
    const at = m.index;
    const token = m[0];
    let end: number;
    if (token === '//') {
      end = text.indexOf('\n', at);
    } else if (token === '/*') {
      end = text.indexOf('*/', at + 2);
      if (end !== -1) end += 2;
      spans.push(at, end === -1 ? text.length : end);
    } else if (token === '`') {
      end = text.indexOf('`', at + 1);
      if (end !== -1) end += 1;
      spans.push(at, end === -1 ? text.length : end);
    } else {
      // An interpreted string or a rune: to its closing quote, never past the line.
      end = quotedEnd(text, at + 1, token);
    }
    if (end === -1) break;
    lex.lastIndex = end;
  }
  const inside = new Float64Array(starts.length);
  let s = 0;
  for (let i = 0; i < starts.length; i++) {
    const at = starts[i];
    while (s < spans.length && spans[s + 1] <= at) s += 2;
    if (s < spans.length && spans[s] < at) inside[i] = spans[s + 1];
  }
  return inside;
}
