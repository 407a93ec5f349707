/**
 * Recurse for VS Code: a thin adapter over src/core. Activation only wires things up (no file reading, no
 * engine loading — the core bundle is required on the first question), so it stays well under 50 ms.
 *
 * activate() returns a small API, used by the extension-host tests (test/integration) and open to other extensions:
 *   activationMs                 time spent inside activate()
 *   activationTimeline           performance.now() marks in the extension host's clock (which tests share):
 *                                bundleStart/bundleEnd (dist/extension.js evaluating), activateStart, activateEnd
 *   ask(question)                runs a question exactly as the chat's Ask button does → Promise<RunOutcome>
 *   cancel()                     the Cancel command
 *   lastResult                   the last RunOutcome (answered | failed | cancelled | busy)
 *   postFromWebview(message)     handles `message` as if the webview sent it (validated the same way) and resolves
 *                                to the handler's result: an OpenResult for openCitation, a RunOutcome for ask,
 *                                a SetScopeResult for setScope, undefined for a dropped message
 *                                (the chat's scope is kept in workspaceState under SCOPE_KEY, see scopeController.ts)
 *   sentToWebview                every HostMessage sent (or queued) for the webview, oldest first
 *   statusText                   the status-bar item's text
 *   fileMapLoads(folderUri)      how many times a folder's file map was (re)built
 *   whenIndexed(folder)          resolves when the folder's symbol index and import graph are complete
 *   history                      the stored chat history (runs oldest first) and flushed(): every write done
 *   workspaceState               the extension's workspaceState, where the history lives
 *   review                       Review Changes (recurse.review, recurse.reviewWorkingTree, recurse.reviewStaged; the
 *                                review runs in the chat like a question): diagnostics() (the "Recurse Review"
 *                                collection, by file) and current (the review whose findings they are: id, root,
 *                                findings, reviewed, unreviewed); recurse.openReviewDiff opens a finding's diff;
 *                                the reviews are kept in workspaceState (REVIEWS_KEY, reviewPersistence.ts): reload()
 *                                forgets and restores them as a window reload does, restored, flushed()
 *   setup                        "Configure model…" (recurse.configureModel, the chat's no-model notice): input (the
 *                                quick pick or input box on screen), running / lastOutcome (ConfigureOutcome), and
 *                                contextKeys (the walkthrough's completion keys set in this window)
 *   trace                        Trace Dependencies (recurse.traceDependencies, `/trace` in the chat): lastOutcome (the
 *                                last TraceOutcome), sentToGraph (every GraphHostMessage sent or queued for the graph
 *                                panel), postFromGraph(message) (as if the panel sent it, validated the same way),
 *                                graphTitle (the panel's title, undefined when closed), graphReady (its page said ready)
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AgentRuns } from './agents/agentRuns';
import { handleChatRequest, registerChatParticipant } from './agents/chatParticipant';
import { registerLanguageModelTools } from './agents/languageModelTools';
import { mcpApiAvailable, recurseMcpDefinition, registerMcpServerDefinitionProvider } from './agents/mcpServerDefinition';
import { ApiKeyStore } from './models/apiKeyStore';
import { ChatHistory } from './chat/chatHistory';
import { ChatSession, type RunOutcome } from './chat/chatSession';
import { ChatViewProvider } from './chat/chatViewProvider';
import { type ExportRunArgs, exportRun } from './chat/exportRun';
import { RunRecords } from './chat/runRecords';
import { type OpenResult, openCitation } from './chat/citationOpener';
import { type HistoryRun, type HostMessage, PROTOCOL_VERSION, type WebviewMessage } from './chat/protocol';
import { affectsFileMaps, readSettings } from './settings';
import { type ReviewApi, ReviewController } from './review/reviewController';
import { ReviewStore } from './review/reviewStore';
import { RunStatusBar } from './chat/statusBar';
import { type TraceApi, TraceController } from './trace/traceController';
import { ScopeController } from './scope/scopeController';
import { type ConfigureOutcome, ConfigureModelFlow } from './setup/configureModel';
import { modelReadiness } from './setup/modelReadiness';
import { QuickInputs } from './setup/quickInputs';
import { setApiKey } from './setup/setApiKey';
import { WalkthroughProgress } from './setup/walkthroughProgress';
import { WorkspaceMaps } from './workspace/workspaceMaps';
import { loadCore } from './loadCore';

export interface RecurseApi {
  readonly activationMs: number;
  readonly activationTimeline: {
    bundleStart?: number;
    bundleEnd?: number;
    activateStart: number;
    activateEnd: number;
    /** CPU time of this thread evaluating the bundle and inside activate(), where Node can tell. */
    bundleCpuMs?: number;
    activateCpuMs?: number;
  };
  ask(question: string): Promise<RunOutcome>;
  cancel(): boolean;
  readonly lastResult: RunOutcome | undefined;
  postFromWebview(message: unknown): Promise<unknown>;
  readonly sentToWebview: readonly HostMessage[];
  readonly statusText: string;
  fileMapLoads(folderUri: vscode.Uri): number;
  /** Resolves once a folder's code index (symbols and import graph) is complete; its size then. */
  whenIndexed(folder: vscode.WorkspaceFolder): Promise<{ files: number; symbols: number; imports: number; parsedFiles: number; seededFiles: number }>;
  readonly history: { readonly runs: readonly HistoryRun[]; flushed(): Promise<void> };
  readonly workspaceState: vscode.Memento;
  readonly review: ReviewApi;
  readonly trace: TraceApi;
  readonly setup: SetupApi;
  readonly agents: AgentsApi;
}

