import { isJsonObject, type JsonObject } from '../jsonObject';
import type { BudgetLimits } from '../rlm/budget';
import { type RecordedSubCall, TRAJECTORY_VERSION } from '../rlm/trajectory';

/** A cell of a recorded run: what it ran and what it printed. */
export interface RecordedCell {
  /** The recorded run it belongs to. */
  runId: string;
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
  subModel: string;
  limits?: Partial<BudgetLimits>;
  rootRunId: string;
  /** The root model's replies, turn by turn (thinking left out, as the run itself left it out of the history). */
  replies: string[];
  /** The child runs of rlm_query, in the order they started, with their own replies. */
  children: RecordedChild[];
  /** Every run's cells, the root's and the children's. */
  cells: RecordedCell[];
  /** Every run's sub-calls (its cells' llm_query and rlm_query), whole. */
  subCalls: RecordedSubCall[];
  /** The recorded answer, when the run finished. */
  answer?: string;
}

export interface RecordedChild {
  runId: string;
  depth: number;
  question: string;
  replies: string[];
}

export class TrajectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrajectoryError';
  }
}



/** Parses a saved trajectory's text; a TrajectoryError says why it cannot be replayed. */
export function readRecordedRun(text: string): RecordedRun {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TrajectoryError(`not a trajectory: the file is not JSON (${(err as Error).message})`);
  }
  if (!isJsonObject(raw) || !Array.isArray(raw.events)) throw new TrajectoryError('not a trajectory: no events');
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new TrajectoryError('not a trajectory: no version number');
  if (version > TRAJECTORY_VERSION) {
    throw new TrajectoryError(`this trajectory is format version ${version}, written by a newer Recurse; this one reads versions 1 to ${TRAJECTORY_VERSION}`);
  }
  const events = raw.events.filter(isJsonObject);
  const start = events.find((e) => e.type === 'run-start' && e.depth === 0);
  if (!start || typeof start.runId !== 'string') throw new TrajectoryError('the trajectory has no root run (no run-start event at depth 0)');
  const root = start.runId;
  const mine = events.filter((e) => e.runId === root && e.depth === 0);
  const replies = repliesOf(mine);
  const children: RecordedChild[] = events
    .filter((e) => e.type === 'run-start' && typeof e.runId === 'string' && e.runId !== root && typeof e.depth === 'number' && e.depth > 0)
    .map((e) => ({ runId: e.runId as string, depth: e.depth as number, question: String(e.question ?? ''), replies: repliesOf(events.filter((x) => x.runId === e.runId && x.depth === e.depth)) }));
  const runs = new Set([root, ...children.map((c) => c.runId)]);
  const cells = recordedCells(events.filter((e) => typeof e.runId === 'string' && runs.has(e.runId)));
  const subCalls = recordedSubCalls(raw, version, events);
  const finish = mine.find((e) => e.type === 'finish');
  const limits = isJsonObject(raw.limits) ? (raw.limits as Partial<BudgetLimits>) : undefined;
  const models = isJsonObject(raw.models) ? raw.models : {};
  return {
    version,
    question: typeof raw.question === 'string' ? raw.question : String(start.question ?? ''),
    ...(typeof raw.workspace === 'string' ? { workspace: raw.workspace } : {}),
    ...(typeof raw.scope === 'string' ? { scope: raw.scope } : {}),
    ...(isJsonObject(raw.texts) ? { texts: Object.fromEntries(Object.entries(raw.texts).map(([k, v]) => [k, String(v)])) } : {}),
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    // Version 1 did not say; its system prompt did (the code helpers are described there only when present).
    code: typeof raw.code === 'boolean' ? raw.code : systemPromptMentions(raw, root, 'findSymbol('),
    followUp: typeof raw.followUp === 'number' ? raw.followUp : 0,
    rootModel: typeof models.root === 'string' ? models.root : 'recorded',
    subModel: typeof models.sub === 'string' ? models.sub : typeof models.root === 'string' ? models.root : 'recorded',
    ...(limits ? { limits } : {}),
    rootRunId: root,
    replies,
    children,
    cells,
    subCalls,
    ...(finish && typeof finish.answer === 'string' ? { answer: finish.answer } : {}),
  };
}

function repliesOf(events: JsonObject[]): string[] {
  return events.filter((e) => e.type === 'model-text').map((e) => String(e.text ?? ''));
}

function recordedCells(events: JsonObject[]): RecordedCell[] {
  const code = new Map<string, string>();
  const cells: RecordedCell[] = [];
  for (const e of events) {
    const key = `${e.runId}:${e.turn}:${e.cell}`;
    if (e.type === 'cell-start') code.set(key, String(e.code ?? ''));
    if (e.type === 'cell-output' && typeof e.turn === 'number' && typeof e.cell === 'number') {
      cells.push({
        runId: String(e.runId), turn: e.turn, cell: e.cell, code: code.get(key) ?? '', output: String(e.output ?? ''),
        ...(typeof e.error === 'string' ? { error: e.error } : {}),
      });
    }
  }
  return cells;
}

function recordedSubCalls(raw: JsonObject, version: number, events: JsonObject[]): RecordedSubCall[] {
  if (Array.isArray(raw.subCalls)) {
    return raw.subCalls.filter(isJsonObject).map((c) => ({
      runId: String(c.runId), id: Number(c.id), kind: c.kind === 'rlm' ? 'rlm' : 'llm', prompt: String(c.prompt ?? ''), ok: c.ok !== false, result: String(c.result ?? ''),
    }));
  }
  const made = events.some((e) => e.type === 'subcall-start');
  if (made) {
    throw new TrajectoryError(`this trajectory (format version ${version}) keeps only previews of its sub-calls' answers; record it again with this version to replay it`);
  }
  return [];
}

function systemPromptMentions(raw: JsonObject, root: string, text: string): boolean {
  const conversations = isJsonObject(raw.conversations) ? raw.conversations : {};
  const mine = conversations[root];
  const messages = isJsonObject(mine) && Array.isArray(mine.messages) ? mine.messages : [];
  const system = messages.find((m) => isJsonObject(m) && m.role === 'system');
  return isJsonObject(system) && typeof system.content === 'string' && system.content.includes(text);
}
