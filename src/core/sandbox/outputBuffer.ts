import { middleBudget, omissionMarker, safeHead, safeTail, truncateMiddle } from './truncate';

/**
 * Collects a cell's printed output without ever holding more than about three times the cap:
 * a cell printing in an endless loop must not exhaust host memory before its deadline.
 */
export class OutputBuffer {
  private head = '';
  private tail = '';
  private total = 0;

  constructor(private readonly maxChars: number) {}

  get length(): number {
    return this.total;
  }

  append(chunk: string): void {
    if (!chunk) return;
    this.total += chunk.length;
    if (this.head.length < this.maxChars) {
      const room = this.maxChars - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
      if (!chunk) return;
    }
    this.tail += chunk;
    if (this.tail.length > 2 * this.maxChars) this.tail = this.tail.slice(this.tail.length - this.maxChars);
  }

  /** The collected text, middle-truncated to the cap. */
  finish(): { text: string; truncated: boolean } {
    const dropped = this.total - this.head.length - this.tail.length;
    if (dropped === 0) {
      const { text, omitted } = truncateMiddle(this.head + this.tail, this.maxChars);
      return { text, truncated: omitted > 0 };
    }
    // Some middle text is gone already; head and tail each still hold at least maxChars characters.
    const budget = middleBudget(this.total, this.maxChars);
    const head = safeHead(this.head, budget.head);
    const tail = safeTail(this.tail, budget.tail);
    return { text: head + omissionMarker(this.total - head.length - tail.length) + tail, truncated: true };
  }
}
