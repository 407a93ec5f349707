import { CodeIndex } from '../index/codeIndex';
import type { RlmEvent } from '../rlm/events';
import { runRlm } from '../rlm/rlm';
import { FileMap, type FileMapOptions } from '../workspace/fileMap';
import { resolveWorkflowScope } from '../workflows/workflowRun';
import { cellDiff } from './cellDiff';
import { RecordedAnswers, RecordedReplies, RecordedSubModel } from './recordedModels';
import type { RecordedCell, RecordedChild, RecordedRun } from './recordedRun';

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
  /** 0 for the root run's cells, 1 for those of a child run of rlm_query, and so on. */
  depth: number;
  /** For a child run's cell: its question. */
  question?: string;
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
 * Runs a recorded run again with no model: the recorded replies stand in for the root model and, for the sub-model,
 * the recorded llm_query answers and the child runs' replies, while every cell — the root's and each rlm_query
 * child's — runs for real, the same QuickJS sandbox and helpers against the workspace as it is now, and each cell's
 * output is compared with the recorded one.
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
    const comparison = new CellComparison(recorded, options.onCell);
    let answer: string | undefined;
    let stopped: string | undefined;
    const onEvent = (e: RlmEvent): void => {
      if (e.type === 'run-start') comparison.runStarted(e.runId, e.depth, e.question);
      if (e.type === 'cell-start') comparison.started(e.runId, e.turn, e.cell, e.code);
      if (e.type === 'cell-output') comparison.ran(e.runId, e.turn, e.cell, { output: e.output, ...(e.error ? { error: e.error } : {}) });
    };
    try {
      const result = await runRlm({
        question: recorded.question,
        map,
        code,
        rootModel: new RecordedReplies(recorded.rootModel, recorded.replies),
        subModel: new RecordedSubModel(recorded.subModel, recorded.children, new RecordedAnswers(recorded.subCalls)),
        limits: recorded.limits,
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

/**
 * Matches replayed cells with recorded ones: the root run with the recorded root, each child run with the first
 * recorded child (at its depth) that asked the same question and is not matched yet; then by turn and cell number.
 */
class CellComparison {
  private readonly pending = new Map<string, RecordedCell>();
  private readonly code = new Map<string, string>();
  /** Replayed run id → recorded run id (and its depth and question). */
  private readonly runs = new Map<string, { runId: string; depth: number; question?: string }>();
  private readonly unclaimed: RecordedChild[];
  private readonly out: ReplayedCell[] = [];

  constructor(private readonly recorded: RecordedRun, private readonly onCell?: (cell: ReplayedCell) => void) {
    for (const c of recorded.cells) this.pending.set(key(c.runId, c.turn, c.cell), c);
    this.unclaimed = [...recorded.children];
  }

  runStarted(runId: string, depth: number, question: string): void {
    if (depth === 0) {
      this.runs.set(runId, { runId: this.recorded.rootRunId, depth });
      return;
    }
    const at = this.unclaimed.findIndex((c) => c.depth === depth && c.question === question);
    const child = at === -1 ? undefined : this.unclaimed.splice(at, 1)[0];
    this.runs.set(runId, { runId: child?.runId ?? `unrecorded:${runId}`, depth, question });
  }

  started(runId: string, turn: number, cell: number, code: string): void {
    this.code.set(key(runId, turn, cell), code);
  }

  ran(replayedRun: string, turn: number, cell: number, replayed: CellRun): void {
    const run = this.runs.get(replayedRun) ?? { runId: `unrecorded:${replayedRun}`, depth: 0 };
    const where = { depth: run.depth, ...(run.question !== undefined ? { question: run.question } : {}), turn, cell };
    const k = key(run.runId, turn, cell);
    const recorded = this.pending.get(k);
    this.pending.delete(k);
    const code = recorded?.code ?? this.code.get(key(replayedRun, turn, cell)) ?? '';
    if (!recorded) {
      this.push({ ...where, code, identical: false, replayed });
      return;
    }
    const was: CellRun = { output: recorded.output, ...(recorded.error ? { error: recorded.error } : {}) };
    const identical = was.output === replayed.output && was.error === replayed.error;
    const diff = identical ? undefined : cellDiff(render(was), render(replayed));
    this.push({ ...where, code, identical, recorded: was, replayed, ...(diff ? { diff } : {}) });
  }

  /** Every cell compared, then the recorded ones the replay never reached. */
  finish(): ReplayedCell[] {
    const children = new Map(this.recorded.children.map((c) => [c.runId, c]));
    for (const c of this.pending.values()) {
      const child = children.get(c.runId);
      this.push({
        depth: child?.depth ?? 0, ...(child ? { question: child.question } : {}), turn: c.turn, cell: c.cell, code: c.code, identical: false,
        recorded: { output: c.output, ...(c.error ? { error: c.error } : {}) },
      });
    }
    this.pending.clear();
    return this.out;
  }

  private push(cell: ReplayedCell): void {
    this.out.push(cell);
    this.onCell?.(cell);
  }
}

function key(runId: string, turn: number, cell: number): string {
  return `${runId}:${turn}:${cell}`;
}

function render(run: CellRun): string {
  return run.error ? `${run.output}${run.output ? '\n' : ''}${run.error}` : run.output;
}
