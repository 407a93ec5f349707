import { isJsonObject, type JsonObject } from '../jsonObject';
import MarkdownIt from 'markdown-it';
import { BASE_STYLE, escapeHtml, htmlPage } from '../html/htmlPage';
import { parseResponse } from './codeBlocks';

/**
 * A saved run (a trajectory, any format version) as one self-contained HTML page, like the chat's live view: the
 * question and answer, then the tree of runs, turns, cells with their outputs, and sub-calls (an rlm_query's child
 * run nested under it), each with its tokens and cost. Static HTML, no script: it opens offline in any browser.
 */

interface SubCallNode {
  runId: string;
  id: number;
  kind: string;
  depth: number;
  prompt: string;
  ok?: boolean;
  result?: string;
  ms?: number;
  cached?: boolean;
  child?: RunNode;
}

interface CellNode {
  cell: number;
  code: string;
  output?: string;
  error?: string;
  ms?: number;
  subCalls: SubCallNode[];
}

interface TurnNode {
  turn: number;
  text?: string;
  thinking?: string;
  cells: CellNode[];
  notices: string[];
  tokens: number;
  cost: number;
}

interface RunNode {
  runId: string;
  depth: number;
  question: string;
  files?: number;
  turns: TurnNode[];
  /** Sub-calls made outside any cell (none today, kept so nothing recorded is dropped). */
  loose: SubCallNode[];
  answer?: string;
  reason?: string;
  forced?: boolean;
  error?: string;
  tokens: number;
  cost: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Builds the run tree from the events in order. */
class RunTree {
  readonly runs = new Map<string, RunNode>();
  root: RunNode | undefined;
  private readonly cells = new Map<string, CellNode>();
  private readonly calls = new Map<string, SubCallNode>();
  private readonly full = new Map<string, JsonObject>();
  private lastCost = 0;

  constructor(subCalls: unknown) {
    if (Array.isArray(subCalls)) for (const c of subCalls.filter(isJsonObject)) this.full.set(`${c.runId}#${c.id}`, c);
  }

  add(e: JsonObject): void {
    const runId = str(e.runId);
    switch (e.type) {
      case 'run-start':
        return this.start(e, runId);
      case 'turn':
        return void this.turnOf(runId, num(e.turn));
      case 'model-text': {
        const turn = this.turnOf(runId, num(e.turn));
        if (turn) Object.assign(turn, { text: str(e.text), ...(e.thinking ? { thinking: str(e.thinking) } : {}) });
        return;
      }
      case 'cell-start': {
        const cell: CellNode = { cell: num(e.cell), code: str(e.code), subCalls: [] };
        this.turnOf(runId, num(e.turn))?.cells.push(cell);
        this.cells.set(runId, cell);
        return;
      }
      case 'cell-output': {
        const cell = this.cells.get(runId);
        if (cell) Object.assign(cell, { output: str(e.output), ms: num(e.durationMs), ...(e.error ? { error: str(e.error) } : {}) });
        return;
      }
      case 'subcall-start': {
        const full = this.full.get(`${runId}#${e.id}`);
        const call: SubCallNode = { runId, id: num(e.id), kind: str(e.kind), depth: num(e.depth), prompt: full ? str(full.prompt) : str(e.prompt) };
        this.calls.set(`${runId}#${e.id}`, call);
        const cell = this.cells.get(runId);
        if (cell) cell.subCalls.push(call);
        else this.runs.get(runId)?.loose.push(call);
        return;
      }
      case 'subcall-end': {
        const call = this.calls.get(`${runId}#${e.id}`);
        const full = this.full.get(`${runId}#${e.id}`);
        if (call) Object.assign(call, { ok: e.ok !== false, result: full ? str(full.result) : str(e.result), ms: num(e.durationMs), ...(e.cached ? { cached: true } : {}) });
        return;
      }
      case 'usage':
        return this.usage(e, runId);
      case 'notice':
        return void this.currentTurn(runId)?.notices.push(str(e.message));
      case 'finish': {
        const run = this.runs.get(runId);
        if (run) Object.assign(run, { answer: str(e.answer), reason: str(e.reason), forced: Boolean(e.forced) });
        return;
      }
      case 'error': {
        const run = this.runs.get(runId);
        if (run) run.error = str(e.message);
      }
    }
  }

