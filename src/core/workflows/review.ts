import { CodeIndex } from '../index/codeIndex';
import { inScopeDir, type Scope, scopeInfo } from '../index/scope';
import type { SymbolIndexOptions } from '../index/symbols/symbolIndex';
import { ReviewCoverage } from '../review/coverage';
import { createDiffHelpers, DIFF_HELPER_DOCS, diffGlobal } from '../review/diffHelpers';
import { type DiffSource, diffMetadata, loadDiff, type ResolvedDiff, resolveCommit } from '../review/diffSource';
import { checkFindings, parseReviewAnswer } from '../review/findings';
import { extractTree } from '../review/headTree';
import { REVIEW_INSTRUCTIONS, reviewQuestion } from '../review/reviewPrompt';
import type { ReviewReport } from '../review/reviewReport';
import { runRlm } from '../rlm/rlm';
import { withSavedTrajectory } from './savedRun';
import { type ModelRunOptions, resolveWorkflowScope, WorkflowRun } from './workflowRun';
import { FileMap, type FileMapOptions } from '../workspace/fileMap';

/**
 * Review: a git diff goes into the REPL as data (`diff`, `hunks`, `readOld`), the root model gets only its
 * metadata and fans out over files and hunks, and its findings come back checked against the diff, with the
 * files it never looked at listed as unreviewed.
 */
export interface ReviewOptions extends ModelRunOptions {
  /** A directory inside the git repository; the review runs over the repository's top level. */
  workspace: string;
  source: DiffSource;
  fileMap?: FileMapOptions;
  /** `false` runs without the code helpers. Default: a new index over the new tree. */
  code?: false;
  symbolIndex?: SymbolIndexOptions;
  /**
   * Limit the review to a directory or a package of the repository (monorepo scoping): only changed files
   * inside it are reviewed, and the files outside it are listed as out of scope in the report.
   */
  scope?: string;
  trajectoryFile?: string;
}

/** The part of a diff inside a scope directory; a rename counts as inside when either side is. */
export function diffInScope(diff: ResolvedDiff, dir: string): { diff: ResolvedDiff; outOfScope: string[] } {
  const inside = diff.files.filter((f) => inScopeDir(dir, f.path) || inScopeDir(dir, f.oldPath));
  const outOfScope = diff.files.filter((f) => !inside.includes(f)).map((f) => f.path);
  const sum = (k: 'additions' | 'deletions') => inside.reduce((n, f) => n + f[k], 0);
  return { diff: { ...diff, files: inside, additions: sum('additions'), deletions: sum('deletions') }, outOfScope };
}

export async function review(options: ReviewOptions): Promise<ReviewReport> {
  const started = Date.now();
  const wholeDiff = await loadDiff(options.workspace, options.source, options.signal);
  let diff = wholeDiff;
  // The workspace helpers must see the new side: the checkout for worktree/staged reviews and when the
  // reviewed commit is HEAD, otherwise the reviewed commit's tree extracted by git.
  const headOfCheckout = await resolveCommit(diff.root, 'HEAD').catch(() => undefined);
  const tree =
    diff.headCommit && diff.headCommit !== headOfCheckout ? await extractTree(diff.root, diff.headCommit, options.signal) : undefined;
  const run = new WorkflowRun(options);
  let code: CodeIndex | undefined;
  try {
    // A checked-out tree is a temp folder, seen once: no snapshot of it.
    const fullMap = await FileMap.load(tree?.dir ?? diff.root, { ...options.fileMap, ...(tree ? { snapshot: false } : {}), signal: options.signal });
    code = options.code === false ? undefined : new CodeIndex(fullMap, { symbols: options.symbolIndex });
    code?.start();
    let scope: Scope | undefined;
    let outOfScope: string[] = [];
    if (options.scope) {
      // As in ask: the index stays whole, the map the model sees is the scope's.
      scope = await resolveWorkflowScope(fullMap, options.scope, code);
      ({ diff, outOfScope } = diffInScope(wholeDiff, scope.dir));
    }
    const map = scope?.map ?? fullMap;
    const coverage = new ReviewCoverage(diff.files);
    const question = reviewQuestion(diff.description, diff.files.length);
    const meta = () => ({
      question,
      workspace: diff.root,
      diff: diff.description,
      ...run.header(),
    });
    return await withSavedTrajectory(options.trajectoryFile, run.trajectory, meta, async () => {
      const result = await runRlm({
        ...run.rlmOptions(),
        question,
        map,
        code,
        extraHelpers: createDiffHelpers(diff),
        extraGlobals: { diff: diffGlobal(diff) },
        extraDocs: DIFF_HELPER_DOCS,
        extraMetadata: {
          diff: diffMetadata(diff),
          ...(scope ? { scope: { ...scopeInfo(scope), outOfScopeFiles: outOfScope.length } } : {}),
        },
        instructions: REVIEW_INSTRUCTIONS,
        onHelperCall: (name, args) => coverage.observe(name, args),
        onSubCall: (_kind, prompt) => coverage.observeSubCall(prompt),
      });
      const parsed = parseReviewAnswer(result.answer);
      const report: ReviewReport = {
        summary: parsed.summary,
        findings: checkFindings(parsed.findings, diff.files),
        reviewed: coverage.reviewed(),
        unreviewed: coverage.unreviewed(),
        ...(scope ? { scope: scopeInfo(scope), outOfScope } : {}),
        diff: {
          description: diff.description,
          baseCommit: diff.baseCommit,
          ...(diff.headCommit ? { headCommit: diff.headCommit } : {}),
          files: diff.files.map((f) => ({
            path: f.path,
            ...(f.oldPath !== f.path ? { oldPath: f.oldPath } : {}),
            status: f.status,
            binary: f.binary,
            additions: f.additions,
            deletions: f.deletions,
          })),
          additions: diff.additions,
          deletions: diff.deletions,
        },
        answer: result.answer,
        ...(parsed.parseError ? { parseError: parsed.parseError } : {}),
        forced: result.forced,
        reason: result.reason,
        usage: run.usage(result.iterations),
        durationMs: Date.now() - started,
      };
      return { result: report, saved: { helperCalls: coverage.calls(), result: report } };
    });
  } finally {
    code?.dispose();
    await tree?.dispose();
  }
}
