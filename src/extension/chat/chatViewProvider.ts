import * as vscode from 'vscode';
import { type HostMessage, type WebviewMessage, parseWebviewMessage } from './protocol';
import { CHAT_PAGE, webviewHtml } from '../webviewHtml';

const MAX_QUEUED = 5_000;
const MAX_RECORDED = 10_000;

/**
 * The host side of the chat webview view. Messages for the webview wait until it says `ready` (then `init` goes
 * first); everything the webview sends is validated by parseWebviewMessage and the rest dropped.
 */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'recurse.chat';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly readyWaiters: (() => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** Every message sent (or queued) for the webview, oldest first; tests read it. */
  readonly sent: HostMessage[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly handle: (message: WebviewMessage) => Promise<unknown>,
    private readonly initMessage: () => Promise<HostMessage>,
    /** The stored history, sent right after `init` on every handshake. */
    private readonly historyMessage?: () => Extract<HostMessage, { type: 'history' }>,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [media] };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, CHAT_PAGE);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw) => {
        this.receive(raw).catch((err) => this.log.error(`webview message failed: ${(err as Error)?.stack ?? err}`));
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
      }),
    );
  }

  /** Handles a message as if the webview had sent it; returns what the handler returned (undefined when dropped). */
  async receive(raw: unknown): Promise<unknown> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`dropped an invalid message from the webview: ${safePreview(raw)}`);
      return undefined;
    }
    if (message.type === 'ready') {
      this.ready = true;
      const init = await this.initMessage();
      this.record(init);
      void this.view?.webview.postMessage(init);
      let queued = this.queue;
      this.queue = [];
      const history = this.historyMessage?.();
      if (history) {
        this.record(history);
        void this.view?.webview.postMessage(history);
        // The history already holds what these said about its runs; replaying them would duplicate streamed text.
        const known = new Set(history.runs.map((r) => r.runId));
        queued = queued.filter((m) => m.type !== 'cleared' && !('runId' in m && known.has(m.runId)));
      }
      for (const m of queued) void this.view?.webview.postMessage(m);
      for (const resolve of this.readyWaiters.splice(0)) resolve();
      return undefined;
    }
    return this.handle(message);
  }

  post(message: HostMessage): void {
    this.record(message);
    if (this.view && this.ready) {
      void this.view.webview.postMessage(message);
      return;
    }
    this.queue.push(message);
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
  }

  /** Sends a fresh `init` (settings or key changed) when the webview is listening. */
  async refresh(): Promise<void> {
    if (!this.view || !this.ready) return;
    const init = await this.initMessage();
    this.record(init);
    void this.view.webview.postMessage(init);
  }

  /** Shows the view (creating it if needed). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(false);
    else await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
  }

  get isReady(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private record(message: HostMessage): void {
    this.sent.push(message);
    if (this.sent.length > MAX_RECORDED) this.sent.splice(0, this.sent.length - MAX_RECORDED);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function safePreview(raw: unknown): string {
  try {
    const s = JSON.stringify(raw) ?? String(raw);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return typeof raw;
  }
}
