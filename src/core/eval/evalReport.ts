import { wilsonInterval } from './confidence';
import type { ItemResult } from './evalRun';

export interface ConfigSummary {
  name: string;
  accuracy: number;
  /** 95% confidence interval of the accuracy (Wilson). */
  ci: { low: number; high: number };
  correct: number;
  total: number;
  errors: number;
  forced: number;
  /** Dollars per item, when the config has prices. */
  cost: { mean: number; median: number; total: number } | null;
  tokens: { mean: number; median: number };
  subCalls: { mean: number };
  iterations: { mean: number };
  ms: { mean: number; median: number };
}

export interface EvalReport {
  dataset: string;
  startedAt: string;
  /** Interrupted before every item ran: `--resume` this report to go on. */
  partial: boolean;
  configs: ConfigSummary[];
  items: ItemResult[];
}

export function summarize(configs: readonly string[], items: readonly ItemResult[]): ConfigSummary[] {
  return configs.map((name) => {
    const mine = items.filter((i) => i.config === name);
    const correct = mine.filter((i) => i.correct).length;
    const costs = mine.map((i) => i.usage.cost).filter((c): c is number => c !== undefined);
    return {
      name,
      accuracy: mine.length ? correct / mine.length : 0,
      ci: wilsonInterval(correct, mine.length),
      correct,
      total: mine.length,
      errors: mine.filter((i) => i.error !== undefined).length,
      forced: mine.filter((i) => i.forced).length,
      cost: costs.length ? { mean: mean(costs), median: median(costs), total: costs.reduce((a, b) => a + b, 0) } : null,
      tokens: { mean: mean(mine.map((i) => i.usage.tokens)), median: median(mine.map((i) => i.usage.tokens)) },
      subCalls: { mean: mean(mine.map((i) => i.usage.subCalls)) },
      iterations: { mean: mean(mine.map((i) => i.usage.iterations)) },
      ms: { mean: mean(mine.map((i) => i.ms)), median: median(mine.map((i) => i.ms)) },
    };
  });
}

/** An accuracy as the reports show it: `75.0%`. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** Dollars as the reports show them: four decimals under a cent, three above. */
export const money = (x: number): string => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(3)}`;

/** For a terminal or a pull-request comment. */
export function reportMarkdown(report: EvalReport): string {
  const lines = [
    `## recurse eval — ${report.dataset}${report.partial ? ' (partial: interrupted)' : ''}`,
    '',
    '| config | accuracy | 95% CI | correct | mean cost | median cost | mean tokens | sub-calls | iterations | median time | forced | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...report.configs.map((c) =>
      `| ${c.name} | ${pct(c.accuracy)} | ${pct(c.ci.low)}–${pct(c.ci.high)} | ${c.correct}/${c.total} | ${c.cost ? money(c.cost.mean) : '–'} | ${c.cost ? money(c.cost.median) : '–'} | ` +
      `${Math.round(c.tokens.mean)} | ${c.subCalls.mean.toFixed(1)} | ${c.iterations.mean.toFixed(1)} | ${(c.ms.median / 1000).toFixed(1)} s | ${c.forced} | ${c.errors} |`),
    '',
    '| item | config | predicted | expected | correct |',
    '|---|---|---|---|---|',
    ...report.items.map((i) => `| ${cell(i.id)} | ${cell(i.config)} | ${cell(i.predicted ?? (i.error ? `error: ${i.error}` : '–'))} | ${cell(i.expected)} | ${i.correct ? 'yes' : 'no'} |`),
  ];
  return `${lines.join('\n')}\n`;
}

function cell(s: string): string {
  const flat = s.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
