/**
 * The chat's DOM, rendered from ChatState. Lists are reconciled by key so that streaming only touches what
 * changed and whatever the user opened or collapsed stays that way. Model output only ever reaches the page
 * as text (textContent) — except the final answer, which goes through renderAnswer's sanitizer.
 */
import type { WebviewMessage } from '../../src/extension/chat/protocol';
import { renderAnswer, citationTarget } from './answerMarkdown';
import {
  activeRun, subcallKey, type CellNode, type Interruption, type ChatState, type RlmNode, type RunView, type SubcallNode, type TurnNode,
} from './chatState';
import { formatCost, formatDuration, formatTokens, plural } from './format';

type Post = (message: WebviewMessage) => void;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function toggle(e: HTMLElement, visible: boolean): void {
  if (e.hidden === visible) e.hidden = !visible;
}

function part<T extends Element>(root: Element, selector: string): T {
  const found = root.querySelector<T>(`:scope > ${selector}`);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}

/** Keeps `parent`'s children in the order of `items`, one element per key, creating and removing as needed. */
function sync<T>(parent: Element, items: readonly T[], key: (item: T, index: number) => string, create: (item: T) => HTMLElement,
  update: (e: HTMLElement, item: T) => void): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(parent.children)) if (child instanceof HTMLElement && child.dataset.key) existing.set(child.dataset.key, child);
  let previous: Element | null = null;
  for (const [index, item] of items.entries()) {
    const k = key(item, index);
    let e = existing.get(k);
    if (e) existing.delete(k);
    else {
      e = create(item);
      e.dataset.key = k;
    }
    update(e, item);
    const expected: Element | null = previous ? previous.nextElementSibling : parent.firstElementChild;
    if (expected !== e) parent.insertBefore(e, expected);
    previous = e;
  }
  for (const stale of existing.values()) stale.remove();
}

function statusLabel(run: RunView): string {
  switch (run.status) {
    case 'running': return run.cancelRequested ? 'Cancelling…' : 'Running…';
    case 'done': return run.answer?.forced ? 'Answered (budget reached)' : 'Answered';
    case 'failed': return 'Failed';
    case 'cancelled': return 'Cancelled';
  }
}

/** Tokens (and cost, when every run has one) of all the chat's questions. */
function chatTotal(runs: readonly RunView[]): string {
  const tokens = runs.reduce((n, r) => n + r.tokens, 0);
  const priced = runs.every((r) => r.cost !== undefined);
  return `${formatTokens(tokens)}${priced ? ` · ${formatCost(runs.reduce((n, r) => n + (r.cost ?? 0), 0))}` : ''}`;
}

function interruptionLabel(how: Interruption): string {
  return how === 'cancelled' ? 'cancelled' : 'stopped (the run failed)';
}

function elapsed(run: RunView, now: number): number {
  return (run.endedAt ?? now) - run.startedAt;
}

export class ChatView {
  private readonly header: HTMLElement;
  private readonly hostInfo: HTMLElement;
  private readonly counters: Record<'tokens' | 'cost' | 'elapsed' | 'subcalls' | 'total', HTMLElement>;
  private readonly cancelButton: HTMLButtonElement;
  private readonly statusLine: HTMLElement;
  private readonly setupNotice: HTMLElement;
  private readonly setupReason: HTMLElement;
  private readonly transcript: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly runs: HTMLElement;
  private readonly announcer: HTMLElement;
  readonly input: HTMLTextAreaElement;
  readonly askButton: HTMLButtonElement;
  private readonly scopeBar: HTMLElement;
  private readonly scopeSelect: HTMLSelectElement;
  private state: ChatState | undefined;
  /** A warning from this view itself (not the host), shown until the next render without it. */
  private localStatus: string | undefined;
  /** The last question sent, until the host starts a run with it (a busy host hands it back). */
  private pendingQuestion: string | undefined;

