import { type Citation, verifyCitations } from '../citations/citations';
import { CodeIndex } from '../index/codeIndex';
import { resolveScope, type Scope } from '../index/scope';
import type { SymbolIndexOptions } from '../index/symbols/symbolIndex';
import type { ChatModel } from '../llm/chatModel';
import { UsageLedger } from '../llm/usage';
import type { BudgetLimits } from '../rlm/budget';
import { Budget } from '../rlm/budget';
import type { RlmEventListener } from '../rlm/events';
import { type SandboxLimits, runRlm } from '../rlm/rlm';
import { Trajectory } from '../rlm/trajectory';
import { withSavedTrajectory } from './savedRun';
import { FileMap, type FileMapOptions, type SkippedSummary } from '../workspace/fileMap';

/**
 * Ask: one question about one workspace. Loads the file map, runs the RLM, checks the answer's citations.
 * The CLI and the extension both call this, so what a user sees is the same in either.
 */
export interface AskOptions {
  workspace: string;
  question: string;
  rootModel: ChatModel;
  subModel?: ChatModel;
  limits?: Partial<BudgetLimits>;
  concurrency?: number;
  sandbox?: SandboxLimits;
  fileMap?: FileMapOptions;
  /** Reuse an already loaded map (the extension keeps one per workspace folder). */
  map?: FileMap;
  /** Reuse a code index over `map`; `false` runs without the code helpers. Default: a new one, built in the background. */
  code?: CodeIndex | false;
  symbolIndex?: SymbolIndexOptions;
  /** Limit the question to a directory or a package of the workspace (monorepo scoping). */
  scope?: string;
  prices?: Record<string, { input: number; output: number }>;
  onEvent?: RlmEventListener;
  signal?: AbortSignal;
  /** Write the whole trajectory here as JSON when the run ends (also when it fails). */
  trajectoryFile?: string;
}

export interface AskResult {
  answer: string;
  citations: Citation[];
  forced: boolean;
  reason: string;
  usage: {
    totalTokens: number;
    iterations: number;
    subCalls: number;
    cost?: number;
    byModel: ReturnType<UsageLedger['toJSON']>;
  };
  skipped: SkippedSummary;
  files: number;
  /** The scope the answer is limited to, when one was given. */
  scope?: { spec: string; dir: string; packageName?: string };
  durationMs: number;
}

export async function ask(options: AskOptions): Promise<AskResult> {
  const started = Date.now();
  // The index made below adopts parser threads booted while the map loads.
  if (!options.map && options.code === undefined) CodeIndex.prewarm();
  const fullMap = options.map ?? (await FileMap.load(options.workspace, { ...options.fileMap, signal: options.signal }));
  const budget = new Budget(options.limits);
  const ledger = new UsageLedger(options.prices);
  const trajectory = new Trajectory();
  // The code index always covers the whole workspace (its cache stays whole); helpers filter to the scope.
  const ownCode = options.code === undefined ? new CodeIndex(fullMap, { symbols: options.symbolIndex }) : undefined;
  const code = ownCode ?? (options.code || undefined);
  ownCode?.start();
  let scope: Scope | undefined;
  if (options.scope) {
    // Without a code index (code: false) a package scope still needs the package list: a short-lived index.
    const lookup = code ?? new CodeIndex(fullMap);
    try {
      scope = await resolveScope(fullMap, options.scope, () => lookup.graph());
    } catch (err) {
      ownCode?.dispose();
      throw err;
    } finally {
      if (lookup !== code) lookup.dispose();
    }
  }
  const map = scope?.map ?? fullMap;
  const scopeInfo = scope && { spec: scope.spec, dir: scope.dir, ...(scope.packageName ? { packageName: scope.packageName } : {}) };
  const meta = () => ({
    question: options.question,
    workspace: options.workspace,
    models: { root: options.rootModel.model, sub: (options.subModel ?? options.rootModel).model },
    limits: budget.limits,
    usage: ledger.toJSON(),
  });
  try {
    return await withSavedTrajectory(options.trajectoryFile, trajectory, meta, async () => {
      const result = await runRlm({
        question: options.question,
        map,
        rootModel: options.rootModel,
        subModel: options.subModel,
        budget,
        ledger,
        trajectory,
        concurrency: options.concurrency,
        sandbox: options.sandbox,
        onEvent: options.onEvent,
        signal: options.signal,
        code,
        extraMetadata: scopeInfo ? { scope: scopeInfo } : undefined,
      });
      const citations = await verifyCitations(result.answer, map);
      const askResult: AskResult = {
        answer: result.answer,
        citations,
        forced: result.forced,
        reason: result.reason,
        usage: {
          totalTokens: budget.tokensUsed,
          iterations: result.iterations,
          subCalls: budget.subCallsUsed,
          cost: ledger.costUSD,
          byModel: ledger.toJSON(),
        },
        skipped: map.skipped,
        files: map.size,
        ...(scopeInfo ? { scope: scopeInfo } : {}),
        durationMs: Date.now() - started,
      };
      return { result: askResult };
    });
  } finally {
    ownCode?.dispose();
  }
}
