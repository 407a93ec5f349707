import * as vscode from 'vscode';
import { type GraphHostMessage, type GraphWebviewMessage, parseGraphWebviewMessage } from './graphProtocol';
import { GRAPH_PAGE, webviewHtml } from '../webviewHtml';

const MAX_RECORDED = 1_000;

/**
 * The "Dependencies: <target>" editor panel. One panel, reused for the next trace (retitled and revealed); a closed
 * panel is created again on the next show. Messages wait for the page's `ready`, and only the last graph is worth
 * replaying then; what the page sends is validated and the rest dropped.
 */
export class GraphPanel implements vscode.Disposable {
  static readonly viewType = 'recurse.graph';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: GraphHostMessage[] = [];
  private disposables: vscode.Disposable[] = [];
  /** Every message sent (or queued) for the panel, oldest first; tests read it. */
  readonly sent: GraphHostMessage[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly handle: (message: GraphWebviewMessage) => Promise<unknown>,
  ) {}

  /** The open panel's title, undefined when there is none. */
  get title(): string | undefined {
    return this.panel?.title;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Shows the panel with this title (creating it if needed) and sends it the message. */
  show(title: string, message: GraphHostMessage): void {
    if (!this.panel) this.create(title);
    else {
      this.panel.title = title;
      this.panel.reveal(undefined, true);
    }
    // A graph replaces any graph still waiting for the page.
    if (message.type === 'graph') this.queue = this.queue.filter((m) => m.type !== 'graph');
    this.post(message);
  }

  post(message: GraphHostMessage): void {
    this.sent.push(message);
    if (this.sent.length > MAX_RECORDED) this.sent.splice(0, this.sent.length - MAX_RECORDED);
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
    else if (this.panel) this.queue.push(message);
  }

  /** Handles a message as if the page had sent it; returns what the handler returned (undefined when dropped). */
  async receive(raw: unknown): Promise<unknown> {
    const message = parseGraphWebviewMessage(raw);
    if (!message) {
      this.log.warn(`dropped an invalid message from the graph panel: ${preview(raw)}`);
      return undefined;
    }
    if (message.type === 'ready') {
      this.ready = true;
      for (const m of this.queue.splice(0)) void this.panel?.webview.postMessage(m);
      return undefined;
    }
    return this.handle(message);
  }

  /**
   * Takes over a panel VS Code restored after a window reload (see the serializer in traceController.ts): the page
   * loads again and is sent `message`, the graph it showed before, once it is ready.
   */
  adopt(panel: vscode.WebviewPanel, message: GraphHostMessage): void {
    if (this.panel && this.panel !== panel) this.panel.dispose();
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
    this.post(message);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, enableCommandUris: false, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')] };
  }

  private create(title: string): void {
    const panel = vscode.window.createWebviewPanel(GraphPanel.viewType, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, {
      ...this.webviewOptions(),
      // The graph's layout and viewport would be lost on every tab switch otherwise.
      retainContextWhenHidden: true,
    });
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.queue = [];
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, GRAPH_PAGE);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => {
        this.receive(raw).catch((err) => this.log.error(`graph panel message failed: ${(err as Error)?.stack ?? err}`));
      }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.ready = false;
        this.queue = [];
        for (const d of this.disposables.splice(0)) d.dispose();
      }),
    );
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function preview(raw: unknown): string {
  try {
    const s = JSON.stringify(raw) ?? String(raw);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return typeof raw;
  }
}
