/** POSIX workspace-key helpers: keys are relative, '/'-separated, '' is the root. */

export function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `dir` + `rel` with '.' and '..' applied; undefined when it climbs above the root. */
export function joinPath(dir: string, rel: string): string | undefined {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** How many leading directory segments two keys share. */
export function sharedSegments(a: string, b: string): number {
  let shared = 0;
  let i = 0;
  for (;;) {
    const ea = a.indexOf('/', i);
    const eb = b.indexOf('/', i);
    if (ea === -1 || ea !== eb || a.slice(i, ea) !== b.slice(i, eb)) return shared;
    shared++;
    i = ea + 1;
  }
}

/** Of several candidate files, the one closest to `from` in the tree (then the shortest, then the first). */
export function nearest(from: string, candidates: readonly string[]): string {
  if (candidates.length === 1) return candidates[0];
  let best = candidates[0];
  let bestShared = -1;
  for (const c of candidates) {
    const shared = sharedSegments(from, c);
    if (shared > bestShared || (shared === bestShared && c.length < best.length)) {
      best = c;
      bestShared = shared;
    }
  }
  return best;
}
