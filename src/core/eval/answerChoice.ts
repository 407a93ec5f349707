export type Choice = 'A' | 'B' | 'C' | 'D';

/** Ways a model states its choice, most explicit first; the first kind found decides (its last occurrence). */
const STATED: RegExp[] = [
  // The letter itself stays upper case: "the answer is a function" names no choice.
  /\b(?:[Aa]nswer|ANSWER)\s*(?:is|IS|:)?\s*[:\-]?\s*(?:\*\*)?\s*[([]?\s*([ABCD])\b(?![a-z])/g,
  /\b(?:[Cc]hoice|CHOICE)\s*(?:is|IS|:)\s*(?:\*\*)?\s*[([]?\s*([ABCD])\b(?![a-z])/g,
  /\*\*\s*\(?([ABCD])\)?[.):]?\s*\*\*/g,
  /\(([ABCD])\)/g,
  /(?:^|\s)([ABCD])\)/gm,
  /^\s*([ABCD])[.:]?\s*$/gm,
];

/**
 * The letter a final answer chose: `Answer: B`, `The answer is (C)`, `**B**`, `(B)`, `B)`, or a line holding only
 * the letter; undefined when it names none (or only in a form too loose to trust, such as a bare "A" in prose).
 */
export function readChoice(answer: string): Choice | undefined {
  for (const pattern of STATED) {
    const found = [...answer.matchAll(pattern)].map((m) => m[1].toUpperCase() as Choice);
    if (found.length) return found[found.length - 1];
  }
  return undefined;
}