  private start(e: JsonObject, runId: string): void {
    const run: RunNode = { runId, depth: num(e.depth), question: str(e.question), turns: [], loose: [], tokens: 0, cost: 0, ...(typeof e.files === 'number' ? { files: e.files } : {}) };
    this.runs.set(runId, run);
    if (run.depth === 0 && !this.root) {
      this.root = run;
      return;
    }
    // A child run belongs to the unclaimed rlm_query one level up that asked its question.
    const parent = [...this.calls.values()].find((c) => c.kind === 'rlm' && !c.child && c.depth === run.depth && sameQuestion(c.prompt, run.question));
    if (parent) parent.child = run;
  }

  private usage(e: JsonObject, runId: string): void {
    const tokens = isJsonObject(e.usage) ? num(e.usage.totalTokens) : 0;
    const total = num(e.cost);
    const cost = total > this.lastCost ? total - this.lastCost : 0;
    if (total > this.lastCost) this.lastCost = total;
    const run = this.runs.get(runId);
    if (run) {
      run.tokens += tokens;
      run.cost += cost;
    }
    const turn = this.currentTurn(runId);
    if (turn) {
      turn.tokens += tokens;
      turn.cost += cost;
    }
  }

  private turnOf(runId: string, n: number): TurnNode | undefined {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    let turn = run.turns.find((t) => t.turn === n);
    if (!turn) {
      turn = { turn: n, cells: [], notices: [], tokens: 0, cost: 0 };
      run.turns.push(turn);
      this.cells.delete(runId);
    }
    return turn;
  }

  private currentTurn(runId: string): TurnNode | undefined {
    const turns = this.runs.get(runId)?.turns;
    return turns?.[turns.length - 1];
  }
}

function sameQuestion(prompt: string, question: string): boolean {
  if (prompt === question) return true;
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
  const p = flat(prompt).replace(/…$/, '');
  return flat(question).startsWith(p);
}

const STYLE = `${BASE_STYLE}
.run { margin-top: 8px; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 16px; }
.answer { border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px; margin: 8px 0; }
.label { font-weight: 600; }
.cost { color: var(--muted); font-size: 12px; }
`;

export function trajectoryPage(raw: unknown): string {
  if (!isJsonObject(raw) || !Array.isArray(raw.events)) throw new Error('not a trajectory: no events');
  const tree = new RunTree(raw.subCalls);
  for (const e of raw.events.filter(isJsonObject)) tree.add(e);
  const md = new MarkdownIt({ html: false, linkify: false, breaks: false });
  const view = new RunView(md);
  const root = tree.root;
  const question = str(raw.question) || root?.question || '(no question recorded)';
  const models = isJsonObject(raw.models) ? `${str(raw.models.root)}${raw.models.sub && raw.models.sub !== raw.models.root ? ` · sub-model ${str(raw.models.sub)}` : ''}` : '';
  const result = isJsonObject(raw.result) ? raw.result : undefined;
  const citations = result && Array.isArray(result.citations) ? result.citations.filter(isJsonObject) : [];
  const totals = [...tree.runs.values()].reduce((t, r) => ({ tokens: t.tokens + r.tokens, cost: t.cost + r.cost }), { tokens: 0, cost: 0 });
  const subCalls = [...tree.runs.values()].reduce((n, r) => n + r.turns.reduce((m, t) => m + t.cells.reduce((k, c) => k + c.subCalls.length, 0), 0), 0);
  const body = `
<h1>${escapeHtml(question)}</h1>
<div class="meta muted">
  ${raw.workspace ? `<span>workspace ${escapeHtml(str(raw.workspace))}</span>` : ''}
  ${models ? `<span>${escapeHtml(models)}</span>` : ''}
  ${raw.startedAt ? `<span>${escapeHtml(str(raw.startedAt))}</span>` : ''}
  <span>${root?.turns.length ?? 0} turns · ${subCalls} sub-calls · ${totals.tokens} tokens${totals.cost > 0 ? ` · $${totals.cost.toFixed(4)}` : ''}</span>
</div>
${root?.answer !== undefined ? `<h2>Answer${root.forced ? ' <span class="bad">(forced: a budget ran out)</span>' : ''}</h2><div class="answer">${md.render(root.answer)}</div>` : ''}
${raw.error ? `<p class="bad">The run failed: ${escapeHtml(str(raw.error))}</p>` : ''}
${citations.length ? `<h2>Citations</h2><ul>${citations.map((c) => `<li class="${c.valid ? 'good' : 'bad'}">${escapeHtml(`${str(c.path)}:${num(c.startLine)}${c.endLine !== c.startLine ? `-${num(c.endLine)}` : ''}`)} ${c.valid ? 'verified' : `not verified${c.reason ? `: ${escapeHtml(str(c.reason))}` : ''}`}</li>`).join('')}</ul>` : ''}
<h2>Trajectory</h2>
${root ? view.run(root) : '<p class="muted">No root run was recorded.</p>'}`;
  return htmlPage({ title: `Recurse run — ${question.slice(0, 80)}`, style: STYLE, body });
}

/** The HTML of runs, turns, cells and sub-calls. */
class RunView {
  constructor(private readonly md: MarkdownIt) {}

