/**
 * The chat's history per workspace, owned by the extension: finished runs live in `context.workspaceState`, so they
 * survive a window reload (the webview's own getState is saved too late in some hosts to rely on). A run in flight
 * is marked there as well; when the extension host starts again and finds the mark, that run is recorded as
 * interrupted instead of being lost or shown as running forever.
 */
import type { RlmEvent } from '../../core/rlm/events';
import type { HistoryCell, HistoryRun, HistoryTurn } from './protocol';

/** What vscode.Memento offers that the history uses (workspaceState in the extension, a Map in a test). */
export interface HistoryStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export const HISTORY_KEY = 'recurse.chatHistory';
export const IN_FLIGHT_KEY = 'recurse.chatHistory.inFlight';
export const MAX_HISTORY_RUNS = 30;
/** The stored history's JSON is kept under this; old trajectories go first, then old runs. */
export const MAX_HISTORY_BYTES = 2_000_000;
const MAX_CELL_TEXT = 4_000;
const MAX_TURN_TEXT = 4_000;
const MAX_TURNS = 40;
const MAX_ANSWER = 200_000;
const MAX_QUESTION = 20_000;
export const INTERRUPTED_MESSAGE = 'Interrupted: the window was reloaded before this question was answered.';

export interface InFlightRun {
  runId: string;
  question: string;
  startedAt: number;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters in the log)`;
}

/** Collects a compact summary of the root RLM's trajectory from the event stream: turns, model text, cells. */
export class TrajectorySummary {
  private root: string | undefined;
  private readonly turns: HistoryTurn[] = [];

  onEvent(event: RlmEvent): void {
    if (event.depth !== 0) return;
    if (event.type === 'run-start') this.root ??= event.runId;
    if (this.root !== undefined && event.runId !== this.root) return;
    switch (event.type) {
      case 'turn':
        this.turn(event.turn);
        return;
      case 'model-text':
        this.turn(event.turn).text = clip(event.text, MAX_TURN_TEXT);
        return;
      case 'cell-start': {
        const turn = this.turn(event.turn);
        if (!turn.cells.some((c) => c.cell === event.cell)) turn.cells.push({ cell: event.cell, code: clip(event.code, MAX_CELL_TEXT) });
        return;
      }
      case 'cell-output': {
        const turn = this.turn(event.turn);
        let cell = turn.cells.find((c) => c.cell === event.cell);
        if (!cell) turn.cells.push((cell = { cell: event.cell, code: '' }));
        cell.output = clip(event.output, MAX_CELL_TEXT);
        if (event.error !== undefined) cell.error = clip(event.error, MAX_CELL_TEXT);
        return;
      }
      default:
        return;
    }
  }

  summary(): HistoryTurn[] {
    // The first and last turns tell the most (the plan and the finish); the middle goes when there are too many.
    if (this.turns.length <= MAX_TURNS) return this.turns;
    return [...this.turns.slice(0, MAX_TURNS / 2), ...this.turns.slice(-MAX_TURNS / 2)];
  }

  private turn(n: number): HistoryTurn {
    let t = this.turns.find((x) => x.turn === n);
    if (!t) this.turns.push((t = { turn: n, text: '', cells: [] as HistoryCell[] }));
    return t;
  }
}

/** Bounds one run: long question and answer clipped (citations past the clip dropped). */
function compact(run: HistoryRun): HistoryRun {
  const out: HistoryRun = { ...run, question: clip(run.question, MAX_QUESTION) };
  if (out.answer !== undefined && out.answer.length > MAX_ANSWER) {
    out.answer = clip(out.answer, MAX_ANSWER);
    out.citations = out.citations?.filter((c) => c.offset + c.length <= MAX_ANSWER);
  }
  return out;
}

/** Keeps the newest runs within the run and size caps: trajectories of the oldest runs are dropped first, then runs. */
export function capHistory(runs: HistoryRun[], maxRuns = MAX_HISTORY_RUNS, maxBytes = MAX_HISTORY_BYTES): HistoryRun[] {
  const kept = runs.slice(-maxRuns);
  let size = JSON.stringify(kept).length;
  for (let i = 0; i < kept.length && size > maxBytes; i++) {
    if (!kept[i].turns) continue;
    const { turns: _dropped, ...rest } = kept[i];
    kept[i] = rest;
    size = JSON.stringify(kept).length;
  }
  while (kept.length > 0 && size > maxBytes) {
    kept.shift();
    size = JSON.stringify(kept).length;
  }
  return kept;
}

function isHistoryRun(v: unknown): v is HistoryRun {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<HistoryRun>;
  return typeof r.runId === 'string' && typeof r.question === 'string' && typeof r.startedAt === 'number'
    && typeof r.durationMs === 'number' && (r.status === 'answered' || r.status === 'failed' || r.status === 'cancelled');
}

export class ChatHistory {
  private list: HistoryRun[];
  /** Writes go out one after another, so a clear is never overtaken by an earlier add. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly store: HistoryStore, now = Date.now()) {
    const stored = store.get<unknown>(HISTORY_KEY);
    this.list = Array.isArray(stored) ? stored.filter(isHistoryRun) : [];
    // Nothing runs yet in this extension host, so a run still marked in flight was cut off by a reload or crash.
    const inFlight = store.get<InFlightRun>(IN_FLIGHT_KEY);
    if (inFlight && typeof inFlight.runId === 'string' && typeof inFlight.question === 'string' && typeof inFlight.startedAt === 'number') {
      this.list = capHistory([...this.list.filter((r) => r.runId !== inFlight.runId), {
        runId: inFlight.runId,
        question: inFlight.question,
        startedAt: inFlight.startedAt,
        durationMs: Math.max(0, now - inFlight.startedAt),
        status: 'failed',
        error: INTERRUPTED_MESSAGE,
      }]);
      this.write(HISTORY_KEY, this.list);
      this.write(IN_FLIGHT_KEY, undefined);
    }
  }

  /** The stored runs, oldest first. */
  get runs(): readonly HistoryRun[] {
    return this.list;
  }

  /** Marks a run as in flight, so a reload before it ends does not lose it. */
  begin(run: InFlightRun): Promise<void> {
    return this.write(IN_FLIGHT_KEY, { ...run, question: clip(run.question, MAX_QUESTION) });
  }

  /** Stores a finished run (replacing one with the same id) and clears the in-flight mark. */
  add(run: HistoryRun): Promise<void> {
    this.list = capHistory([...this.list.filter((r) => r.runId !== run.runId), compact(run)]);
    this.write(IN_FLIGHT_KEY, undefined);
    return this.write(HISTORY_KEY, this.list);
  }

  clear(): Promise<void> {
    this.list = [];
    this.write(IN_FLIGHT_KEY, undefined);
    return this.write(HISTORY_KEY, undefined);
  }

  /** Resolves once every write so far has reached the store. */
  flushed(): Promise<void> {
    return this.writing;
  }

  private write(key: string, value: unknown): Promise<void> {
    this.writing = this.writing.then(() => this.store.update(key, value)).then(undefined, () => undefined);
    return this.writing;
  }
}
