import { CodeIndex } from '../index/codeIndex';
import type { RlmEvent } from '../rlm/events';
import { runRlm } from '../rlm/rlm';
import { FileMap, type FileMapOptions } from '../workspace/fileMap';
import { resolveWorkflowScope } from '../workflows/workflowRun';
import { cellDiff } from './cellDiff';
import { RecordedAnswers, RecordedReplies } from './recordedModels';
import type { RecordedCell, RecordedRun } from './recordedRun';

export interface ReplayOptions {
  recorded: RecordedRun;
  /** The workspace to run the cells against (a user's `--workspace`, else the recorded one); absent: the recorded in-memory files. */
  workspace?: string;
  fileMap?: FileMapOptions;
  signal?: AbortSignal;
  /** Each cell as soon as it is compared. */
  onCell?: (cell: ReplayedCell) => void;
}

export interface CellRun {
  output: string;
  error?: string;
}

export interface ReplayedCell {
  turn: number;
  cell: number;
  code: string;
  identical: boolean;
  /** What the trajectory recorded (absent: the replay ran a cell the recorded run never reached). */
  recorded?: CellRun;
  /** What it printed now (absent: the replay ended before reaching it). */
  replayed?: CellRun;
  /** A short diff of the two outputs (or errors) when they differ. */
  diff?: string[];
}

export interface ReplayResult {
  cells: ReplayedCell[];
  /** The replayed run's answer, if it finished. */
  answer?: string;
  /** The recorded answer, for comparison. */
  recordedAnswer?: string;
  diverged: boolean;
  /** Why the replayed run stopped early (it asked for a reply or a sub-call answer the trajectory does not have). */
  stopped?: string;
  /** Things the user should know about how faithful the replay can be (e.g. a follow-up's lost REPL variables). */
  notes: string[];
}

/**
 * Runs a recorded root run again with no model: the recorded replies stand in for the root model and the recorded
 * answers for its sub-calls, while every cell runs for real — the same QuickJS sandbox and helpers, against the
 * workspace as it is now — and each cell's output is compared with the recorded one.
 */
export async function replayRun(options: ReplayOptions): Promise<ReplayResult> {
  const { recorded } = options;
  const notes: string[] = [];
  if (recorded.followUp > 0) notes.push(`this question followed ${recorded.followUp} earlier one(s) in a conversation: variables their cells left in the REPL are not there in a replay`);
  const fullMap = options.workspace !== undefined
    ? await FileMap.load(options.workspace, { ...options.fileMap, signal: options.signal })
    : FileMap.fromTexts(recorded.texts ?? {}, recorded.name);
  const code = recorded.code ? new CodeIndex(fullMap) : undefined;
  code?.start();
  try {
    const map = recorded.scope ? (await resolveWorkflowScope(fullMap, recorded.scope, code)).map : fullMap;
    const comparison = new CellComparison(recorded.cells, options.onCell);
    let answer: string | undefined;
    let stopped: string | undefined;
    let rootRun: string | undefined;
    const onEvent = (e: RlmEvent): void => {
      if (e.type === 'run-start' && e.depth === 0) rootRun ??= e.runId;
      if (e.runId !== rootRun || e.depth !== 0) return;
      if (e.type === 'cell-start') comparison.started(e.turn, e.cell, e.code);
      if (e.type === 'cell-output') comparison.ran(e.turn, e.cell, { output: e.output, ...(e.error ? { error: e.error } : {}) });
    };
    try {
      const result = await runRlm({
        question: recorded.question,
        map,
        code,
        rootModel: new RecordedReplies(recorded.rootModel, recorded.replies),
        limits: recorded.limits,
        extraHelpers: new RecordedAnswers(recorded.subCalls).helpers(),
        onEvent,
        signal: options.signal,
      });
      answer = result.answer;
    } catch (err) {
      options.signal?.throwIfAborted();
      stopped = (err as Error).message;
    }
    const cells = comparison.finish();
    const diverged = cells.some((c) => !c.identical) || stopped !== undefined;
    return {
      cells, diverged, notes,
      ...(answer !== undefined ? { answer } : {}),
      ...(recorded.answer !== undefined ? { recordedAnswer: recorded.answer } : {}),
      ...(stopped !== undefined ? { stopped } : {}),
    };
  } finally {
    code?.dispose();
  }
}

/** Matches replayed cells with recorded ones by turn and cell number, in the order they ran. */
class CellComparison {
  private readonly pending = new Map<string, RecordedCell>();
  private readonly code = new Map<string, string>();
  private readonly out: ReplayedCell[] = [];

  constructor(recorded: readonly RecordedCell[], private readonly onCell?: (cell: ReplayedCell) => void) {
    for (const c of recorded) this.pending.set(key(c.turn, c.cell), c);
  }

  started(turn: number, cell: number, code: string): void {
    this.code.set(key(turn, cell), code);
  }

  ran(turn: number, cell: number, replayed: CellRun): void {
    const k = key(turn, cell);
    const recorded = this.pending.get(k);
    this.pending.delete(k);
    const code = recorded?.code ?? this.code.get(k) ?? '';
    if (!recorded) {
      this.push({ turn, cell, code, identical: false, replayed });
      return;
    }
    const was: CellRun = { output: recorded.output, ...(recorded.error ? { error: recorded.error } : {}) };
    const identical = was.output === replayed.output && was.error === replayed.error;
    const diff = identical ? undefined : cellDiff(render(was), render(replayed));
    this.push({ turn, cell, code, identical, recorded: was, replayed, ...(diff ? { diff } : {}) });
  }

  /** Every cell compared, then the recorded ones the replay never reached. */
  finish(): ReplayedCell[] {
    for (const c of this.pending.values()) {
      this.push({ turn: c.turn, cell: c.cell, code: c.code, identical: false, recorded: { output: c.output, ...(c.error ? { error: c.error } : {}) } });
    }
    this.pending.clear();
    return this.out;
  }

  private push(cell: ReplayedCell): void {
    this.out.push(cell);
    this.onCell?.(cell);
  }
}

function key(turn: number, cell: number): string {
  return `${turn}:${cell}`;
}

function render(run: CellRun): string {
  return run.error ? `${run.output}${run.output ? '\n' : ''}${run.error}` : run.output;
}
