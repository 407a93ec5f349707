/**
 * The text search that narrows `findSymbol` before the index is complete. Every definition the
 * parser reports names its symbol with an identifier taken verbatim from the source, so a file
 * that defines `name` contains it as a whole word: searching for that word (at grep speed) finds a
 * superset of the defining files, and parsing those gives exactly the complete index's answer.
 */
export function definitionPattern(name: string, exact: boolean): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  if (!exact) return escaped;
  const start = /^\w/.test(name) ? '\\b' : '';
  const end = /\w$/.test(name) ? '\\b' : '';
  return `${start}${escaped}${end}`;
}
