/** The line put where the middle of an over-long text was cut out. */
export function omissionMarker(omitted: number): string {
  return `\n… ${omitted} chars omitted …\n`;
}

/** How many characters of head and tail fit in `maxChars` together with the marker. */
export function middleBudget(totalChars: number, maxChars: number): { head: number; tail: number } {
  // Upper bound of the marker length: the omitted count never has more digits than the total.
  const keep = Math.max(0, maxChars - omissionMarker(totalChars).length);
  const head = Math.ceil(keep / 2);
  return { head, tail: keep - head };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts so that a surrogate pair is never split (a lone half would print as garbage). */
export function safeHead(text: string, n: number): string {
  if (n <= 0) return '';
  if (n < text.length && isHighSurrogate(text.charCodeAt(n - 1))) n -= 1;
  return text.slice(0, n);
}

export function safeTail(text: string, n: number): string {
  if (n <= 0) return '';
  let start = text.length - n;
  if (start > 0 && isHighSurrogate(text.charCodeAt(start - 1))) start += 1;
  return text.slice(Math.max(0, start));
}

/**
 * Keeps the beginning and the end of `text` (what a reader most needs: the start of a listing and
 * the final result or error) and replaces the middle with a marker naming how much was dropped.
 * The result is never longer than `maxChars`.
 */
export function truncateMiddle(text: string, maxChars: number): { text: string; omitted: number } {
  if (text.length <= maxChars) return { text, omitted: 0 };
  const budget = middleBudget(text.length, maxChars);
  const head = safeHead(text, budget.head);
  const tail = safeTail(text, budget.tail);
  const omitted = text.length - head.length - tail.length;
  const joined = head + omissionMarker(omitted) + tail;
  if (joined.length > maxChars) return { text: safeHead(text, maxChars), omitted: text.length - safeHead(text, maxChars).length };
  return { text: joined, omitted };
}
