import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Command-line parsing for `recurse`. Errors here are usage errors (exit 2). */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage:
  recurse ask [options] "question"     answer a question about a workspace (--session NAME: a follow-up of
                                       that named conversation's earlier questions, kept across processes)
  recurse chat [options]               questions from stdin, one per line, in one conversation: one REPL whose
                                       variables carry over, earlier answers in its \`history\`; --json prints one
                                       object per answer; exits 0 at end of input
  recurse index [DIR] [--scope DIR|PACKAGE] [--json] [--dump FILE] [--export PACK] [--import PACK]
                                       build or refresh the symbol index and import graph of a workspace and
                                       report {files, symbols, languages, packages, ms, cachedFiles}; --dump
                                       writes one JSON line per symbol; --scope reports (and dumps) only the
                                       files of one directory or package; --export writes the index as a
                                       portable pack (keyed by file content) for other clones and machines,
                                       --import seeds this one from such a pack (only other files are parsed)
  recurse review [--base REF] [--head REF] [--staged] [--commit REF] [--scope DIR|PACKAGE]
                 [--format markdown|json|sarif] [--output FILE] [ask's model options]
                                       review a git change (default: working tree vs HEAD); see recurse review --help
  recurse trace <symbol|path> [--to <symbol|path>] [--direction in|out|both] [--depth N] [--scope DIR|PACKAGE]
                [--format markdown|json|dot] [--max-nodes N] [--explain]
                                       what a file or symbol depends on, what depends on it, or how it reaches
                                       another, with path:line evidence; see recurse trace --help
  recurse models [--base-url URL] [--api-key KEY] [--model M] [--no-test] [--json]
                                       list the models an endpoint offers and test one tiny completion, with
                                       the endpoint's own error (unreachable, 401, 404, 429); see recurse models --help
  recurse eval DATASET [--config FILE]… [--concurrency N] [--limit N] [--filter K=V] [--format markdown|json|html]
               [-o FILE] [--resume FILE] [--trajectories DIR]
                                       score answers on LongBench-v2 JSON or repository-question JSONL under each
                                       config: accuracy (95% CI), cost, tokens, sub-calls; see recurse eval --help
  recurse export TRAJECTORY [-o FILE]   a saved run as one self-contained HTML page (turns, cells, outputs,
                                       sub-calls, tokens and cost), openable offline in any browser
  recurse replay TRAJECTORY [--workspace DIR] [--json]
                                       run a saved trajectory (ask --trajectory) again with no model and compare
                                       each cell's output with the recorded one: exit 0 identical, 3 diverged,
                                       1 cannot be replayed; see recurse replay --help
  recurse mcp [-w DIR] [--scope DIR|PACKAGE] [ask's model options]
                                       serve ask, find_symbol, grep, trace and review to agents over the Model
                                       Context Protocol (stdio); see recurse mcp --help

ask, index, review and trace take --scope DIR|PACKAGE: a directory of the workspace (packages/core) or a package
from its manifests (@mono/core); what the command sees, reports and cites is limited to it.

Options for ask:
  -w, --workspace DIR      workspace root (default: current directory)
      --scope DIR|PACKAGE  limit the question to a directory or a package of a monorepo
  -m, --model M            root model (env RECURSE_MODEL)
      --sub-model M        model for llm_query and child RLMs (env RECURSE_SUB_MODEL; default: the root model)
      --base-url URL       OpenAI-compatible endpoint (env OPENAI_BASE_URL; e.g. http://127.0.0.1:11434/v1)
      --api-key KEY        API key (prefer env OPENAI_API_KEY)
      --config FILE        JSON config file (env RECURSE_CONFIG; default ~/.config/recurse/config.json, ./.recurse.json)
      --sub-endpoint URL   send llm_query and child-RLM calls to this OpenAI-compatible endpoint too (repeatable:
                           a pool, each call to the least loaded; config file: "subEndpoints"); the root model
                           keeps --base-url
      --sub-endpoint-concurrency N
                           calls in flight per sub-endpoint (default 4)
      --max-iterations N   root turns (default 20)
      --max-depth N        RLM levels, 1 = no child RLMs (default 2)
      --max-sub-calls N    llm_query/rlm_query calls in all (default 100)
      --max-tokens N       total tokens for the question (default 2000000)
      --timeout S          wall-time limit for the question, seconds (default 900)
      --concurrency N      parallel llm_query_batched items (default 8)
      --max-file-size KB   skip larger files (default 1024)
      --exclude GLOB       extra ignore pattern (repeatable, gitignore syntax)
      --no-cache           send every llm_query; by default identical sub-calls are answered from the
                           workspace's sub-call cache at no cost (also "cacheSubCalls": false in the config file)
      --sub-temperature T  sampling temperature of llm_query calls (default: the endpoint's; "subTemperature")
      --cache-any-temperature  cache sub-calls sampled above temperature 0 too ("cacheAnyTemperature")
      --context-window N   the root model's context window in tokens (default: what the endpoint says, else
                           the model family's; "contextWindow"); every prompt is kept within it
      --sub-context-window N  the same for the sub-model ("subContextWindow")
      --json               print one JSON object on stdout
      --trajectory FILE    save the whole trajectory as JSON
  -q, --quiet              no progress on stderr
  -h, --help               this help
  -V, --version            print recurse's version

Exit codes: 0 answered, 1 failed, 2 usage or configuration error, 130 cancelled.`;

export interface CliArgs {
  command: 'ask' | 'chat' | 'index' | 'help';
  /** ask --session NAME: continue a named conversation's history across processes. */
  session?: string;
  question?: string;
  workspace: string;
  model?: string;
  subModel?: string;
  baseUrl?: string;
  apiKey?: string;
  config?: string;
  /** --sub-endpoint URL (repeatable) and --sub-endpoint-concurrency N: sub-calls over a pool of endpoints. */
  subEndpoints?: string[];
  subEndpointConcurrency?: number;
  maxIterations?: number;
  maxDepth?: number;
  maxSubCalls?: number;
  maxTokens?: number;
  timeoutSeconds?: number;
  concurrency?: number;
  maxFileSizeKB?: number;
  exclude: string[];
  /** --no-cache: every llm_query is sent, none answered from the sub-call cache. */
  noCache?: boolean;
  /** --sub-temperature T: sampling temperature of llm_query calls (default: the endpoint's). */
  subTemperature?: number;
  /** --cache-any-temperature: cache sub-calls sampled above temperature 0 too. */
  cacheAnyTemperature?: boolean;
  /** --context-window N / --sub-context-window N: the models' windows in tokens (default: discovered). */
  contextWindow?: number;
  subContextWindow?: number;
  json: boolean;
  dump?: string;
  /** index --export PACK / --import PACK: write the index as a portable pack, or seed it from one. */
  exportPack?: string;
  importPack?: string;
  scope?: string;
  trajectory?: string;
  quiet: boolean;
}

/** The model flags of every command that asks a model (parseArgs specs). */
export const MODEL_OPTIONS = {
  model: { type: 'string', short: 'm' },
  'sub-model': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  config: { type: 'string' },
  'sub-endpoint': { type: 'string', multiple: true },
  'sub-endpoint-concurrency': { type: 'string' },
} as const;

/** The budget and file-map flags of every command that runs the RLM (parseArgs specs). */
export const RUN_OPTIONS = {
  'max-iterations': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-sub-calls': { type: 'string' },
  'max-tokens': { type: 'string' },
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
  'max-file-size': { type: 'string' },
  exclude: { type: 'string', multiple: true },
  'no-cache': { type: 'boolean' },
  'sub-temperature': { type: 'string' },
  'cache-any-temperature': { type: 'boolean' },
  'context-window': { type: 'string' },
  'sub-context-window': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The model flags as parsed (MODEL_OPTIONS). */
export type ModelFlags = Pick<CliArgs, 'model' | 'subModel' | 'baseUrl' | 'apiKey' | 'config' | 'subEndpoints' | 'subEndpointConcurrency'>;
/** The budget and file-map flags as parsed (RUN_OPTIONS). */
export type RunFlags = Pick<CliArgs, 'maxIterations' | 'maxDepth' | 'maxSubCalls' | 'maxTokens' | 'timeoutSeconds' | 'concurrency' | 'maxFileSizeKB' | 'exclude' | 'noCache' | 'subTemperature' | 'cacheAnyTemperature' | 'contextWindow' | 'subContextWindow'>;

export function readModelFlags(v: Values): ModelFlags {
  const str = (k: string) => v[k] as string | undefined;
  const endpoints = v['sub-endpoint'] as string[] | undefined;
  const limit = positiveInt('sub-endpoint-concurrency', str('sub-endpoint-concurrency'));
  return {
    model: str('model'), subModel: str('sub-model'), baseUrl: str('base-url'), apiKey: str('api-key'), config: str('config'),
    ...(endpoints?.length ? { subEndpoints: endpoints } : {}), ...(limit !== undefined ? { subEndpointConcurrency: limit } : {}),
  };
}

export function readRunOptions(v: Values): RunFlags {
  const str = (k: string) => v[k] as string | undefined;
  return {
    maxIterations: positiveInt('max-iterations', str('max-iterations')),
    maxDepth: positiveInt('max-depth', str('max-depth')),
    maxSubCalls: positiveInt('max-sub-calls', str('max-sub-calls'), 0),
    maxTokens: positiveInt('max-tokens', str('max-tokens')),
    timeoutSeconds: positiveInt('timeout', str('timeout')),
    concurrency: positiveInt('concurrency', str('concurrency')),
    maxFileSizeKB: positiveInt('max-file-size', str('max-file-size')),
    exclude: (v.exclude as string[] | undefined) ?? [],
    noCache: Boolean(v['no-cache']),
    subTemperature: temperature(str('sub-temperature')),
    cacheAnyTemperature: Boolean(v['cache-any-temperature']),
    contextWindow: positiveInt('context-window', str('context-window'), MIN_WINDOW),
    subContextWindow: positiveInt('sub-context-window', str('sub-context-window'), MIN_WINDOW),
  };
}

/** A context window smaller than this cannot hold the system prompt, the question and one turn. */
const MIN_WINDOW = 2048;

function temperature(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 2) throw new UsageError(`--sub-temperature must be a number from 0 to 2, got "${value}"`);
  return n;
}

export function positiveInt(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** The --scope value as given; an empty one is a usage error rather than the whole workspace. */
export function readScope(v: Values): string | undefined {
  const scope = v.scope as string | undefined;
  if (scope !== undefined && scope.trim() === '') throw new UsageError('--scope needs a directory or a package name');
  return scope;
}

/** node's parseArgs, with its errors (unknown flag, missing value) as usage errors. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parseCliArgs(argv: string[]): CliArgs {
  const parsed = parseFlags({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      ...MODEL_OPTIONS,
      ...RUN_OPTIONS,
      json: { type: 'boolean' },
      dump: { type: 'string' },
      export: { type: 'string' },
      import: { type: 'string' },
      scope: { type: 'string' },
      trajectory: { type: 'string' },
      session: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  const base = {
    workspace: v.workspace ?? process.cwd(),
    exclude: v.exclude ?? [],
    json: Boolean(v.json),
    quiet: Boolean(v.quiet),
  };
  if (v.help || command === undefined || command === 'help') return { command: 'help', ...base };
  if (command !== 'ask' && command !== 'chat' && command !== 'index') {
    throw new UsageError(`unknown command "${command}" (expected ask, chat, index, review, trace or models)`);
  }
  if (command === 'chat' && rest.length) throw new UsageError('chat reads its questions from stdin, one per line (got an argument)');
  if (command !== 'ask' && v.session) throw new UsageError('--session is an option of recurse ask (recurse chat keeps its own conversation)');
  const question = rest.join(' ').trim();
  if (command === 'ask' && !question) throw new UsageError('ask needs a question, e.g. recurse ask "Where is the config loaded?"');
  if (command === 'index' && rest.length > 1) throw new UsageError(`index takes one directory (got "${question}")`);
  if (command === 'index' && rest.length === 1) {
    if (v.workspace) throw new UsageError('give the directory either as an argument or with --workspace, not both');
    base.workspace = rest[0];
  }
  if (command !== 'index' && v.dump) throw new UsageError('--dump is an option of recurse index');
  if (command !== 'index' && (v.export || v.import)) throw new UsageError('--export and --import are options of recurse index');
  return {
    command,
    question: command === 'ask' ? question : undefined,
    dump: v.dump,
    ...(v.export ? { exportPack: v.export } : {}),
    ...(v.import ? { importPack: v.import } : {}),
    scope: readScope(v),
    ...base,
    ...readModelFlags(v),
    ...readRunOptions(v),
    trajectory: v.trajectory,
    session: v.session,
  };
}
