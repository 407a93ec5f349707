import * as vscode from 'vscode';
import type { ChatSession, RunOutcome } from '../chat/chatSession';
import { GIT_SCHEME, GitContentProvider } from './gitContent';
import { isFindingRef, OPEN_REVIEW_DIFF, ReviewDiagnostics } from './reviewDiagnostics';
import { type DiffOpenResult, openReviewDiff } from './reviewDiff';
import { parseReviewSource, pickReviewSource } from './reviewSources';
import { placeFindings } from './reviewAnswer';
import type { FinishedReview, ReviewStore } from './reviewStore';
import { WorkspaceMaps } from '../workspace/workspaceMaps';

/** What the extension-host tests (and other extensions) see of reviews through the RecurseApi. */
export interface ReviewApi {
  /** The "Recurse Review" diagnostics, by file. */
  diagnostics(): [vscode.Uri, readonly vscode.Diagnostic[]][];
  /** The review whose findings are the diagnostics now. */
  readonly current: FinishedReview | undefined;
  /**
   * What a window reload does to reviews: forgets everything held in memory (the diagnostics go), then restores
   * from workspaceState as activation does. Resolves to the current review shown again, if any.
   */
  reload(): Promise<FinishedReview | undefined>;
  /** Resolves once the reviews are written to workspaceState. */
  flushed(): Promise<void>;
  /** The restore that activation scheduled (resolved when there was nothing to restore). */
  readonly restored: Promise<FinishedReview | undefined>;
}

export interface ReviewControllerDeps {
  store: ReviewStore;
  session: ChatSession;
  log: vscode.LogOutputChannel;
  revealChat(): Promise<void>;
}

/**
 * Review in VS Code: the Review Changes commands (palette and Source Control menus), the "Recurse Review"
 * diagnostics, the read-only git documents of a diff's other side, and opening a finding in the diff editor.
 */
export class ReviewController implements vscode.Disposable {
  private readonly diagnostics: ReviewDiagnostics;
  private readonly disposables: vscode.Disposable[] = [];
  private restoring: Promise<FinishedReview | undefined> | undefined;

