import * as vscode from 'vscode';
import type { TraceDirection, TraceGraph } from '../../core/trace/traceGraph';
import type { RunOutcome } from '../chat/chatSession';
import { type OpenResult, openCitation } from '../chat/citationOpener';
import { GraphPanel } from './graphPanel';
import { GRAPH_PROTOCOL_VERSION, type GraphHostMessage, type GraphWebviewMessage, parseGraphHostMessage } from './graphProtocol';
import { loadCore } from '../loadCore';
import { type TraceRequest, isTraceChatCommand, parseTraceChatCommand } from './traceChatCommand';
import { folderRelativePath, targetAtCursor } from './traceEditorTarget';
import { WorkspaceMaps } from '../workspace/workspaceMaps';

/** What `recurse.traceDependencies` accepts instead of asking (tests, other extensions, keybindings). */
export interface TraceCommandArgs {
  target: string;
  to?: string;
  direction?: TraceDirection;
  depth?: number;
  maxNodes?: number;
  /** Also ask the chat to explain the graph (the command resolves after the explanation). */
  explain?: boolean;
}

export type TraceOutcome =
  | { status: 'traced'; folder: string; target: string; to?: string; graph: TraceGraph; explanation?: RunOutcome }
  | { status: 'unknownTarget'; which: 'target' | 'to'; input: string; message: string; suggestions: string[] }
  | { status: 'invalid'; message: string }
  | { status: 'failed'; message: string }
  | { status: 'cancelled' };

/** What the extension's API exposes of tracing (see extension.ts). */
export interface TraceApi {
  readonly lastOutcome: TraceOutcome | undefined;
  /** Every message sent (or queued) for the graph panel, oldest first. */
  readonly sentToGraph: readonly GraphHostMessage[];
  /** Handles `message` as if the graph panel sent it (validated the same way); resolves to the handler's result. */
  postFromGraph(message: unknown): Promise<unknown>;
  /** The graph panel's title, undefined when it is closed. */
  readonly graphTitle: string | undefined;
  /** Whether the open panel's page has loaded and said `ready`. */
  readonly graphReady: boolean;
  /**
   * What VS Code calls after a window reload for a Dependencies panel it restores (the registered
   * WebviewPanelSerializer): `state` is what the page kept with setState. Resolves to whether a graph came back.
   */
  deserializePanel(panel: vscode.WebviewPanel, state: unknown): Promise<boolean>;
}

export interface TraceControllerDeps {
  extensionUri: vscode.Uri;
  maps: WorkspaceMaps;
  log: vscode.LogOutputChannel;
  /** Asks the chat (streams, verifies citations, keeps history). */
  ask(question: string, label: string): Promise<RunOutcome>;
  revealChat(): Promise<void>;
  /** A status line (and optionally the text to put back in the input) for the chat webview. */
  chatStatus(message: string, restoreInput?: string): void;
  /** Told when a graph was shown (the walkthrough's trace step). */
  traced?(): void;
}

const DIRECTIONS: readonly TraceDirection[] = ['in', 'out', 'both'];
const MAX_DEPTH = 10;
const SUGGESTION_BUTTONS = 3;

/**
 * "Trace Dependencies": from the symbol under the cursor (editor menu), a file (Explorer menu), the palette (input
 * box), an args object, or `/trace` in the chat. Computes the graph with the core's trace (no model), shows it in the
 * graph panel, and on request asks the chat to explain it.
 */
export class TraceController implements vscode.Disposable {
  readonly panel: GraphPanel;
  lastOutcome: TraceOutcome | undefined;
  private last: { graph: TraceGraph; to?: string; folder: vscode.WorkspaceFolder } | undefined;

  private readonly serializer: vscode.Disposable;

