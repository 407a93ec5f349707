// The root model's conversation, kept whole for the trajectory and sent compacted so every request fits the
// model's context window. The system prompt and the question are never cut. Older turns are compacted in steps —
// outputs cut to a head and a tail, then only the code kept, then the turn removed — oldest first, newest kept
// whole. A compaction goes well below the limit, and a turn once compacted stays so: between two compactions every
// request starts with the previous one, which is what providers' prompt caches reuse.
import type { ChatMessage } from '../llm/chatModel';
import { formatTokens, promptLimit } from '../llm/contextWindow';
import { countMessageTokens, MESSAGE_OVERHEAD_TOKENS, TokenEstimator } from '../llm/tokenEstimate';
import { codeOnly, cutToTokens, outputStub } from './compaction';

/** A piece of a user message: outputs are what compaction cuts; transient text (the budget line) goes with them. */
export interface MessagePart {
  text: string;
  output?: boolean;
  transient?: boolean;
}

interface Entry {
  role: 'assistant' | 'user';
  parts: MessagePart[];
}

/**
 * 0 whole; 1 outputs cut to a head and a tail; 2 the response's code only, outputs replaced by a line each; 3 the
 * code only, one line for all its outputs; 4 the turn removed (a last resort: its code is gone from the prompt too).
 */
type Level = 0 | 1 | 2 | 3 | 4;
const REMOVED: Level = 4;

/** A compaction frees at least this share of the room the fixed part and the newest turn leave, to grow into. */
const LOW_WATER = 0.5;
const WHY = "to fit the model's context window";

export class ContextOverflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextOverflowError';
  }
}

export class RootHistory {
  private promptLimit: number;
  private readonly entries: Entry[] = [];
  private readonly levels: Level[] = [];
  private readonly estimator = new TokenEstimator();
  private readonly sizes = new Map<string, number>();
  private lastRaw = 0;
  private overflowRetries = 0;
  /** Tokens an output of a turn compacted once keeps (set once: a compacted turn must render the same each time). */
  private readonly perOutput: number;
  /** The system prompt and the question, counted once (raw estimate): they never change. */
  private readonly fixedRaw: number;

  constructor(
    private readonly fixed: ChatMessage[],
    private windowTokens: number,
    private readonly onNotice?: (message: string) => void,
  ) {
    this.promptLimit = promptLimit(windowTokens);
    this.fixedRaw = countMessageTokens(fixed);
    this.perOutput = Math.min(400, Math.max(60, Math.round((this.limit - this.fixedRaw) * 0.04)));
  }

  /** Tokens a prompt may take. */
  get limit(): number {
    return this.promptLimit;
  }

  /** Every message as it was, uncompacted (the trajectory's record). */
  get messages(): ChatMessage[] {
    return [...this.fixed, ...this.entries.map((e) => ({ role: e.role, content: e.parts.map((p) => p.text).join('') }))];
  }

  addAssistant(text: string): void {
    this.entries.push({ role: 'assistant', parts: [{ text }] });
    if (this.entries.length % 2 === 1) this.levels.push(0);
  }

  addUser(parts: MessagePart[] | string): void {
    this.entries.push({ role: 'user', parts: typeof parts === 'string' ? [{ text: parts }] : parts });
  }

  /**
   * `outputs` of the turn whose response is `response`, each cut so that together they fit what is left of the
   * window once older turns are compacted (and never more than half of it: the next turns need room too).
   */
  fitOutputs(response: string, outputs: string[]): string[] {
    const free = this.limit - this.fixedTokens();
    let older = 0;
    for (let i = 0; i < this.levels.length - 1; i++) older += this.pairTokens(i, Math.max(1, this.levels[i]!) as Level);
    const own = this.count(response) + MESSAGE_OVERHEAD_TOKENS + 40 * outputs.length;
    const room = Math.floor(Math.min(free * 0.5, Math.max((free - own) * 0.25, free - older - own)));
    return shareRoom(outputs.map((o) => this.count(o)), room).map((allowed, i) =>
      allowed === undefined ? outputs[i]! : cutToTokens(outputs[i]!, Math.floor(allowed / this.estimator.scale), WHY),
    );
  }

  /** The messages to send now: within the limit, older turns compacted as far as needed. */
  view(): ChatMessage[] {
    if (this.total() > this.limit) this.compact();
    const messages = this.render();
    this.lastRaw = countMessageTokens(messages);
    return messages;
  }

  /** Tokens of the last view, as estimated. */
  get lastEstimate(): number {
    return Math.ceil(this.lastRaw * this.estimator.scale);
  }

  /** The provider's count of the last prompt sharpens the estimate for the next ones. */
  observe(promptTokens: number, estimated: boolean): void {
    if (estimated) return;
    const scale = this.estimator.scale;
    this.estimator.calibrate(this.lastRaw, promptTokens);
    if (this.estimator.scale !== scale) this.sizes.clear();
  }

  /**
   * The server refused the last prompt as too long for its window: count higher (by what the server said when it
   * said it) and compact again. False when it keeps happening (twice), so the error reaches the user.
   */
  recoverFromOverflow(serverMessage: string): boolean {
    if (++this.overflowRetries > 2) return false;
    const max = /maximum context length is (\d+)/i.exec(serverMessage) ?? /context (?:length|window|size)[^\d]{0,20}(\d{3,})/i.exec(serverMessage);
    if (max && Number(max[1]) < this.windowTokens && Number(max[1]) > 0) {
      this.onNotice?.(`The server says the model's context window is ${formatTokens(Number(max[1]))} tokens, not ${formatTokens(this.windowTokens)}: working within ${formatTokens(Number(max[1]))}.`);
      this.windowTokens = Number(max[1]);
      this.promptLimit = promptLimit(this.windowTokens);
      return true;
    }
    const numbers = /(\d+) in the messages/i.exec(serverMessage) ?? /requested (\d+) tokens/i.exec(serverMessage);
    const sent = numbers ? Number(numbers[1]) : 0;
    const estimated = this.lastRaw * this.estimator.scale;
    this.estimator.raise(sent > estimated ? (sent / estimated) * 1.1 : 1.25);
    this.sizes.clear();
    return true;
  }

