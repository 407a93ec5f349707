import { type Citation, verifyCitations } from '../citations/citations';
import { CodeIndex } from '../index/codeIndex';
import { type ScopeInfo, scopeInfo } from '../index/scope';
import type { SymbolIndexOptions } from '../index/symbols/symbolIndex';
import type { UsageLedger } from '../llm/usage';
import { runRlm } from '../rlm/rlm';
import { prewarmQuickJS } from '../sandbox/quickjsModule';
import type { Conversation } from './conversation';
import { withSavedTrajectory } from './savedRun';
import { type ModelRunOptions, resolveWorkflowScope, type RunUsage, WorkflowRun } from './workflowRun';
import { FileMap, type FileMapOptions, type SkippedSummary } from '../workspace/fileMap';

/**
 * Ask: one question about one workspace. Loads the file map, runs the RLM, checks the answer's citations.
 * The CLI and the extension both call this, so what a user sees is the same in either.
 */
export interface AskOptions extends ModelRunOptions {
  workspace: string;
  question: string;
  fileMap?: FileMapOptions;
  /** Reuse an already loaded map (the extension keeps one per workspace folder). */
  map?: FileMap;
  /** Reuse a code index over `map`; `false` runs without the code helpers. Default: a new one, built in the background. */
  code?: CodeIndex | false;
  symbolIndex?: SymbolIndexOptions;
  /** Limit the question to a directory or a package of the workspace (monorepo scoping). */
  scope?: string;
  /** Write the whole trajectory here as JSON when the run ends (also when it fails). */
  trajectoryFile?: string;
  /** Ask as the next question of this conversation: its REPL and `history`; the answer is recorded in it. */
  conversation?: Conversation;
}

export interface AskResult {
  answer: string;
  citations: Citation[];
  forced: boolean;
  reason: string;
  usage: RunUsage & { byModel: ReturnType<UsageLedger['toJSON']> };
  skipped: SkippedSummary;
  files: number;
  /** The scope the answer is limited to, when one was given. */
  scope?: ScopeInfo;
  durationMs: number;
}

export async function ask(options: AskOptions): Promise<AskResult> {
  const started = Date.now();
  // The index made below adopts parser threads booted while the map loads.
  if (!options.map && options.code === undefined) CodeIndex.prewarm();
  // The sandbox's QuickJS compiles while the map loads, not while the first cell runs.
  prewarmQuickJS();
  const fullMap = options.map ?? (await FileMap.load(options.workspace, { ...options.fileMap, signal: options.signal }));
  const run = new WorkflowRun(options);
  // The code index always covers the whole workspace (its cache stays whole); helpers filter to the scope.
  const ownCode = options.code === undefined ? new CodeIndex(fullMap, { symbols: options.symbolIndex }) : undefined;
  const code = ownCode ?? (options.code || undefined);
  ownCode?.start();
  try {
    const scope = options.scope ? await resolveWorkflowScope(fullMap, options.scope, code) : undefined;
    const map = scope?.map ?? fullMap;
    const reported = scope && scopeInfo(scope);
    const meta = () => ({
      question: options.question,
      workspace: options.workspace,
      // What a replay needs to run the cells again the same way (replay/recordedRun.ts).
      code: Boolean(code),
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.conversation?.history.length ? { followUp: options.conversation.history.length } : {}),
      // An in-memory workspace (an eval item's context) is kept whole: there is no folder to replay it against.
      ...(map.isVirtual ? { texts: map.virtualTexts(), name: map.name } : {}),
      ...run.header(),
    });
    return await withSavedTrajectory(options.trajectoryFile, run.trajectory, meta, async () => {
      const result = await runRlm({
        ...run.rlmOptions(),
        question: options.question,
        map,
        code,
        extraMetadata: reported ? { scope: reported } : undefined,
        conversation: options.conversation?.state(),
      });
      const citations = await verifyCitations(result.answer, map);
      const askResult: AskResult = {
        answer: result.answer,
        citations,
        forced: result.forced,
        reason: result.reason,
        usage: { ...run.usage(result.iterations), byModel: run.ledger.toJSON() },
        skipped: map.skipped,
        files: map.size,
        ...(reported ? { scope: reported } : {}),
        durationMs: Date.now() - started,
      };
      options.conversation?.record(options.question, askResult);
      return { result: askResult };
    });
  } finally {
    ownCode?.dispose();
  }
}
