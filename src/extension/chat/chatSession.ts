import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Citation } from '../../core/citations/citations';
import type { SubCallCache } from '../../core/llm/subCallCache';
import type { DiffSource } from '../../core/review/diffSource';
import type { RlmEvent, RlmEventListener } from '../../core/rlm/events';
import type { FileMap } from '../../core/workspace/fileMap';
import type { ApiKeyStore } from '../models/apiKeyStore';
import { ChatConversation } from './chatConversation';
import { type ChatHistory, TrajectorySummary } from './chatHistory';
import { EventThrottle } from './eventThrottle';
import { loadCore } from '../loadCore';
import { createModels, type Models } from '../models/models';
import type { CitationView, HostMessage, ScopeView, UsageView } from './protocol';
import { finishedReview, reviewAnswer, reviewCitations } from '../review/reviewAnswer';
import { reviewLabel } from '../review/reviewSources';
import type { FinishedReview } from '../review/reviewStore';
import { type RecurseSettings, fileMapSettings, readSettings, runSettings } from '../settings';
import type { RunStatusBar } from './statusBar';
import type { ModelReadiness } from '../setup/modelReadiness';
import type { RunRecords } from './runRecords';
import { logEvent } from './trajectoryLog';
import { WorkspaceMaps } from '../workspace/workspaceMaps';

export type RunOutcome =
  | { status: 'answered'; runId: string; folder: string; answer: string; citations: CitationView[]; usage: UsageView; forced: boolean; durationMs: number; scope?: ScopeView }
  | { status: 'failed'; runId: string; message: string }
  | { status: 'cancelled'; runId: string }
  | { status: 'busy'; message: string }
  /** No model is configured: nothing ran, the chat shows its "Configure model…" notice. */
  | { status: 'unconfigured'; message: string };

export interface ChatSessionDeps {
  maps: WorkspaceMaps;
  keys: ApiKeyStore;
  log: vscode.LogOutputChannel;
  status: RunStatusBar;
  post(message: HostMessage): void;
  setRunning(running: boolean): void;
  /** Whether a model is configured for these settings (absent: always, as before the setup flow existed). */
  readiness?(settings: RecurseSettings): Promise<ModelReadiness>;
  /** Told when a question, a review or a trace explanation was answered (the walkthrough's steps). */
  answered?(kind: 'question' | 'review'): void;
  /** Where finished runs are kept per workspace (absent: nothing is kept). */
  history?: ChatHistory;
  /** Where each run's whole trajectory is saved, for Export Run as HTML (absent: not saved). */
  records?: RunRecords;
  /** Told when a review starts, when one has findings to show, and when the chat is cleared (the diagnostics). */
  reviews?: { begin(): void; finished(review: FinishedReview): void; clear(): void };
  /** The chat's scope (scopeController.ts): the folder questions go to, the directory or package they are limited to. */
  scope?: {
    folder(): vscode.WorkspaceFolder | undefined;
    spec(folder: vscode.WorkspaceFolder): string | undefined;
    view(folder: vscode.WorkspaceFolder, resolved?: { spec: string; dir: string; packageName?: string }): ScopeView;
    /** Every folder, when questions go to the whole multi-root workspace at once. */
    wholeWorkspace?(): readonly vscode.WorkspaceFolder[] | undefined;
    wholeView?(): ScopeView;
  };
}

/** What a run works with once the folder, settings, models and file map are ready. */
interface RunContext {
  runId: string;
  folder: vscode.WorkspaceFolder;
  /**
   * Set when the run covers every folder of a multi-root workspace: `map` is then their combined map (paths
   * `folder/path`) and `folder` only the one whose settings apply (the active editor's).
   */
  folders?: readonly vscode.WorkspaceFolder[];
  settings: RecurseSettings;
  models: Models;
  map: FileMap;
  signal: AbortSignal;
  onEvent: RlmEventListener;
}

