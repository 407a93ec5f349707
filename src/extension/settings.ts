import * as vscode from 'vscode';

/** The `recurse.*` settings, read fresh for every question so a change applies without a reload. */
export interface RecurseSettings {
  provider: 'openai' | 'vscode-lm';
  baseUrl: string;
  model: string;
  /** '' means "the root model". */
  subModel: string;
  maxIterations?: number;
  maxDepth?: number;
  maxSubCalls?: number;
  concurrency?: number;
  maxFileSizeKB?: number;
  exclude: string[];
  prices?: Record<string, { input: number; output: number; cachedInput?: number }>;
  /** Memoize llm_query answers (recurse.cacheSubCalls, default on). */
  cacheSubCalls: boolean;
  /** Also those sampled above temperature 0 (recurse.cacheAnyTemperature). */
  cacheAnyTemperature: boolean;
  /** Sampling temperature of llm_query calls (recurse.subTemperature; undefined: the endpoint's default). */
  subTemperature?: number;
  /** Context windows in tokens (recurse.contextWindow / subContextWindow; undefined: discovered). */
  contextWindow?: number;
  subContextWindow?: number;
  /** recurse.subEndpoints as set (checked when models are made): sub-calls over a pool of endpoints. */
  subEndpoints: unknown[];
  /** recurse.sharedIndex: an index pack file, or a directory holding packs ('' for none). */
  sharedIndex: string;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_MODEL = 'gpt-4.1-mini';

export function readSettings(scope?: vscode.ConfigurationScope): RecurseSettings {
  const c = vscode.workspace.getConfiguration('recurse', scope);
  const int = (key: string, min: number): number | undefined => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : undefined;
  };
  const str = (key: string, fallback: string): string => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v.trim() : fallback;
  };
  const provider = c.get<unknown>('provider') === 'vscode-lm' ? 'vscode-lm' : 'openai';
  return {
    provider,
    baseUrl: str('baseUrl', DEFAULT_BASE_URL) || DEFAULT_BASE_URL,
    model: str('model', provider === 'openai' ? DEFAULT_MODEL : ''),
    subModel: str('subModel', ''),
    maxIterations: int('maxIterations', 1),
    maxDepth: int('maxDepth', 1),
    maxSubCalls: int('maxSubCalls', 0),
    concurrency: int('concurrency', 1),
    maxFileSizeKB: int('maxFileSizeKB', 1),
    exclude: stringList(c.get<unknown>('exclude')),
    prices: priceTable(c.get<unknown>('prices')),
    cacheSubCalls: c.get<unknown>('cacheSubCalls') !== false,
    cacheAnyTemperature: c.get<unknown>('cacheAnyTemperature') === true,
    subTemperature: temperature(c.get<unknown>('subTemperature')),
    contextWindow: int('contextWindow', 2048),
    subContextWindow: int('subContextWindow', 2048),
    subEndpoints: Array.isArray(c.get<unknown>('subEndpoints')) ? (c.get<unknown[]>('subEndpoints') ?? []) : [],
    sharedIndex: str('sharedIndex', ''),
  };
}

/** What every run (a question, a review; the chat's and the agents') takes from the settings: budgets, prices, sampling, windows. */
export function runSettings(s: RecurseSettings) {
  return {
    limits: { maxIterations: s.maxIterations, maxDepth: s.maxDepth, maxSubCalls: s.maxSubCalls },
    concurrency: s.concurrency,
    prices: s.prices,
    subTemperature: s.subTemperature,
    contextWindow: s.contextWindow,
    subContextWindow: s.subContextWindow,
  };
}

/** The file-map options the settings give (a review loads its own map of the tree it reviews). */
export function fileMapSettings(s: RecurseSettings): { exclude: string[]; maxFileBytes?: number } {
  return { exclude: s.exclude, maxFileBytes: s.maxFileSizeKB ? s.maxFileSizeKB * 1024 : undefined };
}

function temperature(v: unknown): number | undefined {
  return typeof v === 'number' && v >= 0 && v <= 2 ? v : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

function priceTable(v: unknown): RecurseSettings['prices'] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: NonNullable<RecurseSettings['prices']> = {};
  for (const [model, price] of Object.entries(v as Record<string, unknown>)) {
    const p = price as { input?: unknown; output?: unknown; cachedInput?: unknown } | null;
    if (p && typeof p.input === 'number' && typeof p.output === 'number') {
      out[model] = { input: p.input, output: p.output, ...(typeof p.cachedInput === 'number' ? { cachedInput: p.cachedInput } : {}) };
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Everything the user asked to leave out of one folder, as gitignore patterns for the file map:
 * `recurse.exclude` plus the enabled keys of `files.exclude` and `search.exclude` (VS Code globs).
 */
export function excludePatterns(folder: vscode.WorkspaceFolder): string[] {
  const out = new Set<string>(readSettings(folder).exclude);
  for (const section of ['files', 'search']) {
    const table = vscode.workspace.getConfiguration(section, folder).get<Record<string, unknown>>('exclude') ?? {};
    // `true` excludes; `false` and `{ when: ... }` (a sibling condition the map cannot evaluate) keep the files.
    for (const [glob, enabled] of Object.entries(table)) if (enabled === true) for (const p of globToIgnorePatterns(glob)) out.add(p);
  }
  return [...out];
}

/**
 * A VS Code glob as gitignore patterns. Gitignore has no `{a,b}` alternation, so braces are expanded. A VS Code
 * glob matches the whole folder-relative path (`out` is only the root's `out`; one starting with `**` matches at any depth), while a
 * gitignore name without a slash matches at any depth, so globs not starting with `**` are anchored with `/`.
 */
export function globToIgnorePatterns(glob: string): string[] {
  const g = glob.trim().replace(/\\/g, '/');
  if (!g) return [];
  return expandBraces(g).map((p) => {
    const rel = p.replace(/^\.?\/+/, '');
    return rel.startsWith('**') ? rel : `/${rel}`;
  });
}

function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === '{') depth++;
    else if (glob[i] === '}' && --depth === 0) {
      const parts = splitTopLevel(glob.slice(open + 1, i));
      const head = glob.slice(0, open);
      const tail = glob.slice(i + 1);
      return parts.flatMap((p) => expandBraces(head + p + tail));
    }
  }
  return [glob];
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** True when the change touches anything that shapes a folder's file map. */
export function affectsFileMaps(e: vscode.ConfigurationChangeEvent): boolean {
  return ['recurse.exclude', 'recurse.maxFileSizeKB', 'files.exclude', 'search.exclude'].some((s) => e.affectsConfiguration(s));
}
