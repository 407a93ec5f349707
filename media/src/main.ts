/**
 * The chat webview's entry (bundled to media/dist/webview.js). It restores the stored state, renders it, says
 * `ready` to the extension, then applies each host message to the state and re-renders (coalesced, since model
 * deltas arrive many times a second). The state is stored with `vscode.setState` so hiding the view loses nothing.
 */
import { PROTOCOL_VERSION, type HostMessage, type WebviewMessage } from '../../src/extension/chat/protocol';
import { activeRun, applyHostMessage, restoreState, type ChatState } from './chatState';
import { ChatView } from './chatView';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const HOST_TYPES = new Set(['init', 'needsModel', 'prefill', 'runStarted', 'event', 'answer', 'runFailed', 'runCancelled', 'busy', 'status', 'cleared', 'history', 'scopes']);

/** Host messages come from the extension, but the shape is still checked before anything reads it. */
function asHostMessage(data: unknown): HostMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as { type?: unknown; runId?: unknown; event?: unknown; citations?: unknown; answer?: unknown; usage?: unknown };
  if (typeof m.type !== 'string' || !HOST_TYPES.has(m.type)) return undefined;
  if (m.type === 'event' && (typeof m.runId !== 'string' || typeof m.event !== 'object' || m.event === null
    || typeof (m.event as { type?: unknown }).type !== 'string' || typeof (m.event as { runId?: unknown }).runId !== 'string')) return undefined;
  if (m.type === 'needsModel') {
    const n = data as { question?: unknown; reason?: unknown };
    if (typeof n.question !== 'string' || typeof n.reason !== 'string') return undefined;
  }
  if (m.type === 'history' && !Array.isArray((data as { runs?: unknown }).runs)) return undefined;
  if (m.type === 'scopes') {
    const s = data as { current?: unknown; choices?: unknown };
    if (typeof s.current !== 'string' || !Array.isArray(s.choices)) return undefined;
    if (!s.choices.every((c) => typeof c === 'object' && c !== null && typeof c.id === 'string' && typeof c.label === 'string' && typeof c.kind === 'string')) return undefined;
  }
  if (m.type === 'answer' && (typeof m.answer !== 'string' || !Array.isArray(m.citations) || typeof m.usage !== 'object' || m.usage === null)) return undefined;
  return data as HostMessage;
}

function start(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  let state: ChatState = restoreState(vscode.getState());
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const save = () => vscode.setState(state);
  const flush = () => {
    scheduled = undefined;
    view.render(state);
    save();
    const running = !!activeRun(state);
    if (running && !ticker) ticker = setInterval(() => view.tick(), 1000);
    if (!running && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  // Not requestAnimationFrame: it does not fire while the view is hidden, and the state must still be saved.
  const schedule = () => {
    if (scheduled === undefined) scheduled = setTimeout(flush, 30);
  };

  const view = new ChatView(root, (m) => vscode.postMessage(m), (draft) => {
    state.draft = draft;
    save();
  }, () => {
    const run = activeRun(state);
    if (run) run.cancelRequested = true;
    vscode.postMessage({ type: 'cancel' });
    view.announce('Cancelling');
    flush();
  });

  window.addEventListener('message', (e: MessageEvent) => {
    const message = asHostMessage(e.data);
    if (!message) return;
    if (message.type === 'init' && message.version !== PROTOCOL_VERSION) {
      state.status = { kind: 'warning', message: `The extension speaks protocol ${message.version}, this view ${PROTOCOL_VERSION}: reload the window.` };
    }
    if (!applyHostMessage(state, message)) return;
    switch (message.type) {
      case 'prefill':
        view.input.value = message.question;
        view.input.focus();
        view.input.setSelectionRange(message.question.length, message.question.length);
        break;
      case 'runStarted':
        view.announce('Question started');
        break;
      case 'answer':
        view.announce('Answer ready');
        break;
      case 'runFailed':
        view.announce(`Failed: ${message.message}`);
        break;
      case 'runCancelled':
        view.announce('Cancelled');
        break;
      case 'busy':
        view.restoreUnsentQuestion();
        break;
      case 'needsModel':
        view.restoreUnsentQuestion();
        view.announce('No model is configured');
        break;
      case 'history':
        // Says the view shows the extension's history now (and no longer only its own restored copy).
        root.dataset.history = String(message.runs.length);
        break;
    }
    // Milestones render at once; streamed events are coalesced.
    if (message.type === 'event') schedule();
    else flush();
  });

  flush();
  vscode.postMessage({ type: 'ready', version: PROTOCOL_VERSION });
}

start();
