/** At most this many lines of each side around the first difference. */
const SHOWN = 3;

/**
 * A short diff of a cell's recorded and replayed output: the first line where they part, a few lines of each
 * side from there (`- ` recorded, `+ ` replayed), and how many lines each has.
 */
export function cellDiff(expected: string, actual: string): string[] {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const out = [`from line ${first + 1} (recorded ${a.length} lines, replayed ${b.length}):`];
  for (const line of a.slice(first, first + SHOWN)) out.push(`- ${line}`);
  if (a.length > first + SHOWN) out.push(`- … ${a.length - first - SHOWN} more`);
  for (const line of b.slice(first, first + SHOWN)) out.push(`+ ${line}`);
  if (b.length > first + SHOWN) out.push(`+ … ${b.length - first - SHOWN} more`);
  return out;
}
