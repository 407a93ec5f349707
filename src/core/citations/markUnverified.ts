import type { Citation } from './citations';

/** The answer with each citation that failed verification followed by `[✗ unverified: reason]`, so none passes as fact. */
export function markInvalidCitations(answer: string, citations: Citation[]): string {
  let out = answer;
  for (const c of [...citations].sort((a, b) => b.offset - a.offset)) {
    if (c.valid) continue;
    const end = c.offset + c.length;
    out = `${out.slice(0, end)} [✗ unverified: ${c.reason}]${out.slice(end)}`;
  }
  return out;
}