  private compact(): void {
    const before = this.levels.slice();
    // Older turns may keep half of what the fixed part and the newest turn leave: the next turns grow into the rest.
    const older = this.levels.length - 1;
    const newest = this.pairTokens(older, this.levels[older]!);
    const target = this.limit - (this.limit - this.fixedTokens() - newest) * LOW_WATER;
    let fits = false;
    for (let level = 1 as Level; level <= REMOVED && !fits; level++) {
      for (let i = 0; i < older && !fits; i++) {
        if (this.levels[i]! >= level) continue;
        this.levels[i] = level;
        fits = this.total() <= target;
      }
    }
    for (let level = 1 as Level; level <= 2 && this.total() > this.limit; level++) this.levels[older] = level;
    const total = this.total();
    if (total > this.limit) throw this.overflow(total);
    this.onNotice?.(describeCompaction(before, this.levels, this.windowTokens));
  }

  private overflow(total: number): ContextOverflowError {
    const fixed = this.fixedTokens();
    const what = fixed > this.limit ? 'the system prompt and the question alone take' : 'the question and the last response take';
    return new ContextOverflowError(
      `The model's context window is too small for this run: ${what} about ${formatTokens(Math.max(fixed, total))} tokens, ` +
        `the window is ${formatTokens(this.windowTokens)} (${formatTokens(this.limit)} for the prompt after room for the reply). ` +
        'Use a model with a larger window, or set the window the server really serves (--context-window, recurse.contextWindow).',
    );
  }

  private render(): ChatMessage[] {
    const removed = this.levels.filter((l) => l === REMOVED).length;
    const out: ChatMessage[] = this.fixed.map((m) => ({ ...m }));
    if (removed > 0) {
      const first = out[out.length - 1]!;
      first.content += `\n\n[${removed === 1 ? 'The first turn of this run was' : `The first ${removed} turns of this run were`} removed ${WHY}. Their cells ran: every variable they made is still in the REPL.]`;
    }
    for (let e = 0; e < this.entries.length; e++) {
      const level = this.levels[e >> 1] ?? 0;
      if (level === REMOVED) continue;
      out.push({ role: this.entries[e]!.role, content: this.renderEntry(e, level) });
    }
    return out;
  }

  private renderEntry(e: number, level: Level): string {
    const entry = this.entries[e]!;
    if (entry.role === 'assistant') return level >= 2 ? codeOnly(entry.parts[0]!.text) : entry.parts[0]!.text;
    if (level === 3) return '[outputs removed for space; the variables are still in the REPL]';
    return entry.parts
      .filter((p) => level < 2 || !p.transient)
      .map((p) => (!p.output || level === 0 ? p.text : level === 1 ? cutToTokens(p.text, this.perOutput, WHY) : outputStub(p.text)))
      .join('');
  }

  private total(): number {
    let sum = this.fixedTokens() + (this.levels.includes(REMOVED) ? 60 : 0);
    for (let i = 0; i < this.levels.length; i++) sum += this.pairTokens(i, this.levels[i]!);
    return sum;
  }

  private pairTokens(pair: number, level: Level): number {
    if (level === REMOVED) return 0;
    let sum = 0;
    for (const e of [2 * pair, 2 * pair + 1]) {
      if (e >= this.entries.length) continue;
      const key = `${e}:${level}`;
      let size = this.sizes.get(key);
      if (size === undefined) {
        size = this.count(this.renderEntry(e, level)) + MESSAGE_OVERHEAD_TOKENS;
        this.sizes.set(key, size);
      }
      sum += size;
    }
    return sum;
  }

  private fixedTokens(): number {
    return Math.ceil(this.fixedRaw * this.estimator.scale);
  }

  private count(text: string): number {
    return this.estimator.count(text);
  }
}

/** Allowed tokens per output when together they exceed `room` (undefined: keep whole), fairest share first. */
function shareRoom(sizes: number[], room: number): (number | undefined)[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= room) return sizes.map(() => undefined);
  const order = sizes.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const allowed: (number | undefined)[] = sizes.map(() => undefined);
  let left = Math.max(room, 100 * sizes.length);
  order.forEach(([size, i], k) => {
    const share = Math.floor(left / (order.length - k));
    allowed[i] = size <= share ? undefined : share;
    left -= Math.min(size, share);
  });
  return allowed;
}

function describeCompaction(before: Level[], after: Level[], window: number): string {
  const changed = after.map((l, i) => (l > (before[i] ?? 0) ? i + 1 : 0)).filter(Boolean);
  const removed = after.filter((l) => l === REMOVED).length;
  const range = changed.length === 1 ? `turn ${changed[0]}` : `turns ${changed[0]}–${changed[changed.length - 1]}`;
  return (
    `Compacted ${range} to fit the model's ${formatTokens(window)}-token context window` +
    `${removed ? ` (${removed} earliest removed)` : ''}; the variables they made stay in the REPL.`
  );
}
