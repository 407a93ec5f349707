/**
 * The limits of one question. One Budget is shared by the root RLM and every child it starts, so a child
 * spends what its parent has left (sub-calls, tokens, wall time); iterations are counted per RLM level.
 */
export interface BudgetLimits {
  maxIterations: number;
  maxSubCalls: number;
  maxDepth: number;
  /** Total tokens over every model call of the run (prompt + completion); Infinity for no limit. */
  maxTokens: number;
  /** Wall-clock limit for the whole run in milliseconds; Infinity for no limit. */
  maxTimeMs: number;
}

export const DEFAULT_LIMITS: BudgetLimits = {
  maxIterations: 20,
  maxSubCalls: 100,
  maxDepth: 2,
  maxTokens: 2_000_000,
  maxTimeMs: 15 * 60_000,
};

export type Exhausted = 'tokens' | 'time' | 'sub-calls';

export class Budget {
  readonly limits: BudgetLimits;
  private readonly startedAt = Date.now();
  private tokens = 0;
  private subCalls = 0;

  constructor(limits: Partial<BudgetLimits> = {}) {
    const merged = { ...DEFAULT_LIMITS };
    for (const [key, value] of Object.entries(limits) as [keyof BudgetLimits, number | undefined][]) {
      if (value !== undefined) merged[key] = value;
    }
    for (const key of ['maxIterations', 'maxSubCalls', 'maxDepth', 'maxTokens', 'maxTimeMs'] as const) {
      const value = merged[key];
      if (!(typeof value === 'number' && value >= (key === 'maxSubCalls' ? 0 : 1) && !Number.isNaN(value))) {
        throw new Error(`invalid budget: ${key} must be a positive number, got ${String(value)}`);
      }
    }
    this.limits = merged;
  }

  addTokens(n: number): void {
    this.tokens += n;
  }

  get tokensUsed(): number {
    return this.tokens;
  }

  get subCallsUsed(): number {
    return this.subCalls;
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** Takes one sub-call from the budget; false when none is left. */
  takeSubCall(): boolean {
    if (this.subCalls >= this.limits.maxSubCalls) return false;
    this.subCalls += 1;
    return true;
  }

  /** The first shared budget that has run out, if any (sub-calls only end the run when a turn needs them). */
  exhausted(): Exhausted | undefined {
    if (this.tokens >= this.limits.maxTokens) return 'tokens';
    if (this.elapsedMs >= this.limits.maxTimeMs) return 'time';
    return undefined;
  }

  /** One line for the model: what is left. */
  describe(turn: number, maxTurns: number): string {
    const parts = [`Turn ${turn}/${maxTurns}`];
    parts.push(`sub-calls left: ${this.limits.maxSubCalls - this.subCalls}/${this.limits.maxSubCalls}`);
    if (Number.isFinite(this.limits.maxTokens)) parts.push(`tokens left: ${Math.max(0, this.limits.maxTokens - this.tokens)}`);
    if (Number.isFinite(this.limits.maxTimeMs)) {
      parts.push(`time left: ${Math.max(0, Math.round((this.limits.maxTimeMs - this.elapsedMs) / 1000))} s`);
    }
    return parts.join(' · ');
  }
}
