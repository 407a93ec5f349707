import { join } from 'node:path';
import type { Citation } from '../citations/citations';
import { type AskResult, ask } from '../workflows/ask';
import type { ModelRunOptions } from '../workflows/workflowRun';
import { FileMap, type FileMapOptions } from '../workspace/fileMap';
import { readChoice } from './answerChoice';
import { contextFiles } from './contextFiles';
import { askedQuestion, type EvalItem, type Expectation } from './evalDataset';

/** One way of answering (models, endpoints, budgets, prices): every item runs under each. */
export interface EvalConfig {
  name: string;
  options: Omit<ModelRunOptions, 'onEvent' | 'signal'>;
}

export interface ItemResult {
  id: string;
  config: string;
  predicted: string | null;
  expected: string;
  correct: boolean;
  usage: { tokens: number; cost?: number; subCalls: number; iterations: number };
  ms: number;
  forced: boolean;
  error?: string;
}

export interface EvalRunOptions {
  concurrency: number;
  fileMap?: FileMapOptions;
  signal?: AbortSignal;
  /** Save each item's trajectory here (`<config>--<id>.json`), replayable with `recurse replay`. */
  trajectories?: string;
  /** `id\0config` of items already done (a resumed report): not run again. */
  done?: ReadonlySet<string>;
  onResult?: (result: ItemResult) => void;
}

export const resultKey = (id: string, config: string): string => `${id}\0${config}`;

/**
 * Runs every item under every config, `concurrency` at a time, and scores each answer. A failed item is a wrong
 * answer with its error; a cancelled one is not a result at all (a resumed run asks it again).
 */
export class EvalRun {
  private readonly maps = new Map<string, Promise<FileMap>>();

  constructor(private readonly items: readonly EvalItem[], private readonly configs: readonly EvalConfig[], private readonly options: EvalRunOptions) {}

  /** The (item, config) pairs still to run, item by item so configs compare on the same items first. */
  tasks(): { item: EvalItem; config: EvalConfig }[] {
    const done = this.options.done ?? new Set<string>();
    return this.items.flatMap((item) => this.configs.filter((c) => !done.has(resultKey(item.id, c.name))).map((config) => ({ item, config })));
  }

  async run(): Promise<ItemResult[]> {
    const queue = this.tasks();
    const results: ItemResult[] = [];
    const worker = async (): Promise<void> => {
      for (let task = queue.shift(); task && !this.options.signal?.aborted; task = queue.shift()) {
        const result = await this.runOne(task.item, task.config);
        if (!result) continue;
        results.push(result);
        this.options.onResult?.(result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, worker));
    return results;
  }

  private async runOne(item: EvalItem, config: EvalConfig): Promise<ItemResult | undefined> {
    const started = Date.now();
    const expected = describeExpectation(item.expect);
    try {
      const map = await this.mapOf(item);
      const answer = await ask({
        ...config.options,
        workspace: item.workspace ?? `context of ${item.id}`,
        question: askedQuestion(item),
        map,
        signal: this.options.signal,
        ...(this.options.trajectories ? { trajectoryFile: join(this.options.trajectories, `${safeName(config.name)}--${safeName(item.id)}.json`) } : {}),
      });
      const { predicted, correct } = score(item.expect, answer);
      return { id: item.id, config: config.name, predicted, expected, correct, usage: usageOf(answer), ms: Date.now() - started, forced: answer.forced };
    } catch (err) {
      if (this.options.signal?.aborted) return undefined;
      return {
        id: item.id, config: config.name, predicted: null, expected, correct: false,
        usage: { tokens: 0, subCalls: 0, iterations: 0 }, ms: Date.now() - started, forced: false, error: (err as Error).message,
      };
    }
  }

  /** A LongBench item's context as an in-memory workspace; a repository item's folder, loaded once per run. */
  private mapOf(item: EvalItem): Promise<FileMap> {
    if (item.context !== undefined) return Promise.resolve(FileMap.fromTexts(contextFiles(item.context), item.id));
    const dir = item.workspace!;
    let map = this.maps.get(dir);
    if (!map) {
      map = FileMap.load(dir, { ...this.options.fileMap, signal: this.options.signal });
      map.catch(() => this.maps.delete(dir));
      this.maps.set(dir, map);
    }
    return map;
  }
}

function usageOf(answer: AskResult): ItemResult['usage'] {
  const u = answer.usage;
  return { tokens: u.totalTokens, ...(u.cost !== undefined ? { cost: u.cost } : {}), subCalls: u.subCalls, iterations: u.iterations };
}

function describeExpectation(expect: Expectation): string {
  if ('choice' in expect) return expect.choice;
  if ('citations' in expect) return expect.citations.map((c) => `${c.path}:${c.start}${c.end !== c.start ? `-${c.end}` : ''}`).join(', ');
  return expect.contains.map((r) => `/${r.source}/`).join(', ');
}

/** What the answer said, and whether that is right. */
export function score(expect: Expectation, answer: Pick<AskResult, 'answer' | 'citations'>): { predicted: string | null; correct: boolean } {
  if ('choice' in expect) {
    const choice = readChoice(answer.answer) ?? null;
    return { predicted: choice, correct: choice === expect.choice };
  }
  if ('citations' in expect) {
    const verified = answer.citations.filter((c) => c.valid);
    const hit = verified.some((c) => expect.citations.some((e) => samePath(c, e.path) && c.startLine <= e.end && e.start <= c.endLine));
    return { predicted: verified.map((c) => `${c.resolvedPath ?? c.path}:${c.startLine}${c.endLine !== c.startLine ? `-${c.endLine}` : ''}`).join(', ') || null, correct: hit };
  }
  const text = answer.answer;
  return { predicted: text.length > 200 ? `${text.slice(0, 199)}…` : text, correct: expect.contains.every((r) => r.test(text)) };
}

function samePath(c: Citation, path: string): boolean {
  return (c.resolvedPath ?? c.path) === path;
}

function safeName(s: string): string {
  return s.replace(/[^\w.@-]+/g, '_').slice(0, 80);
}
