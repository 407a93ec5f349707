import { EventLoopSlices } from './eventLoopSlices';

/** Items sorted natively per run before the runs are merged. */
const RUN = 2048;
/** Up to this many items, one native sort (a few tens of milliseconds at most) beats merging runs. */
const NATIVE_MAX = 16_384;

/**
 * `items` sorted by `compare` (stable, like Array.prototype.sort) into a new array, giving the event loop a turn
 * every few milliseconds: runs of a couple of thousand are sorted natively, then merged pairwise. Sorting a
 * kernel's 83k paths in one call held the thread for 150–200 ms.
 */
export async function sortInSlices<T>(items: readonly T[], compare: (a: T, b: T) => number, slices = new EventLoopSlices()): Promise<T[]> {
  if (items.length <= NATIVE_MAX) return items.slice().sort(compare);
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += RUN) {
    runs.push(items.slice(i, i + RUN).sort(compare));
    await slices.yield();
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) next.push(i + 1 < runs.length ? await merge(runs[i]!, runs[i + 1]!, compare, slices) : runs[i]!);
    runs = next;
  }
  return runs[0] ?? [];
}

/** Two sorted runs merged, the left one first on ties (stability). */
async function merge<T>(left: T[], right: T[], compare: (a: T, b: T) => number, slices: EventLoopSlices): Promise<T[]> {
  const out: T[] = new Array(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) {
    out[k++] = compare(right[j]!, left[i]!) < 0 ? right[j++]! : left[i++]!;
    if ((k & 1023) === 0) await slices.yield();
  }
  while (i < left.length) out[k++] = left[i++]!;
  while (j < right.length) out[k++] = right[j++]!;
  return out;
}

/** Code-unit order of strings, what `Array.prototype.sort()` uses by default. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