/** The agent entry points, as the tests drive them: the chat participant's handler and the MCP server definition. */
export interface AgentsApi {
  handleChatRequest(request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult>;
  /** The last request VS Code's Chat view sent to @recurse, and what the handler returned. */
  readonly lastChatRequest: { request: vscode.ChatRequest; prompt: string; command?: string; result: vscode.ChatResult } | undefined;
  /** Whether this VS Code has the MCP server definition API (1.101+), and the definition offered to it. */
  readonly mcpApi: boolean;
  mcpDefinition(): { label: string; command: string; args: string[]; env: Record<string, string | number | null> } | undefined;
}

/** "Configure model…" and the walkthrough, as the tests see them. */
export interface SetupApi {
  /** The quick pick or input box of the configure flow on screen now (tests type into it and accept it). */
  readonly input: QuickInputs['current'];
  /** The outcome of the last configure flow, and the one running now (if any). */
  readonly lastOutcome: ConfigureOutcome | undefined;
  readonly running: Promise<ConfigureOutcome> | undefined;
  /** Context keys set to true for the walkthrough's completion events. */
  readonly contextKeys: readonly string[];
}

export type { OpenResult, RunOutcome };

const MAX_SELECTION_CHARS = 8_000;
/** How long after activation the engine is loaded while nothing asks for it. */
const ENGINE_PRELOAD_MS = 1_000;

// Set by the bundle's banner and footer (esbuild.config.mjs); absent when running from tsc output.
declare const __recurseBundleStart: number | undefined;
declare const __recurseBundleEnd: number | undefined;
declare const __recurseBundleCpuUsed: { user: number; system: number } | undefined;

/** The extension host thread's CPU time so far in ms, where Node can tell (≥ 23.9), else undefined. */
function threadCpuMs(): number | undefined {
  const usage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage?.();
  return usage && (usage.user + usage.system) / 1000;
}

export function activate(context: vscode.ExtensionContext): RecurseApi {
  const started = performance.now();
  const cpuStart = threadCpuMs();
  const log = vscode.window.createOutputChannel('Recurse', { log: true });
  const status = new RunStatusBar();
  const keys = new ApiKeyStore(context.secrets);
  const maps = new WorkspaceMaps(log);
  const history = new ChatHistory(context.workspaceState);
  const records = new RunRecords(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs'));
  const walkthrough = new WalkthroughProgress(context.globalState);
  const inputs = new QuickInputs();
  const reviewStore = new ReviewStore(context.workspaceState, log);
  // eslint-disable-next-line prefer-const
  let view: ChatViewProvider;
  const scopes = new ScopeController({ state: context.workspaceState, maps, log, post: (m) => view.post(m) });
  const session = new ChatSession({
    maps,
    keys,
    log,
    status,
    post: (m) => view.post(m),
    setRunning: (running) => void vscode.commands.executeCommand('setContext', 'recurse.running', running),
    history,
    records,
    reviews: reviewStore,
    scope: scopes,
    readiness: (settings) => modelReadiness(settings, keys),
    answered: (kind) => walkthrough.mark(kind),
  });

  let configuring: Promise<ConfigureOutcome> | undefined;
  let lastConfigure: ConfigureOutcome | undefined;
  const configureModel = (): Promise<ConfigureOutcome> => {
    configuring ??= new ConfigureModelFlow({ keys, inputs, log, report: (message) => view.post({ type: 'status', message }) })
      .run()
      .then((outcome) => (lastConfigure = outcome))
      .finally(() => (configuring = undefined));
    return configuring;
  };

  const initMessage = async (): Promise<HostMessage> => {
    const folder = WorkspaceMaps.pickFolder();
    const settings = readSettings(folder);
    const readiness = await modelReadiness(settings, keys);
    walkthrough.modelConfigured(readiness.configured);
    return {
      type: 'init',
      version: PROTOCOL_VERSION,
      model: settings.model || '(first available)',
      provider: settings.provider,
      workspaceName: vscode.workspace.name ?? folder?.name ?? '',
      configured: readiness.configured,
      ...(readiness.configured ? {} : { setupReason: readiness.reason }),
    };
  };

  const handle = async (message: WebviewMessage): Promise<unknown> => {
    switch (message.type) {
      case 'ask':
        // `/trace …` is a command for the host (graph panel, then the explanation in the chat), not a question.
        if (TraceController.isChatCommand(message.question)) return traces.fromChat(message.question);
        return session.ask(message.question).finally(() => void scopes.refresh());
      case 'setScope':
        return scopes.set(message);
      case 'cancel':
        return session.cancel();
      case 'newChat':
        return session.newChat();
      case 'openCitation': {
        // A review's citation opens the review's diff; one outside the diff (or of a review no longer held) the file.
        const diff = message.review !== undefined ? await reviews.openCitation(message) : undefined;
        if (diff) return diff;
        const result: OpenResult = await openCitation(maps, message, session.lastFolder).catch((err: Error) => ({
          opened: false as const,
          reason: err.message,
        }));
        if (!result.opened) {
          log.warn(`refused to open ${message.path}:${message.startLine}-${message.endLine}: ${result.reason}`);
          view.post({ type: 'status', message: `Cannot open ${message.path}: ${result.reason}` });
        }
        return result;
      }
      case 'setApiKey':
        return vscode.commands.executeCommand('recurse.setApiKey');
      case 'configureModel':
        return configureModel();
      case 'showLog':
        log.show(true);
        return undefined;
      case 'copy':
        // The host's clipboard: navigator.clipboard is often denied inside a webview.
        await vscode.env.clipboard.writeText(message.text);
        return true;
      default:
        return undefined;
    }
  };

  const historyMessage = (): Extract<HostMessage, { type: 'history' }> => {
    const active = session.activeRun;
    return { type: 'history', runs: [...history.runs], ...(active ? { active } : {}) };
  };

  // The scope picker's choices follow every handshake (sent once the history is, as refresh() is async).
  view = new ChatViewProvider(context.extensionUri, log, handle, initMessage, () => {
    void scopes.refresh(true);
    // A new user who opens the chat with no model configured gets the walkthrough once. Not on any activation: a
    // command's quick input (Trace Dependencies…) must not lose its focus to it.
    void refreshReadiness().then((configured) => walkthrough.offerOnce(configured)).catch((err) => log.warn(`walkthrough: ${err}`));
    return historyMessage();
  });
  const reviews = new ReviewController({
    store: reviewStore,
    session,
    log,
    revealChat: () => view.reveal(),
  });
  // The last review (kept in workspaceState) comes back after a reload; reading it and asking git wait until after activation.
  setTimeout(() => void reviews.restore(), 0);
  const traces = new TraceController({
    extensionUri: context.extensionUri,
    maps,
    log,
    ask: (question, label) => session.ask(question, { label }),
    revealChat: () => view.reveal(),
    chatStatus: (message, restoreInput) => {
      view.post({ type: 'status', message });
      if (restoreInput !== undefined) view.post({ type: 'prefill', question: restoreInput });
    },
    traced: () => walkthrough.mark('trace'),
  });
  // Agents: VS Code's agent mode (language-model tools), its Chat view (@recurse) and its MCP server list.
  const agents = new AgentRuns({ maps, keys, log });
  let lastChatRequest: AgentsApi['lastChatRequest'];
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  context.subscriptions.push(
    registerLanguageModelTools(agents),
    registerChatParticipant(agents, context.extensionUri, (request, result) => (lastChatRequest = { request, prompt: request.prompt, command: request.command, result })),
    registerMcpServerDefinitionProvider(context.extensionUri, version, keys),
  );
  // The engine (dist/core.js, 1.5 MB of JavaScript to compile) is loaded once the extension host has had a second
  // after activation, not when the first question is asked: there it held the host ~100 ms while the folder's reading
  // began (a question asked sooner loads it itself, as before).
  const enginePreload = setTimeout(() => {
    try {
      loadCore();
    } catch {
      // The first question loads it and reports what is wrong.
    }
  }, ENGINE_PRELOAD_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(enginePreload) });
  // The walkthrough's checkmarks and the model step's state, once activation is over.
  setTimeout(() => {
    walkthrough.restore();
    void refreshReadiness();
  }, 0);
  async function refreshReadiness(): Promise<boolean> {
    const readiness = await modelReadiness(readSettings(WorkspaceMaps.pickFolder()), keys);
    walkthrough.modelConfigured(readiness.configured);
    return readiness.configured;
  }

  const askSelection = async () => {
    const editor = vscode.window.activeTextEditor;
    await view.reveal();
    if (!editor) return;
    const { document, selection } = editor;
    const range = selection.isEmpty ? document.lineAt(selection.active.line).range : selection;
    const startLine = range.start.line + 1;
    // A selection ending at column 0 of a line does not include that line.
    const endLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
    let text = document.getText(range);
    if (text.length > MAX_SELECTION_CHARS) text = `${text.slice(0, MAX_SELECTION_CHARS)}\n…`;
    const where = vscode.workspace.asRelativePath(document.uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
    const lines = startLine === endLine ? `${startLine}` : `${startLine}-${endLine}`;
    const fence = text.includes('```') ? '~~~~' : '```';
    view.post({ type: 'prefill', question: `About ${where}:${lines}:\n${fence}${document.languageId}\n${text}\n${fence}\n\n` });
  };

  context.subscriptions.push(
    log,
    status,
    maps,
    view,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, view, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand('recurse.ask', async (question?: unknown) => {
      await view.reveal();
      if (typeof question === 'string' && question.trim()) return session.ask(question.trim());
      return undefined;
    }),
    vscode.commands.registerCommand('recurse.askSelection', askSelection),
    vscode.commands.registerCommand('recurse.setApiKey', () => setApiKey(keys, inputs, readSettings(WorkspaceMaps.pickFolder()))),
    vscode.commands.registerCommand('recurse.configureModel', () => configureModel()),
    vscode.commands.registerCommand('recurse.clearApiKey', async () => {
      await keys.clear(readSettings(WorkspaceMaps.pickFolder()).baseUrl);
      void vscode.window.showInformationMessage('Recurse: API key removed from secret storage.');
    }),
    vscode.commands.registerCommand('recurse.cancel', () => session.cancel()),
    vscode.commands.registerCommand('recurse.newChat', () => session.newChat()),
    vscode.commands.registerCommand('recurse.showLog', () => log.show(true)),
    vscode.commands.registerCommand('recurse.exportRun', (args?: ExportRunArgs) => exportRun(records, log, args)),
    reviewStore,
    reviews,
    traces,
    vscode.commands.registerCommand('recurse.traceDependencies', (first?: unknown, second?: unknown) => traces.command(first, second)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsFileMaps(e)) maps.invalidate();
      if (e.affectsConfiguration('recurse')) {
        void view.refresh();
        void refreshReadiness();
      }
    }),
    context.secrets.onDidChange(() => {
      void view.refresh();
      void refreshReadiness();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void scopes.refresh()),
  );

  const activateEnd = performance.now();
  const cpuEnd = threadCpuMs();
  const activationMs = activateEnd - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    activationTimeline: {
      bundleStart: typeof __recurseBundleStart === 'number' ? __recurseBundleStart : undefined,
      bundleEnd: typeof __recurseBundleEnd === 'number' ? __recurseBundleEnd : undefined,
      activateStart: started,
      activateEnd,
      bundleCpuMs: typeof __recurseBundleCpuUsed === 'object' && __recurseBundleCpuUsed ? (__recurseBundleCpuUsed.user + __recurseBundleCpuUsed.system) / 1000 : undefined,
      activateCpuMs: cpuStart !== undefined && cpuEnd !== undefined ? cpuEnd - cpuStart : undefined,
    },
    ask: (question) => session.ask(question),
    cancel: () => session.cancel(),
    get lastResult() {
      return session.lastOutcome;
    },
    postFromWebview: (message) => view.receive(message),
    get sentToWebview() {
      return view.sent;
    },
    get statusText() {
      return status.text;
    },
    fileMapLoads: (uri) => maps.loads.get(uri.toString()) ?? 0,
    whenIndexed: async (folder) => {
      const code = maps.codeIndex(folder, await maps.get(folder));
      const [stats, graph] = await Promise.all([code.symbolIndex.whenComplete(), code.graph()]);
      return { files: stats.files, symbols: stats.symbols, imports: graph.stats.edges, parsedFiles: stats.parsedFiles, seededFiles: stats.seededFiles };
    },
    history,
    workspaceState: context.workspaceState,
    review: reviews.api,
    trace: traces.api,
    agents: {
      handleChatRequest: (request, chatContext, stream, token) => handleChatRequest(agents, request, chatContext, stream, token),
      get lastChatRequest() {
        return lastChatRequest;
      },
      mcpApi: mcpApiAvailable(),
      mcpDefinition: () => (mcpApiAvailable() ? recurseMcpDefinition(context.extensionUri, version) : undefined),
    },
    setup: {
      get input() {
        return inputs.current;
      },
      get lastOutcome() {
        return lastConfigure;
      },
      get running() {
        return configuring;
      },
      get contextKeys() {
        return walkthrough.contextKeys;
      },
    },
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
