import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Citation } from '../core/citations/citations';
import type { RlmEvent } from '../core/rlm/events';
import type { ApiKeyStore } from './apiKeyStore';
import { type ChatHistory, TrajectorySummary } from './chatHistory';
import { EventThrottle } from './eventThrottle';
import { loadCore } from './loadCore';
import { createModels } from './models';
import type { CitationView, HostMessage, UsageView } from './protocol';
import { readSettings } from './settings';
import type { RunStatusBar } from './statusBar';
import { logEvent } from './trajectoryLog';
import { WorkspaceMaps } from './workspaceMaps';

export type RunOutcome =
  | { status: 'answered'; runId: string; folder: string; answer: string; citations: CitationView[]; usage: UsageView; forced: boolean; durationMs: number }
  | { status: 'failed'; runId: string; message: string }
  | { status: 'cancelled'; runId: string }
  | { status: 'busy'; message: string };

export interface ChatSessionDeps {
  maps: WorkspaceMaps;
  keys: ApiKeyStore;
  log: vscode.LogOutputChannel;
  status: RunStatusBar;
  post(message: HostMessage): void;
  setRunning(running: boolean): void;
  /** Where finished runs are kept per workspace (absent: nothing is kept). */
  history?: ChatHistory;
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
  lastOutcome: RunOutcome | undefined;
  /** The folder of the last question: citations without a folder name refer to it. */
  lastFolder: vscode.WorkspaceFolder | undefined;

  constructor(private readonly deps: ChatSessionDeps) {}

  get running(): boolean {
    return this.active !== undefined;
  }

  /** The run going on now, as the history message describes it. */
  get activeRun(): { runId: string; question: string; startedAt: number } | undefined {
    const run = this.active;
    return run && { runId: run.runId, question: run.question, startedAt: run.startedAt };
  }

  async ask(question: string): Promise<RunOutcome> {
    const { post, log, status } = this.deps;
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
      const folder = WorkspaceMaps.pickFolder();
      if (!folder) throw new Error('Open a folder or workspace to ask about it.');
      this.lastFolder = folder;
      const settings = readSettings(folder);
      const models = await createModels(settings, this.deps.keys);
      if (signal.aborted) throw new Error('cancelled');
      status.update({ phase: `reading ${folder.name}` });
      const map = await this.deps.maps.get(folder, signal);
      if (signal.aborted) throw new Error('cancelled');
      log.info(`[${runId}] asking ${models.label} about ${folder.name} (${map.size} files): ${question}`);
      status.update({ phase: 'thinking' });
      const result = await loadCore().ask({
        workspace: folder.uri.fsPath,
        question,
        rootModel: models.root,
        subModel: models.sub,
        map,
        code: this.deps.maps.codeIndex(folder, map),
        limits: { maxIterations: settings.maxIterations, maxDepth: settings.maxDepth, maxSubCalls: settings.maxSubCalls },
        concurrency: settings.concurrency,
        prices: settings.prices,
        signal,
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
      const usage: UsageView = {
        totalTokens: result.usage.totalTokens,
        iterations: result.usage.iterations,
        subCalls: result.usage.subCalls,
        ...(result.usage.cost !== undefined ? { cost: result.usage.cost } : {}),
      };
      const citations = result.citations.map((c) => toCitationView(c, folder.name));
      outcome = { status: 'answered', runId, folder: folder.name, answer: result.answer, citations, usage, forced: result.forced, durationMs: result.durationMs };
      post({ type: 'answer', runId, answer: result.answer, citations, usage, forced: result.forced, durationMs: result.durationMs });
      const valid = citations.filter((c) => c.valid).length;
      log.info(`[${runId}] answered in ${(result.durationMs / 1000).toFixed(1)} s: ${usage.iterations} turns, ${usage.subCalls} sub-calls, ` +
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
    this.lastOutcome = undefined;
    void this.deps.history?.clear();
    this.deps.post({ type: 'cleared' });
  }

  private remember(run: ActiveRun, outcome: RunOutcome): void {
    const history = this.deps.history;
    if (!history || outcome.status === 'busy') return;
    const base = { runId: run.runId, question: run.question, startedAt: run.startedAt, turns: run.trajectory.summary() };
    if (outcome.status === 'answered') {
      const { answer, citations, usage, forced, durationMs } = outcome;
      void history.add({ ...base, status: 'answered', durationMs, answer, citations, usage, forced });
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
