import { LANGUAGES } from './languages';

/**
 * The text search that narrows `findSymbol` before the index is complete. Every definition the
 * parser reports names its symbol with an identifier taken verbatim from the source, so a file
 * that defines `name` contains it as a whole word: searching for that word (at grep speed) finds a
 * superset of the defining files, and parsing those gives exactly the complete index's answer.
 *
 * Per language the search can be narrower, as long as it stays a superset of what the tags
 * queries (languages.ts + the shipped tags.scm) can capture:
 *  - Python, Java, C, C++, Rust: no query captures a name written after `.` (in C and C++ also
 *    `->`; in Java and Rust also `::`, a method reference or a path), so member accesses and calls
 *    (`x.toString()`, `p->name`, `Path::toString`) are not candidates. It does
 *    not hold for JavaScript/TypeScript (`obj.name = function`), Ruby (`def self.name`) or C#
 *    (`void IFoo.Name()`), which keep the whole-word search.
 *  - Go: a definition's name is on a line with `func`/`type`/`var`/`const`/`package` before it,
 *    or starts a line (specs in a parenthesised block, interface methods, a list `a, b, name`), or
 *    follows `)` (a receiver split over lines), `;`, `{` (an interface literal in an expression)
 *    or a closing comment.
 * Names that are not plain identifiers, and substring searches, use the whole word everywhere.
 */
export function definitionPattern(name: string, exact: boolean): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  if (!exact) return escaped;
  const start = /^\w/.test(name) ? '\\b' : '';
  const end = /\w$/.test(name) ? '\\b' : '';
  return `${start}${escaped}${end}`;
}

/** One grep of the definition search: a pattern and the languages whose files it covers. */
export interface DefinitionSearch {
  languages: string[];
  pattern: string;
}

const NOT_AFTER_DOT = ['python', 'java', 'rust'];
const NOT_AFTER_DOT_OR_ARROW = ['c', 'cpp'];
const GO = ['go'];

/** The greps whose matching files, together, hold every definition of `name`. */
export function definitionSearches(name: string, exact: boolean): DefinitionSearch[] {
  const all = Object.keys(LANGUAGES);
  const word = definitionPattern(name, exact);
  if (!exact || !/^\w+$/.test(name)) return [{ languages: all, pattern: word }];
  const special = new Set([...NOT_AFTER_DOT, ...NOT_AFTER_DOT_OR_ARROW, ...GO]);
  return [
    { languages: all.filter((l) => !special.has(l)), pattern: word },
    { languages: NOT_AFTER_DOT, pattern: `(?<!(?:\\.|::)[ \\t]*)${word}` },
    { languages: NOT_AFTER_DOT_OR_ARROW, pattern: `(?<!(?:\\.|->)[ \\t]*)${word}` },
    { languages: GO, pattern: `(?:^[ \\t]*(?:\\w+[ \\t]*,[ \\t]*)*|\\b(?:func|type|var|const|package)\\b.*|[);{][ \\t]*|\\*/[ \\t]*)${word}` },
  ];
}
