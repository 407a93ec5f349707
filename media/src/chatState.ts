/**
 * The chat's state, derived from host messages by a pure reducer. It is plain JSON so it can be stored with
 * `vscode.setState` and restored when the view is shown again; the DOM is always re-rendered from it.
 */
import type { CitationView, HistoryRun, HostMessage, ScopeChoice, ScopeView, UsageView } from '../../src/extension/chat/protocol';
import type { RlmEvent } from '../../src/core/rlm/events';

export const STATE_VERSION = 1;
const NEEDS_MODEL = 'Nothing was asked: no model is configured.';
/** Older runs are dropped from the stored state so it stays small. */
const MAX_RUNS = 30;
/** Streamed text and outputs are capped per item; the full trajectory is in the extension's log. */
const MAX_TEXT = 40_000;

export interface SubcallNode {
  /** The RLM that made the call, and the call's id within it. */
  parentRunId: string;
  id: number;
  depth: number;
  kind: 'llm' | 'rlm';
  prompt: string;
  ok?: boolean;
  result?: string;
  durationMs?: number;
  /** For rlm_query: the child RLM's run id once it started. */
  childRunId?: string;
  /** Set when the run ended (cancelled, or failed) before this call did: it will never finish. */
  interrupted?: Interruption;
  /** Answered from the sub-call cache, at no cost. */
  cached?: boolean;
}

/** How an unfinished cell or sub-call ended with its run: the user cancelled it, or the run failed around it. */
export type Interruption = 'cancelled' | 'stopped';

export interface CellNode {
  cell: number;
  code: string;
  output?: string;
  error?: string;
  durationMs?: number;
  /** Sub-calls started while this cell ran, by key (see subcallKey). */
  subcalls: string[];
  /** Set when the run ended before this cell did. */
  interrupted?: Interruption;
}

export interface TurnNode {
  turn: number;
  maxTurns: number;
  /** The model's reply, streamed from deltas and replaced by the final text (without its thinking). */
  text: string;
  /** A reasoning model's thinking (reasoning deltas, <think> blocks): shown folded, never what ran. */
  thinking: string;
  streaming: boolean;
  retries: string[];
  cells: CellNode[];
  /** Sub-calls started outside any cell of this turn. */
  subcalls: string[];
  notices: string[];
}

export interface RlmNode {
  runId: string;
  depth: number;
  question: string;
  turns: TurnNode[];
  notices: string[];
  finished?: boolean;
  error?: string;
}

export interface AnswerView {
  /** The scope the question was answered in (whole workspace, a folder, a package or a directory). */
  scope?: ScopeView;
  markdown: string;
  citations: CitationView[];
  usage: UsageView;
  forced: boolean;
  durationMs: number;
}

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface RunView {
  runId: string;
  question: string;
  startedAt: number;
  endedAt?: number;
  status: RunStatus;
  cancelRequested?: boolean;
  /** The depth-0 RLM. */
  rootRlm?: string;
  rlms: Record<string, RlmNode>;
  subcalls: Record<string, SubcallNode>;
  tokens: number;
  cost?: number;
  subcallCount: number;
  /** Sub-calls answered from the cache so far. */
  cachedSubcalls?: number;
  answer?: AnswerView;
  error?: string;
}

export interface HostInfo {
  model: string;
  provider: string;
  workspaceName: string;
  /** False: no model is configured, the chat shows its "Configure model…" notice (with the reason). */
  configured: boolean;
  setupReason?: string;
}

export interface ChatState {
  version: number;
  host?: HostInfo;
  runs: RunView[];
  draft: string;
  /** The scope picker: the host's choices and the current one's id (absent until the host sends them). */
  scopes?: { current: string; choices: ScopeChoice[] };
  /** A transient line shown under the header: busy, status or errors not tied to a run. */
  status?: { kind: 'info' | 'warning'; message: string };
}

export function initialState(): ChatState {
  return { version: STATE_VERSION, runs: [], draft: '' };
}

/** Accepts a stored state only when it has the current shape; anything else starts fresh. */
export function restoreState(stored: unknown): ChatState {
  if (typeof stored !== 'object' || stored === null) return initialState();
  const s = stored as Partial<ChatState>;
  if (s.version !== STATE_VERSION || !Array.isArray(s.runs)) return initialState();
  return { ...initialState(), ...s, runs: s.runs, draft: typeof s.draft === 'string' ? s.draft : '' };
}

