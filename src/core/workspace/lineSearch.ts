/** One matching line of one file. */
export interface LineMatch {
  line: number;
  text: string;
  before?: string[];
  after?: string[];
}

/** What a line search needs of a compiled pattern (see compilePattern in grep.ts). */
export interface LinePattern {
  /** Global + multiline: finds candidate positions across a whole text in one native scan. */
  scan: RegExp;
  /** Multiline, non-global: the per-line truth (same flags, so ^ $ \b agree with `scan`). */
  line: RegExp;
  /** Lookarounds can see past a line's end in a whole-text scan, so those patterns go line by line. */
  perLine: boolean;
}

export interface LineSearchKit {
  /** Longer lines (minified code) are cut to a window around the match. */
  MAX_LINE_CHARS: number;
  /** Matches in one text, one per matching line, in line order; `truncated` once more than `max` exist. */
  searchText(text: string, pattern: LinePattern, max: number, context: number): { matches: LineMatch[]; truncated: boolean };
  /** One line (without its terminator) as a match would show it, or undefined when the pattern says no. */
  judgeLine(line: string, pattern: LinePattern): string | undefined;
}

/**
 * The definition of a grep match, shared by the main thread and the scan workers: the workers
 * evaluate this function's source text (LINE_SEARCH_SOURCE), so both run the very same code and
 * cannot drift apart. Hence the shape: one self-contained function that refers to nothing outside
 * itself (no imports, no module constants) and compiles to plain JavaScript.
 */
export function lineSearchKit(): LineSearchKit {
  const MAX_LINE_CHARS = 300;

  function stripCr(line: string): string {
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  function clip(line: string, at: number): string {
    if (line.length <= MAX_LINE_CHARS) return line;
    const start = Math.max(0, Math.min(at - 100, line.length - MAX_LINE_CHARS));
    const head = start > 0 ? '…' : '';
    const tail = start + MAX_LINE_CHARS < line.length ? '…' : '';
    return head + line.slice(start, start + MAX_LINE_CHARS) + tail;
  }

  function linesBefore(text: string, lineStart: number, count: number): string[] {
    const out: string[] = [];
    let end = lineStart - 1; // the '\n' ending the previous line
    while (out.length < count && end >= 0) {
      const start = end === 0 ? 0 : text.lastIndexOf('\n', end - 1) + 1;
      out.unshift(clip(stripCr(text.slice(start, end)), 0));
      end = start - 1;
    }
    return out;
  }

  function linesAfter(text: string, lineEnd: number, count: number): string[] {
    const out: string[] = [];
    let start = lineEnd + 1;
    while (out.length < count && start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      out.push(clip(stripCr(text.slice(start, end)), 0));
      start = end + 1;
    }
    return out;
  }

  function judgeLine(line: string, pattern: LinePattern): string | undefined {
    const lineText = stripCr(line);
    pattern.line.lastIndex = 0;
    const m = pattern.line.exec(lineText);
    return m ? clip(lineText, m.index) : undefined;
  }

  function searchText(text: string, pattern: LinePattern, max: number, context: number): { matches: LineMatch[]; truncated: boolean } {
    const matches: LineMatch[] = [];
    let truncated = false;
    if (text.length === 0) return { matches, truncated };
    // Line number bookkeeping: `cursorLine` is the number of the line starting at `cursor`.
    let cursor = 0;
    let cursorLine = 1;
    const lineNumberAt = (lineStart: number): number => {
      let i = text.indexOf('\n', cursor);
      while (i !== -1 && i < lineStart) {
        cursorLine++;
        i = text.indexOf('\n', i + 1);
      }
      cursor = lineStart;
      return cursorLine;
    };
    const record = (lineStart: number, lineEnd: number): boolean => {
      const shown = judgeLine(text.slice(lineStart, lineEnd), pattern);
      if (shown === undefined) return true;
      if (matches.length >= max) {
        truncated = true;
        return false;
      }
      const match: LineMatch = { line: lineNumberAt(lineStart), text: shown };
      if (context > 0) {
        match.before = linesBefore(text, lineStart, context);
        match.after = linesAfter(text, lineEnd, context);
      }
      matches.push(match);
      return true;
    };

    if (pattern.perLine) {
      let start = 0;
      while (start <= text.length) {
        let end = text.indexOf('\n', start);
        if (end === -1) end = text.length;
        if (start === text.length && end === start && start > 0) break;
        if (!record(start, end)) break;
        start = end + 1;
      }
      return { matches, truncated };
    }

    const scan = pattern.scan;
    scan.lastIndex = 0;
    while (scan.lastIndex <= text.length) {
      const m = scan.exec(text);
      if (!m) break;
      const lineStart = m.index === 0 ? 0 : text.lastIndexOf('\n', m.index - 1) + 1;
      if (lineStart === text.length && lineStart > 0 && text.charCodeAt(lineStart - 1) === 10) break; // past the last line
      let lineEnd = text.indexOf('\n', m.index);
      if (lineEnd === -1) lineEnd = text.length;
      // The scan may have matched across a newline; the line itself is the judge.
      if (!record(lineStart, lineEnd)) break;
      scan.lastIndex = lineEnd + 1;
    }
    return { matches, truncated };
  }

  return { MAX_LINE_CHARS, searchText, judgeLine };
}

/** Source text of `lineSearchKit`, for the scan workers: `(${LINE_SEARCH_SOURCE})()` yields the kit. */
export const LINE_SEARCH_SOURCE = lineSearchKit.toString();
