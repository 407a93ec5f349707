// Token and cost accounting for one run, split by model and by recursion depth (root = 0).
import type { TokenUsage } from './chatModel';
import type { PriceTable } from './config';

export interface UsageTotals {
  calls: number;
  promptTokens: number;
  /** Of promptTokens, those read from the provider's prompt cache. */
  cachedPromptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** True if any of the counted calls had estimated usage. */
  estimated: boolean;
  /** USD; undefined when a model involved has no configured price (a partial sum would understate the cost). */
  costUSD?: number;
}

export interface UsageSummary {
  total: UsageTotals;
  byModel: Record<string, UsageTotals>;
  byDepth: Record<string, UsageTotals>;
  /** By the endpoint that answered (base URL), when the models said. */
  byEndpoint?: Record<string, UsageTotals>;
  /** Sub-calls answered from the cache (not in total). */
  saved: SavedUsage;
}

interface Entry {
  model: string;
  depth: number;
  usage: TokenUsage;
  endpoint?: string;
}

/** What sub-calls answered from the cache saved: the calls, and the tokens and cost their originals had. */
export interface SavedUsage {
  calls: number;
  totalTokens: number;
  /** USD; undefined when a model involved has no configured price. */
  costUSD?: number;
}

export class UsageLedger {
  private readonly entries: Entry[] = [];
  private readonly savedEntries: Entry[] = [];

  constructor(private readonly prices?: PriceTable) {}

  record(model: string, depth: number, usage: TokenUsage, endpoint?: string): void {
    this.entries.push({ model, depth, usage: { ...usage }, ...(endpoint ? { endpoint } : {}) });
  }

  /** A sub-call answered from the cache: it costs nothing, and saved what the original call cost. */
  recordSaved(model: string, depth: number, usage: TokenUsage): void {
    this.savedEntries.push({ model, depth, usage: { ...usage } });
  }

  saved(): SavedUsage {
    const t = this.sum(this.savedEntries);
    return { calls: t.calls, totalTokens: t.totalTokens, ...(t.costUSD !== undefined ? { costUSD: t.costUSD } : {}) };
  }

  get calls(): number {
    return this.entries.length;
  }

  get totalTokens(): number {
    return this.total().totalTokens;
  }

  /** USD for everything recorded, or undefined if some model has no price. */
  get costUSD(): number | undefined {
    return this.total().costUSD;
  }

  total(): UsageTotals {
    return this.sum(this.entries);
  }

  byModel(): Record<string, UsageTotals> {
    return this.group((e) => e.model);
  }

  byDepth(): Record<string, UsageTotals> {
    return this.group((e) => String(e.depth));
  }

  /** Calls by the endpoint that answered them (those whose model named none are left out). */
  byEndpoint(): Record<string, UsageTotals> {
    const groups = this.group((e) => e.endpoint ?? '');
    delete groups[''];
    return groups;
  }

  /** Cost of one call, or undefined if its model has no price. */
  costOf(model: string, usage: TokenUsage): number | undefined {
    const price = this.prices?.[model];
    if (!price) return undefined;
    const cached = Math.min(usage.cachedPromptTokens ?? 0, usage.promptTokens);
    const input = (usage.promptTokens - cached) * price.input + cached * (price.cachedInput ?? price.input);
    return (input + usage.completionTokens * price.output) / 1_000_000;
  }

  toJSON(): UsageSummary {
    const byEndpoint = this.byEndpoint();
    return { total: this.total(), byModel: this.byModel(), byDepth: this.byDepth(), ...(Object.keys(byEndpoint).length ? { byEndpoint } : {}), saved: this.saved() };
  }

  private group(key: (e: Entry) => string): Record<string, UsageTotals> {
    const groups = new Map<string, Entry[]>();
    for (const e of this.entries) {
      const k = key(e);
      const list = groups.get(k) ?? [];
      list.push(e);
      groups.set(k, list);
    }
    const out: Record<string, UsageTotals> = {};
    for (const k of [...groups.keys()].sort()) out[k] = this.sum(groups.get(k)!);
    return out;
  }

  private sum(entries: Entry[]): UsageTotals {
    const t: UsageTotals = { calls: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
    let cost: number | undefined = this.prices ? 0 : undefined;
    for (const e of entries) {
      t.calls++;
      t.promptTokens += e.usage.promptTokens;
      t.cachedPromptTokens += e.usage.cachedPromptTokens ?? 0;
      t.completionTokens += e.usage.completionTokens;
      t.totalTokens += e.usage.totalTokens;
      if (e.usage.estimated) t.estimated = true;
      const c = this.costOf(e.model, e.usage);
      cost = c === undefined || cost === undefined ? undefined : cost + c;
    }
    if (cost !== undefined) t.costUSD = cost;
    return t;
  }
}