export function subcallKey(parentRunId: string, id: number): string {
  return `${parentRunId}#${id}`;
}

export function activeRun(state: ChatState): RunView | undefined {
  const last = state.runs[state.runs.length - 1];
  return last && last.status === 'running' ? last : undefined;
}

function cap(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (${text.length - MAX_TEXT} more characters in the log)`;
}

/** Same flattening as the core's `preview`, so a child's question can be matched to the sub-call that started it. */
function preview(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function newRun(runId: string, question: string, startedAt: number): RunView {
  return { runId, question, startedAt, status: 'running', rlms: {}, subcalls: {}, tokens: 0, subcallCount: 0 };
}

function findRun(state: ChatState, runId: string): RunView | undefined {
  for (let i = state.runs.length - 1; i >= 0; i--) if (state.runs[i].runId === runId) return state.runs[i];
  return undefined;
}

function pushRun(state: ChatState, run: RunView): void {
  state.runs.push(run);
  if (state.runs.length > MAX_RUNS) state.runs.splice(0, state.runs.length - MAX_RUNS);
}

function rlmOf(run: RunView, event: { runId: string; depth: number }): RlmNode {
  let rlm = run.rlms[event.runId];
  if (!rlm) {
    rlm = { runId: event.runId, depth: event.depth, question: '', turns: [], notices: [] };
    run.rlms[event.runId] = rlm;
    if (event.depth === 0 && !run.rootRlm) run.rootRlm = event.runId;
  }
  return rlm;
}

function turnOf(rlm: RlmNode, turn: number): TurnNode {
  let node = rlm.turns.find((t) => t.turn === turn);
  if (!node) {
    node = { turn, maxTurns: 0, text: '', thinking: '', streaming: false, retries: [], cells: [], subcalls: [], notices: [] };
    rlm.turns.push(node);
  }
  return node;
}

/** Where a sub-call made by `rlm` belongs: the cell still running in its latest turn, else that turn. */
function attachSubcall(rlm: RlmNode, key: string): void {
  const turn = rlm.turns[rlm.turns.length - 1];
  if (!turn) {
    rlm.notices.push(`sub-call ${key}`);
    return;
  }
  const cell = [...turn.cells].reverse().find((c) => c.output === undefined && c.error === undefined);
  (cell ? cell.subcalls : turn.subcalls).push(key);
}

/** A child RLM reports run-start after its rlm_query sub-call started: bind it to the open call with its question. */
function bindChild(run: RunView, child: RlmNode): void {
  const open = Object.values(run.subcalls).filter((s) => s.kind === 'rlm' && s.depth === child.depth && !s.childRunId && s.ok === undefined);
  const q = preview(child.question);
  const match = open.find((s) => s.prompt === q) ?? open[0];
  if (match) match.childRunId = child.runId;
}

export function applyEvent(run: RunView, event: RlmEvent): void {
  switch (event.type) {
    case 'run-start': {
      const rlm = rlmOf(run, event);
      rlm.question = event.question;
      if (event.depth > 0) bindChild(run, rlm);
      return;
    }
    case 'turn': {
      const turn = turnOf(rlmOf(run, event), event.turn);
      turn.maxTurns = event.maxTurns;
      return;
    }
    case 'model-delta': {
      const turn = turnOf(rlmOf(run, event), event.turn);
      if (event.thinking) {
        turn.thinking = cap(turn.thinking + event.text);
        return;
      }
      turn.text = cap(turn.text + event.text);
      turn.streaming = true;
      return;
    }
    case 'model-retry': {
      // The deltas streamed so far belong to the failed attempt.
      const turn = turnOf(rlmOf(run, event), event.turn);
      turn.text = '';
      turn.thinking = '';
      turn.streaming = false;
      turn.retries.push(`Retry ${event.attempt} in ${Math.round(event.delayMs / 100) / 10} s: ${event.message}`);
      return;
    }
    case 'model-text': {
      const turn = turnOf(rlmOf(run, event), event.turn);
      turn.text = cap(event.text);
      turn.thinking = cap(event.thinking ?? '');
      turn.streaming = false;
      return;
    }
    case 'cell-start': {
      const turn = turnOf(rlmOf(run, event), event.turn);
      if (!turn.cells.some((c) => c.cell === event.cell)) turn.cells.push({ cell: event.cell, code: cap(event.code), subcalls: [] });
      return;
    }
    case 'cell-output': {
      const turn = turnOf(rlmOf(run, event), event.turn);
      let cell = turn.cells.find((c) => c.cell === event.cell);
      if (!cell) {
        cell = { cell: event.cell, code: '', subcalls: [] };
        turn.cells.push(cell);
      }
      cell.output = cap(event.output);
      if (event.error !== undefined) cell.error = cap(event.error);
      cell.durationMs = event.durationMs;
      return;
    }
    case 'subcall-start': {
      const key = subcallKey(event.runId, event.id);
      if (run.subcalls[key]) return;
      run.subcalls[key] = { parentRunId: event.runId, id: event.id, depth: event.depth, kind: event.kind, prompt: event.prompt };
      run.subcallCount++;
      attachSubcall(rlmOf(run, { runId: event.runId, depth: event.depth - 1 }), key);
      return;
    }
    case 'subcall-end': {
      const key = subcallKey(event.runId, event.id);
      const node = run.subcalls[key];
      if (!node) return;
      node.ok = event.ok;
      node.result = event.result;
      node.durationMs = event.durationMs;
      if (event.cached) {
        node.cached = true;
        run.cachedSubcalls = (run.cachedSubcalls ?? 0) + 1;
      }
      return;
    }
    case 'usage':
      // totalTokens and cost are running totals for the whole question (children share the budget and ledger).
      run.tokens = Math.max(run.tokens, event.totalTokens);
      if (event.cost !== undefined) run.cost = Math.max(run.cost ?? 0, event.cost);
      return;
    case 'notice': {
      const rlm = rlmOf(run, event);
      const turn = rlm.turns[rlm.turns.length - 1];
      (turn ? turn.notices : rlm.notices).push(event.message);
      return;
    }
    case 'finish': {
      const rlm = rlmOf(run, event);
      rlm.finished = true;
      for (const t of rlm.turns) t.streaming = false;
      return;
    }
    case 'error': {
      const rlm = rlmOf(run, event);
      rlm.error = event.message;
      for (const t of rlm.turns) t.streaming = false;
      return;
    }
  }
}

/** A run from the extension's stored history, as a finished run (its trajectory summary as the root RLM's turns). */
export function runFromHistory(h: HistoryRun): RunView {
  const run = newRun(h.runId, h.question, h.startedAt);
  run.status = h.status === 'answered' ? 'done' : h.status;
  run.endedAt = h.startedAt + h.durationMs;
  if (h.turns?.length) {
    const rootId = `${h.runId}/root`;
    run.rootRlm = rootId;
    run.rlms[rootId] = {
      runId: rootId,
      depth: 0,
      question: h.question,
      finished: h.status === 'answered',
      notices: [],
      turns: h.turns.map((t) => ({
        turn: t.turn, maxTurns: 0, text: t.text, thinking: '', streaming: false, retries: [], subcalls: [], notices: [],
        cells: t.cells.map((c) => ({
          cell: c.cell, code: c.code, subcalls: [], ...(c.output !== undefined ? { output: c.output } : {}), ...(c.error !== undefined ? { error: c.error } : {}),
        })),
      })),
    };
  }
  if (h.usage) {
    run.tokens = h.usage.totalTokens;
    if (h.usage.cost !== undefined) run.cost = h.usage.cost;
    run.subcallCount = h.usage.subCalls;
  }
  if (h.answer !== undefined) {
    run.answer = {
      markdown: h.answer, citations: h.citations ?? [], usage: h.usage ?? { totalTokens: 0, iterations: 0, subCalls: 0 }, forced: !!h.forced,
      durationMs: h.durationMs, ...(h.scope ? { scope: h.scope } : {}),
    };
  }
  if (h.error !== undefined) run.error = h.error;
  if (run.status === 'cancelled' || run.status === 'failed') interruptUnfinished(run, run.status === 'cancelled' ? 'cancelled' : 'stopped');
  return run;
}

function endRun(run: RunView, status: RunStatus, at: number): void {
  run.status = status;
  run.endedAt = at;
  for (const rlm of Object.values(run.rlms)) for (const t of rlm.turns) t.streaming = false;
  if (status === 'cancelled' || status === 'failed') interruptUnfinished(run, status === 'cancelled' ? 'cancelled' : 'stopped');
}

/** A run that ended early leaves nothing "running…": its unfinished cells and sub-calls say how they ended. */
function interruptUnfinished(run: RunView, how: Interruption): void {
  for (const rlm of Object.values(run.rlms)) {
    for (const turn of rlm.turns) {
      for (const cell of turn.cells) if (cell.output === undefined && cell.error === undefined) cell.interrupted ??= how;
    }
  }
  for (const call of Object.values(run.subcalls)) if (call.ok === undefined) call.interrupted ??= how;
}

/** Applies one host message to the state (mutating it); returns false for messages it did not understand. */
export function applyHostMessage(state: ChatState, message: HostMessage, now = Date.now()): boolean {
  switch (message.type) {
    case 'init':
      state.host = {
        model: message.model, provider: message.provider, workspaceName: message.workspaceName, configured: message.configured !== false,
        ...(message.setupReason ? { setupReason: message.setupReason } : {}),
      };
      if (message.configured !== false && state.status?.message.startsWith(NEEDS_MODEL)) state.status = undefined;
      return true;
    case 'needsModel':
      state.host = { ...(state.host ?? { model: '', provider: '', workspaceName: '' }), configured: false, setupReason: message.reason };
      state.status = { kind: 'warning', message: `${NEEDS_MODEL} Configure one, then ask again: your question is kept.` };
      return true;
    case 'prefill':
      state.draft = message.question;
      return true;
    case 'runStarted': {
      // Runs that were still marked running (e.g. a view restored after the host restarted) cannot finish now.
      for (const r of state.runs) if (r.status === 'running' && r.runId !== message.runId) endRun(r, 'cancelled', now);
      if (!findRun(state, message.runId)) pushRun(state, newRun(message.runId, message.question, message.startedAt));
      state.status = undefined;
      return true;
    }
    case 'event': {
      let run = findRun(state, message.runId);
      if (!run) {
        // Events for a run this view never saw start (it was hidden and re-created meanwhile).
        run = newRun(message.runId, message.event.type === 'run-start' ? message.event.question : '', now);
        pushRun(state, run);
      }
      applyEvent(run, message.event);
      return true;
    }
    case 'answer': {
      const run = findRun(state, message.runId);
      if (!run) return false;
      run.answer = {
        markdown: message.answer,
        citations: message.citations,
        usage: message.usage,
        forced: message.forced,
        durationMs: message.durationMs,
        ...(message.scope ? { scope: message.scope } : {}),
      };
      run.tokens = Math.max(run.tokens, message.usage.totalTokens);
      if (message.usage.cost !== undefined) run.cost = message.usage.cost;
      run.subcallCount = Math.max(run.subcallCount, message.usage.subCalls);
      endRun(run, 'done', run.startedAt + message.durationMs);
      return true;
    }
    case 'runFailed': {
      const run = findRun(state, message.runId);
      if (!run) {
        state.status = { kind: 'warning', message: message.message };
        return true;
      }
      run.error = message.message;
      endRun(run, 'failed', now);
      return true;
    }
    case 'runCancelled': {
      const run = findRun(state, message.runId);
      if (!run) return false;
      endRun(run, 'cancelled', now);
      return true;
    }
    case 'busy':
      state.status = { kind: 'warning', message: message.message };
      return true;
    case 'status':
      state.status = { kind: 'info', message: message.message };
      return true;
    case 'scopes':
      state.scopes = { current: message.current, choices: message.choices };
      return true;
    case 'cleared':
      state.runs = [];
      state.status = undefined;
      return true;
    case 'history': {
      // The extension's history wins over what this view restored itself: its runs replace ours, except the run
      // still going in the extension, which keeps what this view has streamed of it. Anything else marked running
      // belonged to an extension host that is gone.
      const active = message.active;
      const live = active && findRun(state, active.runId);
      state.runs = message.runs.filter((r) => r.runId !== active?.runId).map(runFromHistory);
      if (active) state.runs.push(live && live.status === 'running' ? live : newRun(active.runId, active.question, active.startedAt));
      if (state.runs.length > MAX_RUNS) state.runs.splice(0, state.runs.length - MAX_RUNS);
      return true;
    }
    default:
      return false;
  }
}