  constructor(private readonly deps: TraceControllerDeps) {
    this.panel = new GraphPanel(deps.extensionUri, deps.log, (m) => this.handle(m));
    this.serializer = vscode.window.registerWebviewPanelSerializer(GraphPanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => void (await this.restorePanel(panel, state)),
    });
  }

  get api(): TraceApi {
    const self = this;
    return {
      get lastOutcome() {
        return self.lastOutcome;
      },
      get sentToGraph() {
        return self.panel.sent;
      },
      postFromGraph: (message) => this.panel.receive(message),
      get graphTitle() {
        return self.panel.title;
      },
      get graphReady() {
        return self.panel.isReady;
      },
      deserializePanel: (panel, state) => this.restorePanel(panel, state),
    };
  }

  /**
   * A Dependencies panel VS Code restored after a window reload: its page kept the graph message it drew (see
   * media/src/graph/main.ts), which is checked like any message from the page, then drawn again and clickable.
   */
  async restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<boolean> {
    const kept = parseGraphHostMessage(isPlainObject(state) ? state.graph : undefined);
    const folder = kept?.type === 'graph' ? vscode.workspace.workspaceFolders?.find((f) => f.name === kept.folder) : undefined;
    if (kept?.type !== 'graph' || kept.version !== GRAPH_PROTOCOL_VERSION || !folder) {
      this.panel.adopt(panel, { type: 'status', kind: 'info', message: 'This graph was not kept across the reload: run Recurse: Trace Dependencies again.' });
      return false;
    }
    const message: GraphHostMessage = kept;
    this.last = { graph: kept.graph, ...(kept.to !== undefined ? { to: kept.to } : {}), folder };
    this.panel.adopt(panel, message);
    return true;
  }

  /**
   * The command. Menus pass the resource: the editor menu `(uri)`, the Explorer `(uri, selectedUris[])`; the
   * palette passes nothing; callers may pass a TraceCommandArgs object.
   */
  async command(first?: unknown, second?: unknown): Promise<TraceOutcome> {
    try {
      const outcome = await this.commandInner(first, second);
      return this.remember(outcome);
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      this.deps.log.error(`trace failed: ${(err as Error)?.stack ?? err}`);
      void vscode.window.showErrorMessage(`Recurse: tracing failed: ${message}`);
      return this.remember({ status: 'failed', message });
    }
  }

  /** `/trace …` typed in the chat: the graph in the panel, then the explanation in the chat. */
  async fromChat(text: string): Promise<TraceOutcome> {
    const parsed = parseTraceChatCommand(text);
    if (!parsed.ok) {
      this.deps.chatStatus(parsed.message, text);
      return this.remember({ status: 'invalid', message: parsed.message });
    }
    const folder = WorkspaceMaps.pickFolder();
    if (!folder) {
      const message = 'Open a folder or workspace to trace its dependencies.';
      this.deps.chatStatus(message, text);
      return this.remember({ status: 'invalid', message });
    }
    try {
      const outcome = await this.run(folder, parsed.request, { notify: 'chat', explain: true });
      if (outcome.status === 'unknownTarget') this.deps.chatStatus(`Cannot trace: ${outcome.message}`, text);
      return this.remember(outcome);
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      this.deps.chatStatus(`Tracing failed: ${message}`, text);
      return this.remember({ status: 'failed', message });
    }
  }

  /** Asks the chat to explain the graph shown last. */
  async explain(): Promise<RunOutcome | undefined> {
    const last = this.last;
    if (!last) return undefined;
    await this.deps.revealChat();
    this.panel.post({ type: 'status', kind: 'info', message: 'Explaining in the Recurse chat…' });
    const question = loadCore().explainQuestion(last.graph, last.to);
    // The chat shows the request's first sentence; the model also gets the graph that follows it.
    return this.deps.ask(question, question.split('\n\n')[0].trim());
  }

  static isChatCommand(text: string): boolean {
    return isTraceChatCommand(text);
  }

  private remember(outcome: TraceOutcome): TraceOutcome {
    this.lastOutcome = outcome;
    if (outcome.status === 'traced') this.deps.traced?.();
    return outcome;
  }

  private async commandInner(first: unknown, second: unknown): Promise<TraceOutcome> {
    if (isPlainObject(first)) {
      const args = validateArgs(first);
      if (typeof args === 'string') {
        void vscode.window.showErrorMessage(`Recurse: ${args}`);
        return { status: 'invalid', message: args };
      }
      const folder = WorkspaceMaps.pickFolder();
      if (!folder) return noFolder();
      return this.run(folder, args, { notify: 'window', explain: !!args.explain });
    }

    const uri = first instanceof vscode.Uri ? first : undefined;
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) || WorkspaceMaps.pickFolder();
    if (!folder) return noFolder();
    let target: string | undefined;
    if (uri && Array.isArray(second)) {
      // The Explorer: the file itself.
      target = folderRelativePath(folder, uri);
    } else {
      const editor = vscode.window.activeTextEditor;
      const fromEditor = editor && (!uri || editor.document.uri.toString() === uri.toString()) ? editor : undefined;
      let atCursor: string | undefined;
      if (fromEditor && vscode.workspace.getWorkspaceFolder(fromEditor.document.uri)?.uri.toString() === folder.uri.toString()) {
        const map = await this.deps.maps.get(folder);
        atCursor = await targetAtCursor(this.deps.maps.codeIndex(folder, map), folder, fromEditor.document, fromEditor.selection.active);
      } else if (uri) {
        atCursor = folderRelativePath(folder, uri);
      }
      // From a menu the target is what was clicked; from the palette the user confirms or types one.
      target = uri
        ? atCursor
        : await vscode.window.showInputBox({
            title: 'Recurse: Trace Dependencies',
            prompt: 'A symbol (name, Container.name or path#name) or a workspace file',
            value: atCursor,
            ignoreFocusOut: true,
          });
    }
    target = target?.trim();
    if (!target) return { status: 'cancelled' };
    const options = await pickOptions(target);
    if (!options) return { status: 'cancelled' };
    return this.run(folder, { target, ...options }, { notify: 'window', explain: false });
  }

  private async run(
    folder: vscode.WorkspaceFolder,
    request: TraceRequest & { maxNodes?: number },
    how: { notify: 'window' | 'chat'; explain: boolean },
  ): Promise<TraceOutcome> {
    const map = await this.deps.maps.get(folder);
    const code = this.deps.maps.codeIndex(folder, map);
    const label = request.to !== undefined ? `${request.target} → ${request.to}` : request.target;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Recurse: tracing ${label}` }, () =>
      loadCore().trace({
        workspace: folder.uri.fsPath,
        target: request.target,
        to: request.to,
        direction: request.direction,
        depth: request.depth,
        maxNodes: request.maxNodes,
        map,
        code,
      }),
    );
    if (!result.ok) {
      const { which, input, message, suggestions } = result.error;
      this.deps.log.info(`trace: unknown ${which} ${input}`);
      if (how.notify === 'window') this.offerSuggestions(which, message, suggestions, request);
      return { status: 'unknownTarget', which, input, message, suggestions };
    }
    const { graph } = result;
    this.last = { graph, to: request.to, folder };
    this.deps.log.info(`trace ${label}: ${graph.nodes.length} nodes, ${graph.edges.length} edges${graph.collapsed ? `, ${graph.collapsed} collapsed` : ''}`);
    const message: GraphHostMessage = {
      type: 'graph',
      version: GRAPH_PROTOCOL_VERSION,
      graph,
      ...(request.to !== undefined ? { to: request.to } : {}),
      folder: folder.name,
    };
    this.panel.show(`Dependencies: ${label}`, message);
    const traced: TraceOutcome = { status: 'traced', folder: folder.name, target: request.target, ...(request.to !== undefined ? { to: request.to } : {}), graph };
    if (!how.explain) return traced;
    const explanation = await this.explain();
    return { ...traced, ...(explanation ? { explanation } : {}) };
  }

  /** The error, with the first suggestions as buttons that trace them instead. */
  private offerSuggestions(which: 'target' | 'to', message: string, suggestions: string[], request: TraceRequest): void {
    const buttons = suggestions.slice(0, SUGGESTION_BUTTONS);
    const prefix = which === 'to' ? 'Recurse: the destination of the trace: ' : 'Recurse: ';
    void vscode.window.showErrorMessage(`${prefix}${message}`, ...buttons).then((picked) => {
      if (!picked) return;
      const replacement = suggestionTarget(picked);
      const next: TraceCommandArgs = which === 'to' ? { ...request, to: replacement } : { ...request, target: replacement };
      void this.command(next);
    });
  }

  private async handle(message: GraphWebviewMessage): Promise<unknown> {
    switch (message.type) {
      case 'openNode': {
        const folders = vscode.workspace.workspaceFolders ?? [];
        const folder = (message.folder !== undefined ? folders.find((f) => f.name === message.folder) : undefined) ?? this.last?.folder;
        // After a reload the panel comes back before any file map is built: only a file of the map may open.
        if (folder) await this.deps.maps.get(folder).catch(() => undefined);
        const result: OpenResult = await openCitation(this.deps.maps, { path: message.path, startLine: message.line, endLine: message.line, folder: message.folder }, folder).catch(
          (err: Error) => ({ opened: false as const, reason: err.message }),
        );
        if (!result.opened) {
          this.deps.log.warn(`refused to open ${message.path}:${message.line}: ${result.reason}`);
          this.panel.post({ type: 'status', kind: 'error', message: `Cannot open ${message.path}: ${result.reason}` });
        }
        return result;
      }
      case 'explain':
        return this.explain();
      default:
        return undefined;
    }
  }

  dispose(): void {
    this.serializer.dispose();
    this.panel.dispose();
  }
}

function noFolder(): TraceOutcome {
  const message = 'Open a folder or workspace to trace its dependencies.';
  void vscode.window.showErrorMessage(`Recurse: ${message}`);
  return { status: 'invalid', message };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri);
}

/** The args object checked field by field; a string says what is wrong. */
export function validateArgs(raw: Record<string, unknown>): TraceCommandArgs | string {
  const { target, to, direction, depth, maxNodes, explain } = raw;
  if (typeof target !== 'string' || !target.trim()) return 'trace needs a target: a workspace path or a symbol name';
  if (to !== undefined && (typeof to !== 'string' || !to.trim())) return '"to" must be a symbol name or a workspace path';
  if (direction !== undefined && !DIRECTIONS.includes(direction as TraceDirection)) return `"direction" must be in, out or both, not ${JSON.stringify(direction)}`;
  if (depth !== undefined && !(Number.isInteger(depth) && (depth as number) >= 1 && (depth as number) <= MAX_DEPTH)) return `"depth" must be a whole number from 1 to ${MAX_DEPTH}`;
  if (maxNodes !== undefined && !(Number.isInteger(maxNodes) && (maxNodes as number) >= 1)) return '"maxNodes" must be a whole number of at least 1';
  return {
    target: target.trim(),
    ...(to !== undefined ? { to: (to as string).trim() } : {}),
    ...(direction !== undefined ? { direction: direction as TraceDirection } : {}),
    ...(depth !== undefined ? { depth: depth as number } : {}),
    ...(maxNodes !== undefined ? { maxNodes: maxNodes as number } : {}),
    ...(explain !== undefined ? { explain: !!explain } : {}),
  };
}

/** A suggestion is a path, or `Container.name (path:line)` for a symbol, which `path#Container.name` names exactly. */
function suggestionTarget(suggestion: string): string {
  const m = /^(.+) \((.+):\d+\)$/.exec(suggestion);
  return m ? `${m[2]}#${m[1]}` : suggestion;
}

type DirectionItem = vscode.QuickPickItem & { direction?: TraceDirection; reach?: true };

/** Direction (or "how does it reach…"), then depth; undefined when the user dismisses either. */
async function pickOptions(target: string): Promise<Omit<TraceRequest, 'target'> | undefined> {
  const items: DirectionItem[] = [
    { label: '$(arrow-right) What it depends on', description: 'out', direction: 'out' },
    { label: '$(arrow-left) What depends on it', description: 'in', direction: 'in' },
    { label: '$(arrow-both) Both', description: 'in and out', direction: 'both' },
    { label: '$(debug-step-over) How does it reach…', description: 'the chain to another symbol or file', reach: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Trace Dependencies: ${target}`, placeHolder: 'What to trace', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.reach) {
    const to = await vscode.window.showInputBox({
      title: `How does ${target} reach…`,
      prompt: 'A symbol (name, Container.name or path#name) or a workspace file',
      ignoreFocusOut: true,
    });
    return to?.trim() ? { to: to.trim() } : undefined;
  }
  // The default first, so Enter takes it.
  const depths = [3, 1, 2, 4, 5].map((n) => ({ label: String(n), description: n === 3 ? 'hops (default)' : 'hops', depth: n }));
  const depth = await vscode.window.showQuickPick(depths, { title: `Trace Dependencies: ${target} (${picked.description})`, placeHolder: 'Depth: hops to follow', ignoreFocusOut: true });
  if (!depth) return undefined;
  return { direction: picked.direction, depth: depth.depth };
}