/** What a run shows in the chat. */
interface RunAnswer {
  /** The scope a question was answered in, shown with the answer. */
  scope?: ScopeView;
  answer: string;
  citations: CitationView[];
  usage: UsageView;
  forced: boolean;
  durationMs: number;
}

interface ActiveRun {
  runId: string;
  controller: AbortController;
  question: string;
  startedAt: number;
  trajectory: TrajectorySummary;
  /** Set by cancel(): the user has been told, and nothing from this run reaches the UI any more. */
  cancelled: boolean;
}

export const BUSY_MESSAGE = 'Recurse is already answering a question in this chat. Wait for it to finish, or press Cancel.';

/** One chat: runs one question at a time over a workspace folder and streams what happens to the webview. */
export class ChatSession {
  private active: ActiveRun | undefined;
  private readonly caches = new Map<string, SubCallCache>();
  lastOutcome: RunOutcome | undefined;
  /** The folder of the last question: citations without a folder name refer to it. */
  lastFolder: vscode.WorkspaceFolder | undefined;

  /** The chat's conversation: one REPL across its questions (see chatConversation.ts). */
  private readonly conversation: ChatConversation;

  constructor(private readonly deps: ChatSessionDeps) {
    this.conversation = new ChatConversation(() => deps.history?.runs ?? [], (message) => deps.post({ type: 'status', message }));
  }

