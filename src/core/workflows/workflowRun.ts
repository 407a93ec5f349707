import { CodeIndex } from '../index/codeIndex';
import { resolveScope, type Scope } from '../index/scope';
import type { ChatModel } from '../llm/chatModel';
import type { SubCallCache } from '../llm/subCallCache';
import { UsageLedger } from '../llm/usage';
import { Budget, type BudgetLimits } from '../rlm/budget';
import type { RlmEventListener } from '../rlm/events';
import type { RlmOptions, SandboxLimits } from '../rlm/rlm';
import { Trajectory } from '../rlm/trajectory';
import type { FileMap } from '../workspace/fileMap';

/** What every workflow that runs the RLM (ask, review) takes about models and budgets. */
export interface ModelRunOptions {
  rootModel: ChatModel;
  subModel?: ChatModel;
  limits?: Partial<BudgetLimits>;
  concurrency?: number;
  sandbox?: SandboxLimits;
  prices?: Record<string, { input: number; output: number }>;
  onEvent?: RlmEventListener;
  signal?: AbortSignal;
  /** Memoized llm_query answers; absent: every sub-call is sent. */
  subCallCache?: SubCallCache;
  /** Sampling temperature of llm_query calls; absent: the endpoint's default. */
  subTemperature?: number;
  /** Context windows in tokens set by the user; absent: asked of the endpoint, else the family table. */
  contextWindow?: number;
  subContextWindow?: number;
}

export interface RunUsage {
  totalTokens: number;
  iterations: number;
  subCalls: number;
  cost?: number;
  /** Sub-calls answered from the cache, and the tokens and cost their original calls had (not in the totals). */
  cachedSubCalls: number;
  savedTokens: number;
  savedCost?: number;
}

/**
 * One RLM run's accounting, set up the same way by every workflow: its budget, usage ledger and trajectory, the
 * runRlm options they share, and the usage and model names reported at the end.
 */
export class WorkflowRun {
  readonly budget: Budget;
  readonly ledger: UsageLedger;
  readonly trajectory = new Trajectory();

  constructor(private readonly options: ModelRunOptions) {
    this.budget = new Budget(options.limits);
    this.ledger = new UsageLedger(options.prices);
  }

  /** The runRlm options that are the same for every workflow; each adds its question, map and extras. */
  rlmOptions(): Pick<RlmOptions, 'rootModel' | 'subModel' | 'budget' | 'ledger' | 'trajectory' | 'concurrency' | 'sandbox' | 'onEvent' | 'signal' | 'subCallCache' | 'subTemperature' | 'contextWindow' | 'subContextWindow'> {
    const o = this.options;
    return {
      rootModel: o.rootModel,
      subModel: o.subModel,
      budget: this.budget,
      ledger: this.ledger,
      trajectory: this.trajectory,
      concurrency: o.concurrency,
      sandbox: o.sandbox,
      onEvent: o.onEvent,
      signal: o.signal,
      subCallCache: o.subCallCache,
      subTemperature: o.subTemperature,
      contextWindow: o.contextWindow,
      subContextWindow: o.subContextWindow,
    };
  }

  /** What the saved trajectory records about the run besides its question: models, limits and usage so far. */
  header(): { models: { root: string; sub: string }; limits: BudgetLimits; usage: ReturnType<UsageLedger['toJSON']> } {
    return {
      models: { root: this.options.rootModel.model, sub: (this.options.subModel ?? this.options.rootModel).model },
      limits: this.budget.limits,
      usage: this.ledger.toJSON(),
    };
  }

  usage(iterations: number): RunUsage {
    const cost = this.ledger.costUSD;
    const saved = this.ledger.saved();
    return {
      totalTokens: this.budget.tokensUsed, iterations, subCalls: this.budget.subCallsUsed, ...(cost !== undefined ? { cost } : {}),
      cachedSubCalls: saved.calls, savedTokens: saved.totalTokens, ...(saved.costUSD !== undefined ? { savedCost: saved.costUSD } : {}),
    };
  }
}

/**
 * Resolves a directory or package scope against the whole map. A package scope needs the package list: from `code`
 * when the workflow has a code index, else from a short-lived one.
 */
export async function resolveWorkflowScope(fullMap: FileMap, spec: string, code: CodeIndex | undefined): Promise<Scope> {
  const lookup = code ?? new CodeIndex(fullMap);
  try {
    return await resolveScope(fullMap, spec, () => lookup.graph());
  } finally {
    if (lookup !== code) lookup.dispose();
  }
}
