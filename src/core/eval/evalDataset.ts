import { isJsonObject } from '../jsonObject';
import type { Choice } from './answerChoice';

/** What makes an answer correct. */
export type Expectation =
  | { choice: Choice }
  /** A verified citation of the answer overlaps one of these (`path:line` or `path:start-end`). */
  | { citations: { path: string; start: number; end: number }[] }
  /** Every pattern matches the answer. */
  | { contains: RegExp[] };

export interface EvalItem {
  id: string;
  question: string;
  expect: Expectation;
  /** Repository questions: the workspace directory (relative paths from the dataset file's folder). */
  workspace?: string;
  /** LongBench-v2 items: the context, which becomes the item's workspace inside the REPL (never a prompt). */
  context?: string;
  choices?: Record<Choice, string>;
  /** LongBench-v2 fields kept for --filter: domain, sub_domain, difficulty, length. */
  fields: Record<string, string>;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

const LETTERS: Choice[] = ['A', 'B', 'C', 'D'];

/**
 * A dataset file's items: LongBench-v2's JSON (an array of {_id, domain, question, choice_A…choice_D, answer,
 * context, …}) or repository questions as JSONL ({id, workspace, question, expect}). Every item is checked; the
 * first bad one is named with what is wrong.
 */
export function readDataset(text: string, resolveWorkspace: (dir: string) => string): EvalItem[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch (err) {
      throw new DatasetError(`the dataset looks like a JSON array but does not parse: ${(err as Error).message}`);
    }
    return (raw as unknown[]).map((item, i) => longBenchItem(item, i));
  }
  const items: EvalItem[] = [];
  trimmed.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new DatasetError(`line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    items.push(repositoryItem(raw, i + 1, resolveWorkspace));
  });
  if (items.length === 0) throw new DatasetError('the dataset has no items');
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new DatasetError(`two items have the id ${item.id}`);
    seen.add(item.id);
  }
  return items;
}

function longBenchItem(raw: unknown, index: number): EvalItem {
  const where = `item ${index + 1}`;
  if (!isJsonObject(raw)) throw new DatasetError(`${where}: not an object`);
  const text = (key: string): string => {
    const v = raw[key];
    if (typeof v !== 'string') throw new DatasetError(`${where}${typeof raw._id === 'string' ? ` (${raw._id})` : ''}: ${key} must be a string`);
    return v;
  };
  const answer = text('answer').trim().toUpperCase();
  if (!LETTERS.includes(answer as Choice)) throw new DatasetError(`${where}: answer must be one of A, B, C, D, got ${JSON.stringify(raw.answer)}`);
  const choices = Object.fromEntries(LETTERS.map((l) => [l, text(`choice_${l}`)])) as Record<Choice, string>;
  const fields: Record<string, string> = {};
  for (const key of ['domain', 'sub_domain', 'difficulty', 'length']) if (typeof raw[key] === 'string') fields[key] = raw[key] as string;
  return { id: typeof raw._id === 'string' ? raw._id : String(index + 1), question: text('question'), choices, context: text('context'), expect: { choice: answer as Choice }, fields };
}

function repositoryItem(raw: unknown, line: number, resolveWorkspace: (dir: string) => string): EvalItem {
  const where = `line ${line}`;
  if (!isJsonObject(raw)) throw new DatasetError(`${where}: not an object`);
  for (const key of ['id', 'workspace', 'question']) {
    if (typeof raw[key] !== 'string' || raw[key] === '') throw new DatasetError(`${where}: ${key} must be a non-empty string`);
  }
  return { id: raw.id as string, question: raw.question as string, workspace: resolveWorkspace(raw.workspace as string), expect: expectation(raw.expect, where), fields: {} };
}

function expectation(raw: unknown, where: string): Expectation {
  if (!isJsonObject(raw)) throw new DatasetError(`${where}: expect must be an object: {citations: [...]}, {contains: [...]} or {choice: "B"}`);
  if (Array.isArray(raw.citations)) {
    return {
      citations: raw.citations.map((c) => {
        const m = typeof c === 'string' ? /^(.+):(\d+)(?:-(\d+))?$/.exec(c.trim()) : null;
        if (!m) throw new DatasetError(`${where}: a citation must be "path:line" or "path:start-end", got ${JSON.stringify(c)}`);
        const start = Number(m[2]);
        return { path: m[1].replace(/^\.\//, ''), start, end: m[3] ? Number(m[3]) : start };
      }),
    };
  }
  if (Array.isArray(raw.contains)) {
    return {
      contains: raw.contains.map((p) => {
        try {
          return new RegExp(String(p), 'i');
        } catch (err) {
          throw new DatasetError(`${where}: bad pattern in contains: ${(err as Error).message}`);
        }
      }),
    };
  }
  if (typeof raw.choice === 'string' && LETTERS.includes(raw.choice.toUpperCase() as Choice)) return { choice: raw.choice.toUpperCase() as Choice };
  throw new DatasetError(`${where}: expect must hold citations, contains or choice (A-D)`);
}

/** `--filter key=value` (repeatable): items whose field equals the value, case-insensitively. */
export function filterItems(items: EvalItem[], filters: readonly string[]): EvalItem[] {
  const pairs = filters.map((f) => {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new DatasetError(`--filter must be key=value, got ${JSON.stringify(f)}`);
    return [f.slice(0, eq).trim(), f.slice(eq + 1).trim().toLowerCase()] as const;
  });
  return items.filter((item) => pairs.every(([k, v]) => (item.fields[k] ?? '').toLowerCase() === v));
}

/** The question as the model is asked it: with a multiple-choice item's four choices and how to answer. */
export function askedQuestion(item: EvalItem): string {
  if (!item.choices) return item.question;
  const options = LETTERS.map((l) => `(${l}) ${item.choices![l]}`).join('\n');
  return `${item.question}\n\n${options}\n\nThe context of this question is the workspace. Finish with the letter of the correct choice, as "Answer: X".`;
}