  /** The trajectory file of a run, when runs are recorded (older ones pruned as each new one starts). */
  private recordOf(runId: string): { trajectoryFile?: string } {
    const records = this.deps.records;
    if (!records) return {};
    records.prune();
    return { trajectoryFile: records.fileFor(runId) };
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** The run going on now, as the history message describes it. */
  get activeRun(): { runId: string; question: string; startedAt: number } | undefined {
    const run = this.active;
    return run && { runId: run.runId, question: run.question, startedAt: run.startedAt };
  }

  /**
   * Asks a question. `options.label` is what the chat and its history show as the question when the model is given
   * a longer, generated one (a trace's explanation request carries the whole graph).
   */
  async ask(question: string, options: { label?: string } = {}): Promise<RunOutcome> {
    return this.run(options.label ?? question, async ({ runId, folder, folders, settings, models, map, signal, onEvent }) => {
      const about = folders ? `the whole workspace (${folders.length} folders)` : folder.name;
      this.deps.log.info(`[${runId}] asking ${models.label} about ${about} (${map.size} files): ${question}`);
      const result = await loadCore().ask({
        workspace: folder.uri.fsPath,
        question,
        rootModel: models.root,
        subModel: models.sub,
        map,
        code: folders ? this.deps.maps.combinedCodeIndex(map) : this.deps.maps.codeIndex(folder, map),
        ...runSettings(settings),
        subCallCache: this.subCallCache(folder, settings),
        scope: folders ? undefined : this.deps.scope?.spec(folder),
        conversation: this.conversation.for(folders ? `*:${folders.map((f) => f.uri.toString()).join(',')}` : `${folder.uri.toString()}#${this.deps.scope?.spec(folder) ?? ''}`),
        signal,
        onEvent,
        ...this.recordOf(runId),
      });
      const scope = folders ? this.deps.scope?.wholeView?.() : this.deps.scope?.view(folder, result.scope);
      return {
        ...(scope ? { scope } : {}),
        answer: result.answer,
        citations: result.citations.map((c) => (folders ? combinedCitationView(c, map) : toCitationView(c, folder.name))),
        usage: toUsageView(result.usage),
        forced: result.forced,
        durationMs: result.durationMs,
      };
    }, undefined, true, 'question');
  }

  /**
   * Reviews a change like a question: the same progress, Cancel, status bar, history and busy rule. The answer
   * is the review's markdown, its citations verified against the workspace and tagged with the review, so the
   * chat opens them in the diff editor; the findings go to `deps.reviews` (the diagnostics).
   */
  async review(source: DiffSource, options: { label?: string; folder?: vscode.WorkspaceFolder } = {}): Promise<RunOutcome> {
    const label = options.label ?? reviewLabel(source);
    return this.run(label, async ({ runId, folder, settings, models, map, signal, onEvent }) => {
      this.deps.reviews?.begin();
      this.deps.log.info(`[${runId}] reviewing ${label} in ${folder.name} with ${models.label}`);
      const core = loadCore();
      const report = await core.review({
        workspace: folder.uri.fsPath,
        source,
        rootModel: models.root,
        subModel: models.sub,
        ...runSettings(settings),
        subCallCache: this.subCallCache(folder, settings),
        fileMap: fileMapSettings(settings),
        // The chat's directory or package scope: changed files outside it are listed as out of scope, not reviewed.
        scope: this.deps.scope?.spec(folder),
        signal,
        onEvent,
        ...this.recordOf(runId),
      });
      if (signal.aborted) throw new Error('cancelled');
      const finished = await finishedReview(runId, folder, source, report);
      const answer = reviewAnswer(core.toMarkdown(report), report);
      const citations = await reviewCitations(await core.verifyCitations(answer, map), finished);
      if (signal.aborted) throw new Error('cancelled');
      this.deps.reviews?.finished(finished);
      const valid = report.findings.filter((f) => f.valid).length;
      this.deps.log.info(`[${runId}] review of ${report.diff.description}: ${report.findings.length} findings (${valid} in the diff), ` +
        `${report.reviewed.length} files reviewed, ${report.unreviewed.length} unreviewed`);
      return {
        ...(this.deps.scope ? { scope: this.deps.scope.view(folder, report.scope) } : {}),
        answer,
        citations: citations.map((c) => ({ ...toCitationView(c, folder.name), review: runId })),
        usage: toUsageView(report.usage),
        forced: report.forced,
        durationMs: report.durationMs,
      };
    }, options.folder, false, 'review');
  }

  /**
   * The run machinery every kind of run shares: one at a time, a run id, progress streamed to the webview
   * (throttled), the status bar, Cancel through an AbortSignal, the history entry, and one outcome.
   */
  private async run(
    question: string, work: (run: RunContext) => Promise<RunAnswer>, preferredFolder?: vscode.WorkspaceFolder, acrossFolders = false,
    kind: 'question' | 'review' = 'question',
  ): Promise<RunOutcome> {
    const { post, log, status } = this.deps;
    const unconfigured = await this.unconfigured(question, preferredFolder);
    if (unconfigured) return unconfigured;
    if (this.active) {
      post({ type: 'busy', message: BUSY_MESSAGE });
      return { status: 'busy', message: BUSY_MESSAGE };
    }
    const run: ActiveRun = {
      runId: randomUUID(), controller: new AbortController(), cancelled: false, question, startedAt: Date.now(), trajectory: new TrajectorySummary(),
    };
    const { runId, controller, startedAt } = run;
    const signal = controller.signal;
    this.active = run;
    this.deps.setRunning(true);
    void this.deps.history?.begin({ runId, question, startedAt });
    post({ type: 'runStarted', runId, question, startedAt });
    status.start('starting');
    const events = new EventThrottle((event) => post({ type: 'event', runId, event }));
    let outcome: RunOutcome;
    try {
      const folder = preferredFolder ?? this.deps.scope?.folder() ?? WorkspaceMaps.pickFolder();
      if (!folder) throw new Error('Open a folder or workspace to ask about it.');
      this.lastFolder = folder;
      const settings = readSettings(folder);
      const models = await createModels(settings, this.deps.keys);
      if (signal.aborted) throw new Error('cancelled');
      // The endpoint is asked what windows it serves the models with while the folder is read (each model keeps the
      // answer): on a first open of a large tree the run then starts without a round of probes after the listing.
      void loadCore().resolveRunWindows(models.root, models.sub, { root: settings.contextWindow, sub: settings.subContextWindow }, signal).catch(() => undefined);
      // Only questions span every folder of a multi-root workspace; a review is of one git repository.
      const folders = acrossFolders && !preferredFolder ? this.deps.scope?.wholeWorkspace?.() : undefined;
      status.update({ phase: `reading ${folders ? 'the workspace' : folder.name}` });
      // A question over a whole folder starts as soon as the folder is listed (a first open of a large tree measures
      // its files meanwhile); a review or a scoped question takes the complete map.
      const provisional = kind === 'question' && !this.deps.scope?.spec(folder);
      const map = folders ? await this.deps.maps.combined(folders, signal) : await this.deps.maps.get(folder, signal, { provisional });
      if (signal.aborted) throw new Error('cancelled');
      status.update({ phase: 'thinking' });
      const result = await work({
        runId, folder, ...(folders ? { folders } : {}), settings, models, map, signal,
        onEvent: (event) => {
          if (run.cancelled) return;
          logEvent(log, event);
          this.track(event);
          run.trajectory.onEvent(event);
          events.push(event);
        },
      });
      events.flush();
      if (run.cancelled) throw new Error('cancelled');
      const { answer, citations, usage, forced, durationMs } = result;
      const scope = result.scope ? { scope: result.scope } : {};
      outcome = { status: 'answered', runId, folder: folder.name, answer, citations, usage, forced, durationMs, ...scope };
      post({ type: 'answer', runId, answer, citations, usage, forced, durationMs, ...scope });
      this.deps.answered?.(kind);
      const valid = citations.filter((c) => c.valid).length;
      log.info(`[${runId}] answered in ${(durationMs / 1000).toFixed(1)} s: ${usage.iterations} turns, ${usage.subCalls} sub-calls, ` +
        `${usage.totalTokens} tokens${usage.cost !== undefined ? `, $${usage.cost.toFixed(4)}` : ''}; citations ${valid} verified, ${citations.length - valid} not`);
    } catch (err) {
      events.dispose();
      if (run.cancelled || signal.aborted) {
        outcome = { status: 'cancelled', runId };
        if (!run.cancelled) post({ type: 'runCancelled', runId });
      } else {
        const message = (err as Error)?.message ?? String(err);
        outcome = { status: 'failed', runId, message };
        log.error(`[${runId}] failed: ${message}`);
        post({ type: 'runFailed', runId, message });
      }
    }
    if (this.active === run) {
      this.active = undefined;
      this.deps.setRunning(false);
      status.idle();
    }
    // A cancelled run's outcome was recorded by cancel(); a late settle must not overwrite a newer run's.
    if (!run.cancelled) {
      this.lastOutcome = outcome;
      this.remember(run, outcome);
    }
    return outcome;
  }

  /**
   * The folder's sub-call cache, kept across the chat's questions (memory) and on disk per workspace (the same
   * folder the CLI uses); none when recurse.cacheSubCalls is off.
   */
  private subCallCache(folder: vscode.WorkspaceFolder, settings: RecurseSettings): SubCallCache | undefined {
    if (!settings.cacheSubCalls) return undefined;
    const key = `${folder.uri.toString()}#${settings.cacheAnyTemperature}`;
    let cache = this.caches.get(key);
    if (!cache) {
      const core = loadCore();
      cache = new core.SubCallCache({ dir: core.defaultSubCallCacheDir(folder.uri.fsPath), cacheNonZeroTemperature: settings.cacheAnyTemperature });
      this.caches.set(key, cache);
    }
    return cache;
  }

  /** With no model configured, the chat says so (its "Configure model…" notice) and nothing runs. */
  private async unconfigured(question: string, preferredFolder?: vscode.WorkspaceFolder): Promise<RunOutcome | undefined> {
    if (!this.deps.readiness) return undefined;
    const folder = preferredFolder ?? this.deps.scope?.folder() ?? WorkspaceMaps.pickFolder();
    const readiness = await this.deps.readiness(readSettings(folder));
    if (readiness.configured) return undefined;
    this.deps.log.info(`not asking "${question.slice(0, 80)}": no model is configured (${readiness.reason})`);
    this.deps.post({ type: 'needsModel', question, reason: readiness.reason });
    return { status: 'unconfigured', message: readiness.reason };
  }

  /**
   * Stops the running question. The UI is released at once — the engine's model requests and sandbox are
   * aborted through the signal, and anything the run still reports is ignored.
   */
  cancel(): boolean {
    const run = this.active;
    if (!run) return false;
    run.cancelled = true;
    run.controller.abort();
    this.active = undefined;
    this.deps.setRunning(false);
    this.deps.status.idle('cancelled');
    this.deps.log.info(`[${run.runId}] cancelled`);
    this.lastOutcome = { status: 'cancelled', runId: run.runId };
    this.remember(run, this.lastOutcome);
    this.deps.post({ type: 'runCancelled', runId: run.runId });
    return true;
  }

  newChat(): void {
    this.cancel();
    this.conversation.reset();
    this.lastOutcome = undefined;
    this.deps.reviews?.clear();
    void this.deps.history?.clear();
    this.deps.post({ type: 'cleared' });
  }

  private remember(run: ActiveRun, outcome: RunOutcome): void {
    const history = this.deps.history;
    if (!history || outcome.status === 'busy' || outcome.status === 'unconfigured') return;
    const base = { runId: run.runId, question: run.question, startedAt: run.startedAt, turns: run.trajectory.summary() };
    if (outcome.status === 'answered') {
      const { answer, citations, usage, forced, durationMs, scope } = outcome;
      void history.add({ ...base, status: 'answered', durationMs, answer, citations, usage, forced, ...(scope ? { scope } : {}) });
    } else {
      void history.add({
        ...base, status: outcome.status, durationMs: Date.now() - run.startedAt, ...(outcome.status === 'failed' ? { error: outcome.message } : {}),
      });
    }
  }

  private track(event: RlmEvent): void {
    const { status } = this.deps;
    if (event.type === 'turn' && event.depth === 0) status.update({ phase: `turn ${event.turn}/${event.maxTurns}` });
    else if (event.type === 'usage') status.update({ tokens: event.totalTokens, ...(event.cost !== undefined ? { cost: event.cost } : {}) });
  }
}

function toUsageView(usage: {
  totalTokens: number; iterations: number; subCalls: number; cost?: number; cachedSubCalls?: number; savedTokens?: number; savedCost?: number;
}): UsageView {
  return {
    totalTokens: usage.totalTokens,
    iterations: usage.iterations,
    subCalls: usage.subCalls,
    ...(usage.cost !== undefined ? { cost: usage.cost } : {}),
    ...(usage.cachedSubCalls ? { cachedSubCalls: usage.cachedSubCalls, savedTokens: usage.savedTokens ?? 0 } : {}),
    ...(usage.savedCost ? { savedCost: usage.savedCost } : {}),
  };
}

/**
 * A citation of a whole-workspace answer, `api/src/x.ts:3`, opens folder `api`'s `src/x.ts`: it carries the folder's
 * own name (its combined-map label when several folders share the name, see WorkspaceMaps.folderNamed) and its path.
 */
function combinedCitationView(c: Citation, map: FileMap): CitationView {
  const where = c.valid && c.resolvedPath ? map.locate(c.resolvedPath) : undefined;
  const folders = map.folders ?? [];
  const name = folders.find((f) => f.label === where?.folder)?.renamedFrom ?? where?.folder;
  const unique = folders.filter((f) => (f.renamedFrom ?? f.label) === name).length === 1;
  const view = toCitationView(c, (unique ? name : where?.folder) ?? '');
  if (!where) {
    delete view.folder;
    return view;
  }
  return { ...view, path: where.path };
}

function toCitationView(c: Citation, folder: string): CitationView {
  return {
    offset: c.offset,
    length: c.length,
    raw: c.raw,
    path: c.resolvedPath ?? c.path,
    folder,
    startLine: c.startLine,
    endLine: c.endLine,
    valid: c.valid,
    ...(c.reason ? { reason: c.reason } : {}),
  };
}
