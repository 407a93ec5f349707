import { EventLoopSlices } from './eventLoopSlices';

/** Members per part: a part is encoded in well under a millisecond. */
const MEMBERS_PER_PART = 2048;

/**
 * JSON members (`"key":value` or array elements, each already encoded) joined with commas, in parts of a couple
 * of thousand, a slice of milliseconds at a time: a large cache is written part by part (see writeFileAtomic)
 * instead of as one string encoded in one go.
 */
export async function jsonMembers(members: readonly string[], slices = new EventLoopSlices()): Promise<string[]> {
  const parts: string[] = [];
  for (let i = 0; i < members.length; i += MEMBERS_PER_PART) {
    parts.push((i > 0 ? ',' : '') + members.slice(i, i + MEMBERS_PER_PART).join(','));
    await slices.yield();
  }
  return parts;
}
