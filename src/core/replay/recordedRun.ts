import type { BudgetLimits } from '../rlm/budget';
import { type RecordedSubCall, TRAJECTORY_VERSION } from '../rlm/trajectory';

/** A cell of the recorded root run: what it ran and what it printed. */
export interface RecordedCell {
  turn: number;
  cell: number;
  code: string;
  output: string;
  error?: string;
}

/**
 * What a replay needs from a saved trajectory (`ask --trajectory`, the chat's export, eval): the question, the
 * workspace and how the run was set up, the root model's replies in order, the root run's cells, and the whole
 * sub-call answers. Read defensively: a trajectory is a file a user hands over, maybe hand-edited or truncated.
 */
export interface RecordedRun {
  version: number;
  question: string;
  workspace?: string;
  /** An in-memory workspace's files (an eval item's context), kept whole in the trajectory. */
  texts?: Record<string, string>;
  /** Its name. */
  name?: string;
  scope?: string;
  code: boolean;
  /** Earlier questions of a conversation: the REPL then held their variables, which a replay does not have. */
  followUp: number;
  rootModel: string;
  limits?: Partial<BudgetLimits>;
  /** The root model's replies, turn by turn (thinking left out, as the run itself left it out of the history). */
  replies: string[];
  cells: RecordedCell[];
  /** The root run's sub-calls (its cells' llm_query and rlm_query), whole. */
  subCalls: RecordedSubCall[];
  /** The recorded answer, when the run finished. */
  answer?: string;
}

export class TrajectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrajectoryError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a saved trajectory's text; a TrajectoryError says why it cannot be replayed. */
export function readRecordedRun(text: string): RecordedRun {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TrajectoryError(`not a trajectory: the file is not JSON (${(err as Error).message})`);
  }
  if (!isObject(raw) || !Array.isArray(raw.events)) throw new TrajectoryError('not a trajectory: no events');
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new TrajectoryError('not a trajectory: no version number');
  if (version > TRAJECTORY_VERSION) {
    throw new TrajectoryError(`this trajectory is format version ${version}, written by a newer Recurse; this one reads versions 1 to ${TRAJECTORY_VERSION}`);
  }
  const events = raw.events.filter(isObject);
  const start = events.find((e) => e.type === 'run-start' && e.depth === 0);
  if (!start || typeof start.runId !== 'string') throw new TrajectoryError('the trajectory has no root run (no run-start event at depth 0)');
  const root = start.runId;
  const mine = events.filter((e) => e.runId === root && e.depth === 0);
  const replies = mine.filter((e) => e.type === 'model-text').map((e) => String(e.text ?? ''));
  const cells = recordedCells(mine);
  const subCalls = recordedSubCalls(raw, root, version, events);
  const finish = mine.find((e) => e.type === 'finish');
  const limits = isObject(raw.limits) ? (raw.limits as Partial<BudgetLimits>) : undefined;
  const models = isObject(raw.models) ? raw.models : {};
  return {
    version,
    question: typeof raw.question === 'string' ? raw.question : String(start.question ?? ''),
    ...(typeof raw.workspace === 'string' ? { workspace: raw.workspace } : {}),
    ...(typeof raw.scope === 'string' ? { scope: raw.scope } : {}),
    ...(isObject(raw.texts) ? { texts: Object.fromEntries(Object.entries(raw.texts).map(([k, v]) => [k, String(v)])) } : {}),
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    // Version 1 did not say; its system prompt did (the code helpers are described there only when present).
    code: typeof raw.code === 'boolean' ? raw.code : systemPromptMentions(raw, root, 'findSymbol('),
    followUp: typeof raw.followUp === 'number' ? raw.followUp : 0,
    rootModel: typeof models.root === 'string' ? models.root : 'recorded',
    ...(limits ? { limits } : {}),
    replies,
    cells,
    subCalls,
    ...(finish && typeof finish.answer === 'string' ? { answer: finish.answer } : {}),
  };
}

function recordedCells(events: Json[]): RecordedCell[] {
  const code = new Map<string, string>();
  const cells: RecordedCell[] = [];
  for (const e of events) {
    const key = `${e.turn}:${e.cell}`;
    if (e.type === 'cell-start') code.set(key, String(e.code ?? ''));
    if (e.type === 'cell-output' && typeof e.turn === 'number' && typeof e.cell === 'number') {
      cells.push({
        turn: e.turn, cell: e.cell, code: code.get(key) ?? '', output: String(e.output ?? ''),
        ...(typeof e.error === 'string' ? { error: e.error } : {}),
      });
    }
  }
  return cells;
}

function recordedSubCalls(raw: Json, root: string, version: number, events: Json[]): RecordedSubCall[] {
  if (Array.isArray(raw.subCalls)) {
    return raw.subCalls.filter(isObject).filter((c) => c.runId === root).map((c) => ({
      runId: root, id: Number(c.id), kind: c.kind === 'rlm' ? 'rlm' : 'llm', prompt: String(c.prompt ?? ''), ok: c.ok !== false, result: String(c.result ?? ''),
    }));
  }
  const made = events.some((e) => e.type === 'subcall-start' && e.runId === root);
  if (made) {
    throw new TrajectoryError(`this trajectory (format version ${version}) keeps only previews of its sub-calls' answers; record it again with this version to replay it`);
  }
  return [];
}

function systemPromptMentions(raw: Json, root: string, text: string): boolean {
  const conversations = isObject(raw.conversations) ? raw.conversations : {};
  const mine = conversations[root];
  const messages = isObject(mine) && Array.isArray(mine.messages) ? mine.messages : [];
  const system = messages.find((m) => isObject(m) && m.role === 'system');
  return isObject(system) && typeof system.content === 'string' && system.content.includes(text);
}
