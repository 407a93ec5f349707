/**
 * Text that is not code, as region lexers record it: sorted, disjoint [start, end) pairs of
 * strings and comments in one flat array.
 */

/** Index (even) of the span holding `at`, or -1. */
export function spanAt(spans: ArrayLike<number>, at: number): number {
  const s = spanAfter(spans, at);
  return s !== -1 && spans[s] <= at ? s : -1;
}

/** Index (even) of the first span ending after `at` (it holds `at` or follows it), or -1. */
export function spanAfter(spans: ArrayLike<number>, at: number): number {
  let lo = 0;
  let hi = spans.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid * 2 + 1] <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo < spans.length / 2 ? lo * 2 : -1;
}

/**
 * Where `name` is first written as a whole word in code (not in a span) between `from` and `to`,
 * or -1. `word` is the language's identifier characters, as a character class body.
 */
export function nameInCode(text: string, from: number, to: number, name: string, spans: ArrayLike<number>, word = '\\w'): number {
  const re = new RegExp(`(?<![${word}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![${word}])`, 'g');
  const line = text.slice(from, to);
  for (let m = re.exec(line); m; m = re.exec(line)) if (spanAt(spans, from + m.index) === -1) return from + m.index;
  return -1;
}

/**
 * The end (exclusive) of a one-line quoted literal whose body starts at `from`: just past the
 * closing `quote`, escapes skipped; at the end of the line if it is not closed there.
 */
export function quotedEnd(text: string, from: number, quote: string): number {
  let end = from;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 92) end += 2;
    else if (c === 10) break;
    else if (text[end] === quote) return end + 1;
    else end++;
  }
  return Math.min(end, text.length);
}

/** Sorted positions of the matches of a global regular expression: where each starts, or with `last` where each ends (its last character). */
export function matchPositions(text: string, re: RegExp, last = false): number[] {
  const at: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) at.push(last ? m.index + m[0].length - 1 : m.index);
  return at;
}

/** Whether a sorted list of positions has one in [start, end). */
export function anyIn(sorted: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] < end;
}

/** The line (0-based) holding position `at`, given where each line starts (ascending, from 0). */
export function lineAt(lineStarts: ArrayLike<number>, at: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where each line of `text` starts (none after a final line break). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (i + 1 < text.length) starts.push(i + 1);
  return starts;
}