  constructor(root: HTMLElement, private readonly post: Post, private readonly onDraft: (draft: string) => void,
    private readonly onCancel: () => void) {
    root.className = 'chat';
    root.replaceChildren();

    this.header = el('header', 'chat-header');
    this.hostInfo = el('div', 'host-info');
    const counters = el('div', 'counters');
    counters.setAttribute('role', 'group');
    counters.setAttribute('aria-label', 'Run counters');
    const counter = (name: string, label: string) => {
      const c = el('span', 'counter');
      c.dataset.counter = name;
      c.title = label;
      c.setAttribute('aria-label', label);
      const value = el('span', 'counter-value', '—');
      c.append(el('span', 'counter-label', label), value);
      counters.append(c);
      return value;
    };
    this.counters = {
      tokens: counter('tokens', 'Tokens'),
      cost: counter('cost', 'Cost'),
      elapsed: counter('elapsed', 'Elapsed'),
      subcalls: counter('subcalls', 'Sub-calls'),
      // The whole chat: every question's tokens (and cost, when priced) added up.
      total: counter('total', 'Chat total'),
    };
    this.cancelButton = el('button', 'cancel', 'Cancel');
    this.cancelButton.type = 'button';
    this.cancelButton.title = 'Stop the running question';
    this.cancelButton.hidden = true;
    this.cancelButton.addEventListener('click', () => this.onCancel());
    this.header.append(this.hostInfo, counters, this.cancelButton);

    this.statusLine = el('div', 'status-line');
    this.statusLine.setAttribute('role', 'status');
    this.statusLine.hidden = true;

    // With no model configured the chat says so here, with the guided setup one click away.
    this.setupNotice = el('section', 'setup-notice');
    this.setupNotice.setAttribute('aria-label', 'No model configured');
    this.setupNotice.hidden = true;
    const configure = el('button', 'configure', 'Configure model…');
    configure.type = 'button';
    configure.title = 'Pick a provider, an endpoint and models, and test them';
    configure.addEventListener('click', () => this.post({ type: 'configureModel' }));
    this.setupReason = el('p', 'setup-reason');
    this.setupNotice.append(
      el('p', 'setup-title', 'No model configured'),
      el('p', 'setup-hint', 'Recurse answers with a language model: OpenAI, Azure OpenAI, Ollama, LM Studio, vLLM or any ' +
        'OpenAI-compatible endpoint, or a chat model already installed in VS Code.'),
      this.setupReason,
      configure,
    );

    this.transcript = el('main', 'transcript');
    this.transcript.setAttribute('aria-label', 'Conversation');
    this.transcript.tabIndex = -1;
    this.empty = el('div', 'empty');
    this.empty.append(
      el('p', 'empty-title', 'Ask a question about this workspace.'),
      el('p', 'empty-hint', 'Recurse explores the code with small programs and sub-calls, then answers with citations you can click.'),
    );
    this.runs = el('div', 'runs');
    this.transcript.append(this.empty, this.runs);
    this.transcript.addEventListener('click', (e) => this.onTranscriptClick(e));
    this.transcript.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target instanceof Element && e.target.closest('a.citation')) {
        e.preventDefault();
        this.openCitation(e.target.closest('a.citation')!);
      }
    });

    const composer = el('footer', 'composer');
    // The scope picker: what the next question is limited to (hidden until the host sends the choices).
    this.scopeBar = el('div', 'scope-bar');
    this.scopeBar.hidden = true;
    const scopeLabel = el('label', 'scope-label', 'Scope');
    this.scopeSelect = el('select', 'scope-select');
    this.scopeSelect.id = 'recurse-scope';
    scopeLabel.htmlFor = this.scopeSelect.id;
    this.scopeSelect.title = 'What the next question is limited to';
    this.scopeSelect.addEventListener('change', () => this.chooseScope());
    this.scopeBar.append(scopeLabel, this.scopeSelect);
    this.input = el('textarea', 'question-input');
    this.input.rows = 3;
    this.input.setAttribute('aria-label', 'Ask about this workspace');
    this.input.placeholder = 'Ask about this workspace (Enter to send, Shift+Enter for a new line)';
    this.input.addEventListener('input', () => this.onDraft(this.input.value));
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        this.ask();
      }
    });
    this.askButton = el('button', 'ask', 'Ask');
    this.askButton.type = 'button';
    this.askButton.title = 'Ask (Enter)';
    this.askButton.addEventListener('click', () => this.ask());
    composer.append(this.scopeBar, this.input, this.askButton);

    // Announces milestones (not every streamed token) to screen readers.
    this.announcer = el('div', 'visually-hidden');
    this.announcer.setAttribute('aria-live', 'polite');

    root.append(this.header, this.statusLine, this.setupNotice, this.transcript, composer, this.announcer);
  }

  /** The host refused the last question (busy, or no model configured): put it back in the box rather than lose it. */
  restoreUnsentQuestion(): void {
    if (this.pendingQuestion && !this.input.value.trim()) {
      this.input.value = this.pendingQuestion;
      this.onDraft(this.pendingQuestion);
    }
    this.pendingQuestion = undefined;
  }

  announce(text: string): void {
    this.announcer.textContent = text;
  }

  private ask(): void {
    const question = this.input.value.trim();
    if (!question) return;
    if (this.state && activeRun(this.state)) {
      this.localStatus = 'A question is already running. Cancel it or wait for its answer.';
      this.render(this.state);
      return;
    }
    this.localStatus = undefined;
    this.post({ type: 'ask', question });
    this.pendingQuestion = question;
    this.input.value = '';
    this.onDraft('');
  }

  /**
   * Asks the host for the chosen scope; the select goes back to the current one until the host confirms it
   * (with a new `scopes`), so it never shows a scope that was refused or is still being picked.
   */
  private chooseScope(): void {
    const choice = this.state?.scopes?.choices.find((c) => c.id === this.scopeSelect.value);
    if (this.state?.scopes) this.scopeSelect.value = this.state.scopes.current;
    if (!choice) return;
    this.post({
      type: 'setScope',
      kind: choice.kind,
      ...(choice.kind !== 'workspace' && choice.folder !== undefined ? { folder: choice.folder } : {}),
      ...(choice.spec !== undefined ? { spec: choice.spec } : {}),
    });
  }

  private renderScopes(scopes: ChatState['scopes']): void {
    toggle(this.scopeBar, !!scopes && scopes.choices.length > 0);
    if (!scopes) return;
    const key = JSON.stringify(scopes.choices);
    if (this.scopeSelect.dataset.choices !== key) {
      this.scopeSelect.dataset.choices = key;
      this.scopeSelect.replaceChildren(...scopes.choices.map((c) => {
        const option = el('option', undefined, c.label);
        option.value = c.id;
        option.dataset.kind = c.kind;
        if (c.detail) option.title = c.detail;
        return option;
      }));
    }
    if (this.scopeSelect.value !== scopes.current) this.scopeSelect.value = scopes.current;
    const current = scopes.choices.find((c) => c.id === scopes.current);
    this.scopeSelect.setAttribute('aria-label', `Scope: ${current?.label ?? ''}`);
  }

  private openCitation(link: Element): void {
    const target = citationTarget(link);
    if (target) this.post({ type: 'openCitation', ...target });
  }

  private onTranscriptClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    const link = target.closest('a');
    if (link) {
      // Nothing in the transcript navigates; citation links ask the extension to open the file.
      e.preventDefault();
      if (link.classList.contains('citation')) this.openCitation(link);
      return;
    }
    const button = target.closest<HTMLButtonElement>('button[data-action]');
    if (!button) return;
    const runId = button.closest<HTMLElement>('.run')?.dataset.key;
    const run = this.state?.runs.find((r) => r.runId === runId);
    if (button.dataset.action === 'copy' && run?.answer) this.copy(run.answer.markdown, button);
    if (button.dataset.action === 'showLog') this.post({ type: 'showLog' });
  }

  /** The extension writes the clipboard (vscode.env.clipboard): navigator.clipboard is often denied in a webview. */
  private copy(text: string, button: HTMLButtonElement): void {
    this.post({ type: 'copy', text });
    button.textContent = 'Copied';
    this.announce('Answer copied');
    setTimeout(() => (button.textContent = 'Copy answer'), 1500);
  }

  /** Counters only change with time while a run is going; this is called every second meanwhile. */
  tick(now = Date.now()): void {
    if (this.state) this.render(this.state, now);
  }

  render(state: ChatState, now = Date.now()): void {
    this.state = state;
    if (this.pendingQuestion && state.runs.some((r) => r.question === this.pendingQuestion)) this.pendingQuestion = undefined;
    const host = state.host;
    setText(this.hostInfo, host ? `${host.model} · ${host.workspaceName || 'no folder open'}` : 'Connecting…');
    this.hostInfo.title = host ? `Model ${host.model} (${host.provider}) on ${host.workspaceName}` : '';
    toggle(this.setupNotice, !!host && !host.configured);
    setText(this.setupReason, host?.setupReason ?? '');

    const running = activeRun(state);
    const last = state.runs[state.runs.length - 1];
    toggle(this.cancelButton, !!running);
    this.cancelButton.disabled = !!running?.cancelRequested;
    this.askButton.disabled = !!running;
    this.askButton.title = running ? 'A question is running' : 'Ask (Enter)';
    setText(this.counters.tokens, last ? formatTokens(last.tokens) : '—');
    setText(this.counters.cost, last ? formatCost(last.cost) : '—');
    setText(this.counters.elapsed, last ? formatDuration(elapsed(last, now)) : '—');
    setText(this.counters.subcalls, last ? String(last.subcallCount) : '—');
    setText(this.counters.total, state.runs.length > 1 ? chatTotal(state.runs) : '—');

    if (!running) this.localStatus = undefined;
    const status = this.localStatus ? { kind: 'warning', message: this.localStatus } : state.status;
    toggle(this.statusLine, !!status);
    this.statusLine.className = `status-line ${status?.kind ?? ''}`;
    setText(this.statusLine, status?.message ?? '');
    if (this.input.value !== state.draft && document.activeElement !== this.input) this.input.value = state.draft;
    this.renderScopes(state.scopes);

    toggle(this.empty, state.runs.length === 0);
    const stick = this.transcript.scrollHeight - this.transcript.scrollTop - this.transcript.clientHeight < 40;
    sync(this.runs, state.runs, (r) => r.runId, () => this.createRun(), (e, r) => this.updateRun(e, r, now));
    if (stick) this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private createRun(): HTMLElement {
    const section = el('section', 'run');
    const question = el('div', 'question');
    const trajectory = el('details', 'trajectory');
    trajectory.open = true;
    const summary = el('summary', 'trajectory-summary');
    const body = el('div', 'rlm-body');
    trajectory.append(summary, body);
    const scope = el('div', 'answer-scope');
    scope.hidden = true;
    const answer = el('div', 'answer markdown');
    answer.hidden = true;
    const error = el('div', 'run-error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    const footer = el('div', 'run-footer');
    const state = el('span', 'run-state');
    const stats = el('span', 'run-stats');
    const copy = el('button', 'secondary copy', 'Copy answer');
    copy.type = 'button';
    copy.dataset.action = 'copy';
    copy.hidden = true;
    const log = el('button', 'secondary', 'Show log');
    log.type = 'button';
    log.dataset.action = 'showLog';
    footer.append(state, stats, copy, log);
    section.append(question, trajectory, scope, answer, error, footer);
    return section;
  }

  private updateRun(section: HTMLElement, run: RunView, now: number): void {
    section.dataset.status = run.status;
    section.setAttribute('aria-label', `Question: ${run.question}`);
    setText(part(section, '.question'), run.question || '(question not shown)');

    const trajectory = part<HTMLDetailsElement>(section, '.trajectory');
    const root = run.rootRlm ? run.rlms[run.rootRlm] : undefined;
    const turns = root?.turns.length ?? 0;
    const cached = run.cachedSubcalls ? ` (${run.cachedSubcalls} cached)` : '';
    setText(part(trajectory, '.trajectory-summary'),
      `Trajectory · ${plural(turns, 'turn')} · ${plural(run.subcallCount, 'sub-call')}${cached}`);
    this.updateRlm(part(trajectory, '.rlm-body'), run, root);
    toggle(trajectory, turns > 0 || run.status === 'running');
    // Once answered, the trajectory folds away (once: the user may open it again).
    if (run.status !== 'running' && !section.dataset.folded) {
      section.dataset.folded = '1';
      if (run.answer) trajectory.open = false;
    }

    const answer = part<HTMLElement>(section, '.answer');
    if (run.answer && !answer.dataset.rendered) {
      answer.dataset.rendered = '1';
      answer.replaceChildren(renderAnswer(document, run.answer.markdown, run.answer.citations));
      if (run.answer.forced) answer.prepend(el('p', 'forced-note', 'The budget ran out; this answer was forced from what was found so far.'));
      answer.setAttribute('aria-label', 'Answer');
      answer.setAttribute('role', 'region');
    }
    toggle(answer, !!run.answer);
    const scope = part<HTMLElement>(section, '.answer-scope');
    setText(scope, run.answer?.scope ? `Scope: ${run.answer.scope.label}` : '');
    toggle(scope, !!run.answer?.scope);

    const error = part<HTMLElement>(section, '.run-error');
    toggle(error, run.status === 'failed');
    setText(error, run.error ?? '');

    const footer = part<HTMLElement>(section, '.run-footer');
    setText(part(footer, '.run-state'), statusLabel(run));
    const saved = run.answer?.usage.savedTokens ? `${formatTokens(run.answer.usage.savedTokens)} tokens saved by the cache` : undefined;
    const stats = [`${formatTokens(run.tokens)} tokens`, formatCost(run.cost), formatDuration(elapsed(run, now)), ...(saved ? [saved] : [])];
    setText(part(footer, '.run-stats'), stats.join(' · '));
    toggle(part(footer, '.copy'), !!run.answer);
    toggle(part(footer, '[data-action="showLog"]'), run.status === 'failed');
  }

  /** An RLM's turns; the same renderer draws the root and every child RLM inside the sub-call tree. */
  private updateRlm(body: HTMLElement, run: RunView, rlm: RlmNode | undefined): void {
    let list = body.querySelector<HTMLOListElement>(':scope > ol.turns');
    if (!list) {
      list = el('ol', 'turns');
      list.setAttribute('aria-label', 'Turns');
      body.append(list);
    }
    if (rlm) body.dataset.depth = String(rlm.depth);
    sync(list, rlm?.turns ?? [], (t) => String(t.turn), () => this.createTurn(), (e, t) => this.updateTurn(e, run, t));
    let notices = body.querySelector<HTMLElement>(':scope > .notices');
    if (!notices) {
      notices = el('ul', 'notices');
      body.append(notices);
    }
    const messages = [...(rlm?.notices ?? []), ...(rlm?.error ? [`Error: ${rlm.error}`] : [])];
    sync(notices, messages, (_, i) => String(i), () => el('li', 'notice'), (e, m) => setText(e, m));
  }

  private createTurn(): HTMLElement {
    const li = el('li', 'turn');
    const head = el('div', 'turn-head');
    // A reasoning model's thinking: shown folded, apart from what it said (which is what ran).
    const thinking = el('details', 'model-thinking');
    thinking.append(el('summary', undefined, 'Thinking'), el('pre', 'model-thinking-body'));
    const model = el('details', 'model-text');
    model.open = true;
    model.append(el('summary', undefined, 'Model'), el('pre', 'model-text-body'));
    const retries = el('ul', 'retries');
    const cells = el('div', 'cells');
    const subcalls = el('ul', 'subcalls');
    subcalls.setAttribute('aria-label', 'Sub-calls');
    const notices = el('ul', 'notices');
    li.append(head, thinking, model, retries, cells, subcalls, notices);
    return li;
  }

  private updateTurn(li: HTMLElement, run: RunView, turn: TurnNode): void {
    setText(part(li, '.turn-head'), turn.maxTurns ? `Turn ${turn.turn} / ${turn.maxTurns}` : `Turn ${turn.turn}`);
    const thinking = part<HTMLDetailsElement>(li, '.model-thinking');
    toggle(thinking, turn.thinking.length > 0);
    setText(part(thinking, 'summary'), `Thinking · ${turn.thinking.length.toLocaleString('en-US')} characters`);
    setText(part(thinking, '.model-thinking-body'), turn.thinking);
    const model = part<HTMLDetailsElement>(li, '.model-text');
    toggle(model, turn.text.length > 0);
    model.classList.toggle('streaming', turn.streaming);
    setText(part(model, '.model-text-body'), turn.text);
    sync(part(li, '.retries'), turn.retries, (_, i) => String(i), () => el('li', 'retry'), (e, r) => setText(e, r));
    sync(part(li, '.cells'), turn.cells, (c) => String(c.cell), () => this.createCell(run.status === 'running'),
      (e, c) => this.updateCell(e, run, c));
    this.updateSubcalls(part(li, '.subcalls'), run, turn.subcalls);
    sync(part(li, '.notices'), turn.notices, (_, i) => String(i), () => el('li', 'notice'), (e, n) => setText(e, n));
  }

  private createCell(open: boolean): HTMLElement {
    const details = el('details', 'cell');
    details.open = open;
    const code = el('pre', 'cell-code');
    code.append(el('code'));
    const output = el('pre', 'cell-output');
    output.setAttribute('aria-label', 'Output');
    const subcalls = el('ul', 'subcalls');
    subcalls.setAttribute('aria-label', 'Sub-calls');
    details.append(el('summary'), code, subcalls, output);
    return details;
  }

  private updateCell(details: HTMLElement, run: RunView, cell: CellNode): void {
    const done = cell.output !== undefined || cell.error !== undefined;
    details.dataset.state = cell.error ? 'error' : done ? 'done' : cell.interrupted ?? 'running';
    const timing = cell.durationMs !== undefined ? ` · ${formatDuration(cell.durationMs)}` : '';
    const state = cell.error ? ' · error' : done ? '' : cell.interrupted ? ` · ${interruptionLabel(cell.interrupted)}` : ' · running…';
    setText(part(details, 'summary'), `Cell ${cell.cell}${state}${timing}`);
    setText(part(part(details, '.cell-code'), 'code'), cell.code);
    const output = part<HTMLElement>(details, '.cell-output');
    const text = [cell.output ?? '', cell.error ? `Error: ${cell.error}` : ''].filter(Boolean).join('\n');
    toggle(output, done);
    if (!done && details.dataset.interruptedClosed !== '1' && cell.interrupted) {
      // Nothing more will come out of it: fold it like a finished cell.
      details.dataset.interruptedClosed = '1';
      (details as HTMLDetailsElement).open = false;
    }
    setText(output, text || '(no output)');
    this.updateSubcalls(part(details, '.subcalls'), run, cell.subcalls);
  }

  private updateSubcalls(list: HTMLElement, run: RunView, keys: readonly string[]): void {
    const nodes = keys.map((k) => run.subcalls[k]).filter((s): s is SubcallNode => !!s);
    toggle(list, nodes.length > 0);
    sync(list, nodes, (s) => subcallKey(s.parentRunId, s.id), () => this.createSubcall(), (e, s) => this.updateSubcall(e, run, s));
  }

  private createSubcall(): HTMLElement {
    const li = el('li', 'subcall');
    const details = el('details');
    const summary = el('summary');
    summary.append(el('span', 'subcall-kind'), el('span', 'subcall-state'), el('span', 'subcall-prompt'));
    const result = el('pre', 'subcall-result');
    const child = el('div', 'rlm-body child');
    details.append(summary, child, result);
    li.append(details);
    return li;
  }

  private updateSubcall(li: HTMLElement, run: RunView, s: SubcallNode): void {
    li.dataset.depth = String(s.depth);
    li.dataset.kind = s.kind;
    li.dataset.state = s.ok === undefined ? s.interrupted ?? 'running' : s.ok ? 'ok' : 'failed';
    li.classList.toggle('cached', !!s.cached);
    const details = part<HTMLDetailsElement>(li, 'details');
    const summary = part(details, 'summary');
    setText(part(summary, '.subcall-kind'), `${s.kind === 'rlm' ? 'rlm_query' : 'llm_query'} · depth ${s.depth}`);
    const state = s.ok === undefined ? (s.interrupted ? interruptionLabel(s.interrupted) : 'running…')
      : s.cached ? 'cached · no cost' : `${s.ok ? 'done' : 'failed'} · ${formatDuration(s.durationMs ?? 0)}`;
    setText(part(summary, '.subcall-state'), state);
    setText(part(summary, '.subcall-prompt'), s.prompt);
    const result = part<HTMLElement>(details, '.subcall-result');
    toggle(result, s.result !== undefined);
    setText(result, s.result ?? '');
    const childBody = part<HTMLElement>(details, '.child');
    const child = s.childRunId ? run.rlms[s.childRunId] : undefined;
    toggle(childBody, !!child);
    if (child) {
      if (!li.dataset.opened) {
        // A child RLM's work is shown as it happens; the user may fold it.
        li.dataset.opened = '1';
        details.open = run.status === 'running';
      }
      this.updateRlm(childBody, run, child);
    }
  }
}