  constructor(private readonly deps: ReviewControllerDeps) {
    this.diagnostics = new ReviewDiagnostics(deps.store);
    this.disposables.push(
      this.diagnostics,
      vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, new GitContentProvider(deps.store)),
      vscode.commands.registerCommand('recurse.review', (arg?: unknown) => this.review(arg)),
      // From the Source Control view these get the repository or resource group the menu belongs to.
      vscode.commands.registerCommand('recurse.reviewWorkingTree', (scm?: unknown) => this.review({ kind: 'worktree' }, scmFolder(scm))),
      vscode.commands.registerCommand('recurse.reviewStaged', (scm?: unknown) => this.review({ kind: 'staged' }, scmFolder(scm))),
      vscode.commands.registerCommand(OPEN_REVIEW_DIFF, (arg?: unknown) => this.openDiff(arg)),
    );
  }

  get api(): ReviewApi {
    const self = this;
    const { collection } = this.diagnostics;
    const { store } = this.deps;
    return {
      diagnostics: () => {
        const out: [vscode.Uri, readonly vscode.Diagnostic[]][] = [];
        collection.forEach((uri, diagnostics) => void out.push([uri, diagnostics]));
        return out;
      },
      get current() {
        return store.current;
      },
      reload: () => {
        store.forget();
        return this.restore();
      },
      flushed: () => store.flushed(),
      get restored() {
        return self.restoring ?? Promise.resolve(undefined);
      },
    };
  }

  /**
   * Brings the stored current review back after a window reload (diagnostics, citations, diffs). Git is asked
   * which findings' files on disk are still the reviewed version, so this runs after activation, not in it.
   */
  restore(): Promise<FinishedReview | undefined> {
    this.restoring = this.deps.store.restore(placeFindings).catch((err: Error) => {
      this.deps.log.warn(`could not restore the last review: ${err?.message ?? err}`);
      return undefined;
    });
    return this.restoring;
  }

  /**
   * Runs a review in the chat. `arg` is a source (`{kind: 'range', base, head}`…); anything else (nothing, or
   * what the Source Control title bar passes) asks for one with a QuickPick.
   */
  async review(arg?: unknown, scmFolderHint?: vscode.WorkspaceFolder): Promise<RunOutcome | undefined> {
    const { session } = this.deps;
    let source = parseReviewSource(arg);
    let folder = scmFolderHint ?? scmFolder(arg);
    if (!source && !session.running) {
      // The refs offered come from this folder's repository, so the review runs there too.
      folder ??= WorkspaceMaps.pickFolder();
      if (!folder) {
        void vscode.window.showWarningMessage('Recurse: open a folder inside a git repository to review its changes.');
        return undefined;
      }
      source = await pickReviewSource(folder.uri.fsPath);
      if (!source) return undefined;
    }
    await this.deps.revealChat();
    // While another run goes on, the session answers "busy" in the chat.
    return session.review(source ?? { kind: 'worktree' }, folder ? { folder } : {});
  }

  /**
   * recurse.openReviewDiff: `{review, finding}` (a diagnostic's link or Quick Fix), or `{path, line?, endLine?,
   * review?}` for a file of the review (the current one when no review is named).
   */
  async openDiff(arg?: unknown): Promise<DiffOpenResult> {
    const result = await this.open(arg).catch((err: Error): DiffOpenResult => ({ opened: false, reason: err.message }));
    if (!result.opened) {
      this.deps.log.warn(`cannot open the review diff: ${result.reason}`);
      void vscode.window.showWarningMessage(`Recurse: ${result.reason}`);
    }
    return result;
  }

  /** A chat citation of a review answer: its diff, or undefined when the review is no longer held (then the file opens). */
  async openCitation(message: { path: string; startLine: number; endLine: number; review?: string }): Promise<DiffOpenResult | undefined> {
    const review = message.review === undefined ? undefined : this.deps.store.get(message.review);
    if (!review) return undefined;
    const result = await openReviewDiff(review, message.path, message.startLine, message.endLine).catch(
      (err: Error): DiffOpenResult => ({ opened: false, reason: err.message }),
    );
    if (!result.opened) {
      // Not a file of the diff (a citation of unchanged code): the ordinary citation opener handles it.
      return undefined;
    }
    return result;
  }

  private async open(arg: unknown): Promise<DiffOpenResult> {
    const { store } = this.deps;
    if (isFindingRef(arg)) {
      const review = store.get(arg.review);
      const finding = review?.findings[arg.finding];
      if (!review || !finding) return { opened: false, reason: 'that review finding is no longer held (New Chat or a newer review cleared it)' };
      return openReviewDiff(review, finding.path, finding.line ?? 1, finding.endLine ?? finding.line ?? 1);
    }
    const a = (arg ?? {}) as { review?: unknown; path?: unknown; line?: unknown; endLine?: unknown };
    const review = typeof a.review === 'string' ? store.get(a.review) : store.current;
    if (!review) return { opened: false, reason: 'no review to open a diff of' };
    if (typeof a.path !== 'string' || !a.path) return { opened: false, reason: 'recurse.openReviewDiff needs {review, finding} or {path, line}' };
    const line = Number.isInteger(a.line) && (a.line as number) >= 1 ? (a.line as number) : 1;
    const endLine = Number.isInteger(a.endLine) && (a.endLine as number) >= line ? (a.endLine as number) : line;
    return openReviewDiff(review, a.path, line, endLine);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The workspace folder of a Source Control menu's argument (a repository, or a resource group), if any. */
function scmFolder(arg: unknown): vscode.WorkspaceFolder | undefined {
  const a = arg as { rootUri?: unknown; resourceStates?: { resourceUri?: unknown }[] } | undefined;
  const uri = a?.rootUri instanceof vscode.Uri ? a.rootUri : a?.resourceStates?.[0]?.resourceUri;
  return uri instanceof vscode.Uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
}
