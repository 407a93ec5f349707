import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventLoopSlices, SLICE_MS } from '../../src/core/eventLoopSlices';

/** Holds the thread for `ms` (an item of synchronous work). */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // working
  }
}

describe('event-loop slices', () => {
  it('loops sliced side by side share one slice per turn of the event loop', async () => {
    // A turn counter that moves each time the event loop gets round to its immediates.
    let turns = 0;
    let watching = true;
    const watch = (): void => {
      turns++;
      if (watching) setImmediate(watch);
    };
    setImmediate(watch);
    const perTurn = new Map<number, number>();
    const loop = async (items: number): Promise<void> => {
      const slices = new EventLoopSlices();
      for (let i = 0; i < items; i++) {
        busy(1);
        perTurn.set(turns, (perTurn.get(turns) ?? 0) + 1);
        await slices.yield();
      }
    };
    await Promise.all([loop(120), loop(120), loop(120)]);
    watching = false;
    const most = Math.max(...perTurn.values());
    // One slice (SLICE_MS of 1 ms items) and the item each other loop runs before it sees the slice used up; with a
    // slice per loop, three loops held the event loop for three slices (~48 items).
    assert.ok(most <= SLICE_MS + 1 + 2 + 1, `${most} items of 1 ms ran in one turn of the event loop`);
    assert.ok(perTurn.size >= (3 * 120) / (SLICE_MS + 4), `the work went on over ${perTurn.size} turns`);
  });

  it('a loop alone runs a slice at a time and finishes', async () => {
    const slices = new EventLoopSlices();
    let done = 0;
    for (let i = 0; i < 40; i++) {
      busy(1);
      done++;
      await slices.yield();
    }
    assert.equal(done, 40);
  });
});
