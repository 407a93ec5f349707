import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ChatModelError } from '../core/llm/chatModel';
import { DatasetError, type EvalItem, filterItems, readDataset } from '../core/eval/evalDataset';
import { type EvalReport, reportMarkdown, summarize } from '../core/eval/evalReport';
import { type EvalConfig, EvalRun, type ItemResult, resultKey } from '../core/eval/evalRun';
import { reportHtml } from '../core/eval/reportHtml';
import { MODEL_OPTIONS, type ModelFlags, parseFlags, positiveInt, readModelFlags, UsageError } from './args';
import { runOptions } from './askCommand';
import { EXIT, subcommandArgs } from './cliCommon';
import { createCliModels } from './models';
import { cliRipgrep } from './ripgrepBinary';

/** `recurse eval`: how well, and at what cost, each config answers a dataset's questions. */

export const EVAL_USAGE = `Usage:
  recurse eval DATASET [--config FILE]… [options]
                        run every item of DATASET under each config and report accuracy (95% CI), cost,
                        tokens, sub-calls, iterations and time per config, and every item's result

Datasets:
  LongBench-v2 JSON     an array of {_id, domain, question, choice_A…choice_D, answer, context}: each context
                        becomes the item's workspace inside the REPL (split into files at file markers), never
                        a prompt; the chosen letter is read from the answer and scored
  repository JSONL      one {id, workspace, question, expect} per line; expect is {citations: ["path:line" |
                        "path:start-end"]} (a verified citation overlaps one), {contains: [regex…]} or {choice}

Options for eval:
      --config FILE     a config file (as for ask --config: model, subModel, baseUrl, maxIterations, maxDepth,
                        prices…); repeatable, every item runs under each; none: the flags/environment as for ask
  -m, --model, --sub-model, --base-url, --api-key
                        the model settings of the config when no --config is given
      --concurrency N   items in flight at once (default 2)
      --limit N         the first N items (after --filter)
      --filter K=V      only items whose field K is V (LongBench: domain, sub_domain, difficulty, length)
      --format F        markdown (default), json, or html (one self-contained page with charts)
  -o, --output FILE     write the report there (default: stdout)
      --resume FILE     a JSON report of an interrupted run: its items are kept, the rest are run
      --trajectories DIR
                        save each item's trajectory there (replayable with recurse replay)
  -q, --quiet           no progress on stderr

Ctrl-C stops the run and writes the report of the items finished so far (marked partial).
Exit codes: 0 report written, 1 failed, 2 usage error, 130 interrupted (partial report written).`;

const FORMATS = ['markdown', 'json', 'html'] as const;

interface EvalArgs extends ModelFlags {
  dataset: string;
  configs: string[];
  concurrency: number;
  limit?: number;
  filters: string[];
  format: (typeof FORMATS)[number];
  output?: string;
  resume?: string;
  trajectories?: string;
  quiet: boolean;
}

function parseEvalArgs(argv: string[]): EvalArgs | 'help' {
  const { values: v, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...MODEL_OPTIONS,
      config: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      limit: { type: 'string' },
      filter: { type: 'string', multiple: true },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      resume: { type: 'string' },
      trajectories: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `eval takes one dataset, got ${positionals.length}` : 'eval needs a dataset file');
  const format = (v.format ?? 'markdown') as EvalArgs['format'];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${v.format}"`);
  const { config: _single, ...model } = readModelFlags({ ...v, config: undefined });
  return {
    ...model,
    dataset: positionals[0],
    configs: v.config ?? [],
    concurrency: positiveInt('concurrency', v.concurrency) ?? 2,
    limit: positiveInt('limit', v.limit),
    filters: v.filter ?? [],
    format,
    ...(v.output ? { output: v.output } : {}),
    ...(v.resume ? { resume: v.resume } : {}),
    ...(v.trajectories ? { trajectories: v.trajectories } : {}),
    quiet: Boolean(v.quiet),
  };
}

