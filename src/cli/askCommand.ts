import { type AskOptions, type AskResult, ask } from '../core/workflows/ask';
import { Conversation } from '../core/workflows/conversation';
import { type CliArgs, type RunFlags, UsageError } from './args';
import { checkWorkspace, err, EXIT, markInvalidCitations } from './cliCommon';
import { type CliModels, cliSubCallCache, cliSubTemperature, createCliModels } from './models';
import { createProgressPrinter } from './progress';
import { loadSession, saveSession } from './sessionStore';
import { cliRipgrep } from './ripgrepBinary';

/** `recurse ask`: one question, its answer on stdout (or one JSON object), progress on stderr. */
export async function runAsk(args: CliArgs, signal: AbortSignal): Promise<number> {
  const root = await checkWorkspace(args.workspace);
  const models = await createCliModels(args, root);
  if (!args.quiet) err(`recurse: ${models.label}`);
  const conversation = args.session ? await sessionConversation(root, args.session) : undefined;
  const result = await ask({ ...runOptions(args, root, models, signal), question: args.question ?? '', conversation });
  if (conversation && args.session) await saveSession(root, args.session, conversation.history);
  printAnswer(args, result);
  return EXIT.ok;
}

/** A named session's earlier questions (`history`), kept in the workspace's cache folder across processes. */
async function sessionConversation(root: string, name: string): Promise<Conversation> {
  const conversation = new Conversation();
  conversation.restore(await loadSession(root, name));
  return conversation;
}

export type RunOptions = Pick<AskOptions, 'workspace' | 'rootModel' | 'subModel' | 'limits' | 'concurrency' | 'fileMap' | 'prices'
  | 'scope' | 'onEvent' | 'signal' | 'trajectoryFile' | 'subCallCache' | 'subTemperature' | 'contextWindow' | 'subContextWindow'>;

/**
 * The options every run of ask, chat and review shares: models, budgets (flags, else the config file), file map,
 * prices, scope, sub-call cache and temperature, progress, trajectory file.
 */
export function runOptions(args: RunFlags & Pick<CliArgs, 'scope' | 'quiet' | 'trajectory'>, root: string, models: CliModels, signal: AbortSignal): RunOptions {
  const { config, rootModel, subModel } = models;
  const fileNumber = (key: string): number | undefined => {
    const value = config.file[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new UsageError(`config file: ${key} must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const fileWindow = (key: string): number | undefined => {
    const value = fileNumber(key);
    if (value !== undefined && value < 2048) throw new UsageError(`config file: ${key} must be at least 2048 tokens, got ${value}`);
    return value;
  };
  return {
    workspace: root,
    rootModel,
    subModel,
    limits: {
      maxIterations: args.maxIterations ?? fileNumber('maxIterations'),
      maxDepth: args.maxDepth ?? fileNumber('maxDepth'),
      maxSubCalls: args.maxSubCalls ?? fileNumber('maxSubCalls'),
      maxTokens: args.maxTokens,
      maxTimeMs: args.timeoutSeconds ? args.timeoutSeconds * 1000 : undefined,
    },
    concurrency: args.concurrency ?? fileNumber('concurrency'),
    fileMap: { exclude: args.exclude, maxFileBytes: args.maxFileSizeKB ? args.maxFileSizeKB * 1024 : undefined, snapshot: true, ripgrep: cliRipgrep() },
    prices: config.prices,
    scope: args.scope,
    onEvent: args.quiet ? undefined : createProgressPrinter(err),
    signal,
    trajectoryFile: args.trajectory,
    subCallCache: cliSubCallCache(root, args, config.file),
    subTemperature: cliSubTemperature(args.subTemperature, config.file),
    contextWindow: args.contextWindow ?? fileWindow('contextWindow'),
    subContextWindow: args.subContextWindow ?? fileWindow('subContextWindow'),
  };
}

/** The JSON object `ask --json` prints, one per answer in `chat --json`. */
export function answerJson(result: AskResult): Record<string, unknown> {
  return {
    answer: result.answer,
    citations: result.citations.map((c) => ({
      path: c.resolvedPath ?? c.path, startLine: c.startLine, endLine: c.endLine, valid: c.valid, ...(c.reason ? { reason: c.reason } : {}),
    })),
    usage: {
      totalTokens: result.usage.totalTokens,
      iterations: result.usage.iterations,
      subCalls: result.usage.subCalls,
      ...(result.usage.cost !== undefined ? { cost: result.usage.cost } : {}),
      cachedSubCalls: result.usage.cachedSubCalls,
      savedTokens: result.usage.savedTokens,
      ...(result.usage.savedCost !== undefined ? { savedCost: result.usage.savedCost } : {}),
      ...(result.usage.byModel.byEndpoint ? { byEndpoint: byEndpoint(result) } : {}),
    },
    skipped: result.skipped.counts,
    forced: result.forced,
    ...(result.scope ? { scope: result.scope } : {}),
  };
}

/** Calls, tokens and cost per endpoint that answered (the root's, and each sub-endpoint of a pool). */
function byEndpoint(result: AskResult): Record<string, { calls: number; totalTokens: number; cost?: number }> {
  return Object.fromEntries(Object.entries(result.usage.byModel.byEndpoint ?? {}).map(([url, t]) => [url, {
    calls: t.calls, totalTokens: t.totalTokens, ...(t.costUSD !== undefined ? { cost: t.costUSD } : {}),
  }]));
}

/** The answer on stdout (JSON, or markdown with unverified citations marked) and, unless quiet, its summary on stderr. */
export function printAnswer(args: Pick<CliArgs, 'json' | 'quiet'>, result: AskResult): void {
  if (args.json) {
    process.stdout.write(`${JSON.stringify(answerJson(result))}\n`);
    return;
  }
  process.stdout.write(`${markInvalidCitations(result.answer, result.citations).trimEnd()}\n`);
  if (!args.quiet) for (const line of summaryLines(result)) err(line);
}

function summaryLines(result: AskResult): string[] {
  const { usage } = result;
  const valid = result.citations.filter((c) => c.valid).length;
  const invalid = result.citations.length - valid;
  const lines = [
    `— ${usage.iterations} turns · ${usage.subCalls} sub-calls · ${usage.totalTokens} tokens` +
      `${usage.cost !== undefined ? ` · $${usage.cost.toFixed(4)}` : ''} · ${(result.durationMs / 1000).toFixed(1)} s` +
      ` · citations: ${valid} verified${invalid ? `, ${invalid} unverified` : ''}`,
  ];
  const endpoints = Object.entries(result.usage.byModel.byEndpoint ?? {});
  if (endpoints.length > 1) lines.push(`— by endpoint: ${endpoints.map(([url, t]) => `${url} ${t.calls} call${t.calls === 1 ? '' : 's'}`).join(', ')}`);
  if (usage.cachedSubCalls) {
    const saved = usage.savedCost !== undefined ? `, $${usage.savedCost.toFixed(4)}` : '';
    lines.push(`— ${usage.cachedSubCalls} sub-call${usage.cachedSubCalls === 1 ? '' : 's'} from the cache: saved ${usage.savedTokens} tokens${saved}`);
  }
  if (result.scope) {
    lines.push(`— scope: ${result.scope.packageName ? `${result.scope.packageName} (${result.scope.dir || '.'})` : result.scope.dir} · ${result.files} files`);
  }
  const skipped = Object.entries(result.skipped.counts);
  if (skipped.length) lines.push(`— skipped files: ${skipped.map(([r, n]) => `${n} ${r}`).join(', ')}`);
  return lines;
}