  run(run: RunNode): string {
    const head = `${run.depth === 0 ? 'Root run' : `Child run (depth ${run.depth})`}${run.files !== undefined ? ` over ${run.files} files` : ''}` +
      ` · ${run.turns.length} turns · ${run.tokens} tokens${run.cost > 0 ? ` · $${run.cost.toFixed(4)}` : ''}`;
    return `<div class="run" data-run="${escapeHtml(run.runId)}"><div class="muted">${escapeHtml(head)}</div>
${run.depth > 0 ? `<div><span class="label">Question</span><pre><code>${escapeHtml(run.question)}</code></pre></div>` : ''}
${run.turns.map((t) => this.turn(t)).join('\n')}
${run.loose.map((c) => this.subCall(c)).join('\n')}
${run.depth > 0 && run.answer !== undefined ? `<div><span class="label">Answer</span><div class="answer">${this.md.render(run.answer)}</div></div>` : ''}
${run.error ? `<p class="bad">error: ${escapeHtml(run.error)}</p>` : ''}</div>`;
  }

  private turn(t: TurnNode): string {
    return `<details open class="turn"><summary>Turn ${t.turn} <span class="cost">${t.tokens} tokens${t.cost > 0 ? ` · $${t.cost.toFixed(4)}` : ''}</span></summary>
${t.thinking ? `<details class="thinking"><summary class="muted">thinking (not run)</summary><pre>${escapeHtml(t.thinking)}</pre></details>` : ''}
${t.text !== undefined ? this.prose(t.text) : ''}
${t.cells.map((c) => this.cell(c)).join('\n')}
${t.notices.map((n) => `<p class="muted">notice: ${escapeHtml(n)}</p>`).join('\n')}</details>`;
  }

  /** What the model wrote besides its code: the code itself is shown as the turn's cells. */
  private prose(text: string): string {
    const { blocks, prose } = parseResponse(text);
    const shown = blocks.length ? prose.trim() : text;
    return shown ? `<div class="model">${this.md.render(shown)}</div>` : '';
  }

  private cell(c: CellNode): string {
    return `<details open class="cell"><summary>Cell ${c.cell}${c.ms !== undefined ? ` <span class="cost">${c.ms} ms</span>` : ''}${c.error ? ' <span class="bad">error</span>' : ''}</summary>
<pre><code>${escapeHtml(c.code)}</code></pre>
${c.subCalls.map((s) => this.subCall(s)).join('\n')}
${c.output !== undefined ? `<div class="label">Output</div><pre class="output">${escapeHtml(c.output) || '<span class="muted">(nothing printed)</span>'}</pre>` : ''}
${c.error ? `<pre class="bad">${escapeHtml(c.error)}</pre>` : ''}</details>`;
  }

  private subCall(s: SubCallNode): string {
    const state = s.ok === undefined ? 'unfinished' : s.ok ? (s.cached ? 'from the cache' : 'answered') : 'failed';
    return `<details class="subcall"><summary>${s.kind}_query #${s.id} <span class="cost">${state}${s.ms !== undefined ? ` in ${s.ms} ms` : ''}</span></summary>
<div class="label">Prompt</div><pre>${escapeHtml(s.prompt)}</pre>
${s.child ? this.run(s.child) : ''}
${s.result !== undefined ? `<div class="label">${s.ok ? 'Answer' : 'Error'}</div><pre class="${s.ok ? '' : 'bad'}">${escapeHtml(s.result)}</pre>` : ''}</details>`;
  }
}