export async function runEval(argv: string[], signal: AbortSignal): Promise<number> {
  const args = subcommandArgs(argv, parseEvalArgs, EVAL_USAGE);
  if (typeof args === 'number') return args;
  try {
    return await evaluate(args, signal);
  } catch (e) {
    const usage = e instanceof UsageError || e instanceof DatasetError || (e instanceof ChatModelError && e.kind === 'config');
    process.stderr.write(`recurse: ${(e as Error).message}\n`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

async function evaluate(args: EvalArgs, signal: AbortSignal): Promise<number> {
  const datasetFile = resolve(args.dataset);
  const text = await readFile(datasetFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the dataset ${args.dataset}: ${e.code ?? e.message}`);
  });
  let items: EvalItem[] = filterItems(readDataset(text, (dir) => resolve(dirname(datasetFile), dir)), args.filters);
  if (args.limit) items = items.slice(0, args.limit);
  if (items.length === 0) throw new UsageError('no items left to run (check --filter)');
  const configs = await loadConfigs(args, signal);
  const earlier = args.resume ? await readResumed(args.resume) : undefined;
  const done = new Set((earlier?.items ?? []).map((i) => resultKey(i.id, i.config)));
  const progress = new EvalProgress(args.quiet, items.length * configs.length, done.size);
  const run = new EvalRun(items, configs, {
    concurrency: args.concurrency, signal, done, onResult: (r) => progress.add(r),
    fileMap: { snapshot: true, ripgrep: cliRipgrep() },
    ...(args.trajectories ? { trajectories: resolve(args.trajectories) } : {}),
  });
  const fresh = await run.run();
  progress.end();
  const wanted = new Set(items.flatMap((i) => configs.map((c) => resultKey(i.id, c.name))));
  // In the dataset's order, configs side by side, however the items finished.
  const order = new Map(items.flatMap((i, k) => configs.map((c, j) => [resultKey(i.id, c.name), k * configs.length + j] as const)));
  const all = [...(earlier?.items ?? []), ...fresh].filter((r) => wanted.has(resultKey(r.id, r.config)))
    .sort((a, b) => order.get(resultKey(a.id, a.config))! - order.get(resultKey(b.id, b.config))!);
  const report: EvalReport = {
    dataset: basename(datasetFile),
    startedAt: earlier?.startedAt ?? new Date().toISOString(),
    partial: all.length < wanted.size,
    configs: summarize(configs.map((c) => c.name), all),
    items: all,
  };
  const body = args.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : args.format === 'html' ? reportHtml(report) : reportMarkdown(report);
  if (args.output) {
    await mkdir(dirname(resolve(args.output)), { recursive: true });
    await writeFile(args.output, body, 'utf8');
    if (!args.quiet) process.stderr.write(`recurse: report written to ${args.output}${report.partial ? ' (partial)' : ''}\n`);
  } else process.stdout.write(body);
  if (signal.aborted) {
    process.stderr.write(`recurse: interrupted — ${all.length} of ${wanted.size} results kept${args.format === 'json' && args.output ? `; go on with --resume ${args.output}` : ''}\n`);
    return EXIT.cancelled;
  }
  return EXIT.ok;
}

/** One config per --config file (named after it), or the flags and environment as one config named after the model. */
async function loadConfigs(args: EvalArgs, signal: AbortSignal): Promise<EvalConfig[]> {
  const cwd = process.cwd();
  const files = args.configs.length ? args.configs : [undefined];
  const configs: EvalConfig[] = [];
  for (const file of files) {
    const models = await createCliModels({ ...args, config: file }, cwd);
    const { workspace: _w, fileMap: _f, onEvent: _e, signal: _s, trajectoryFile: _t, scope: _scope, subCallCache: _c, ...options } = runOptions({ quiet: true, exclude: [] }, cwd, models, signal);
    let name = file ? basename(file).replace(/\.json$/i, '') : models.config.model;
    for (let n = 2; configs.some((c) => c.name === name); n++) name = `${file ? basename(file) : models.config.model}-${n}`;
    // Sub-calls are sent, never answered from a cache: an eval measures the models.
    configs.push({ name, options });
  }
  return configs;
}

async function readResumed(file: string): Promise<{ startedAt?: string; items: ItemResult[] }> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the report to resume ${file}: ${e.code ?? e.message}`);
  });
  try {
    const raw = JSON.parse(text) as Partial<EvalReport>;
    if (!Array.isArray(raw.items)) throw new Error('no items');
    return { startedAt: raw.startedAt, items: raw.items };
  } catch (e) {
    throw new UsageError(`--resume takes a JSON report of recurse eval (--format json): ${file} is not one (${(e as Error).message})`);
  }
}

/** A progress bar on a terminal, one line per finished item otherwise. */
class EvalProgress {
  private finished: number;
  private correct = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly quiet: boolean, private readonly total: number, already: number) {
    this.finished = already;
  }

  add(result: ItemResult): void {
    this.finished++;
    if (result.correct) this.correct++;
    if (this.quiet) return;
    const width = 24;
    const filled = Math.round((this.finished / this.total) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.finished}/${this.total}`;
    const item = `${result.id} (${result.config}): ${result.error ? `error — ${result.error}` : result.correct ? 'correct' : `wrong (${result.predicted ?? 'no answer'} vs ${result.expected})`}`;
    if (this.tty) process.stderr.write(`\r\x1b[K${bar} ${item.slice(0, 60)}`);
    else process.stderr.write(`${bar} ${item}\n`);
  }

  end(): void {
    if (!this.quiet && this.tty) process.stderr.write('\n');
  }
}
