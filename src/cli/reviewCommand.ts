import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DiffSource } from '../core/review/diffSource';
import { ScopeError, scopeLabel } from '../core/index/scope';
import { GitError } from '../core/review/git';
import { toJson, toMarkdown, toSarif } from '../core/review/reviewReport';
import { review } from '../core/workflows/review';
import { type CliArgs, MODEL_OPTIONS, type ModelFlags, parseFlags, readScope, RUN_OPTIONS, type RunFlags, readModelFlags, readRunOptions, UsageError } from './args';
import { runOptions } from './askCommand';
import { createCliModels } from './models';

/** `recurse review`: a git diff reviewed by the RLM, printed as markdown, JSON or SARIF 2.1.0. */

export const REVIEW_USAGE = `Usage:
  recurse review [options]             review a git change and report findings

Sources (default: working tree vs HEAD):
      --staged             staged changes vs HEAD
      --commit REF         one commit vs its parent
      --base REF           HEAD (or --head) vs its merge-base with REF, as a pull request shows it
      --base A --head B    the range A..B, compared directly

Scope:
      --scope DIR|PACKAGE  review only the changed files inside a directory (from the repository's top level) or
                           a package; changed files outside it are listed as out of scope, never reviewed

Options:
  -w, --workspace DIR      a directory of the git repository (default: current directory)
      --format F           markdown (default), json or sarif
  -o, --output FILE        write the report there instead of stdout
  and the model and budget options of recurse ask (--model, --sub-model, --base-url, --api-key, --config,
  --max-iterations, --max-depth, --max-sub-calls, --max-tokens, --timeout, --concurrency, --max-file-size,
  --exclude, --trajectory, --quiet).

Exit codes: 0 reviewed, 1 failed, 2 usage, configuration or git ref error, 130 cancelled.`;

export type ReviewFormat = 'markdown' | 'json' | 'sarif';

export type ReviewArgs = ModelFlags &
  RunFlags &
  Pick<CliArgs, 'workspace' | 'scope' | 'trajectory' | 'quiet'> & {
    source: DiffSource;
    format: ReviewFormat;
    output?: string;
    help: boolean;
  };

/** Parses the arguments after `review`. */
export function parseReviewArgs(argv: string[]): ReviewArgs {
  const parsed = parseFlags({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      base: { type: 'string' },
      head: { type: 'string' },
      staged: { type: 'boolean' },
      commit: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      scope: { type: 'string' },
      ...MODEL_OPTIONS,
      ...RUN_OPTIONS,
      trajectory: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  const format = (v.format ?? 'markdown') as ReviewFormat;
  if (!['markdown', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be markdown, json or sarif, got "${v.format}"`);
  const chosen = [v.staged && '--staged', v.commit !== undefined && '--commit', v.base !== undefined && '--base'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`choose one source: ${chosen.join(', ')} cannot be combined`);
  if (v.head !== undefined && v.base === undefined) throw new UsageError('--head needs --base (the range base..head)');
  let source: DiffSource = { kind: 'worktree' };
  if (v.staged) source = { kind: 'staged' };
  else if (v.commit !== undefined) source = { kind: 'commit', ref: v.commit };
  else if (v.base !== undefined) source = v.head !== undefined ? { kind: 'range', base: v.base, head: v.head } : { kind: 'branch', base: v.base };
  for (const ref of [v.commit, v.base, v.head]) if (ref !== undefined && ref.trim() === '') throw new UsageError('a git ref cannot be empty');
  return {
    workspace: v.workspace ?? process.cwd(),
    source,
    format,
    output: v.output,
    scope: readScope(v),
    ...readModelFlags(v),
    ...readRunOptions(v),
    trajectory: v.trajectory,
    quiet: Boolean(v.quiet),
    help: Boolean(v.help),
  };
}

function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs `recurse review <args>`; returns the exit code. Usage and git ref errors are reported here (exit 2). */
export async function runReview(argv: string[], signal: AbortSignal): Promise<number> {
  let args: ReviewArgs;
  try {
    args = parseReviewArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`recurse review: ${e.message}\n\n${REVIEW_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${REVIEW_USAGE}\n`);
    return 0;
  }
  const root = resolve(args.workspace);
  const models = await createCliModels(args, root);
  if (!args.quiet) err(`recurse review: ${models.label}`);
  let report;
  try {
    report = await review({ ...runOptions(args, root, models, signal), source: args.source });
  } catch (e) {
    if ((e instanceof GitError && e.userError) || e instanceof ScopeError) {
      err(`recurse review: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const text = args.format === 'json' ? toJson(report) : args.format === 'sarif' ? `${JSON.stringify(toSarif(report), null, 2)}\n` : toMarkdown(report);
  if (args.output) await writeFile(args.output, text);
  else process.stdout.write(text);
  if (!args.quiet) {
    const invalid = report.findings.filter((f) => !f.valid).length;
    err(
      `— ${report.findings.length} findings${invalid ? ` (${invalid} with unverified locations)` : ''} · ${report.reviewed.length}/${report.diff.files.length} files reviewed` +
        ` · ${report.usage.iterations} turns · ${report.usage.subCalls} sub-calls · ${report.usage.totalTokens} tokens · ${(report.durationMs / 1000).toFixed(1)} s` +
        `${args.output ? ` · written to ${args.output}` : ''}`,
    );
    if (report.unreviewed.length) err(`— unreviewed: ${report.unreviewed.length} files (listed in the report)`);
    if (report.scope) err(`— scope: ${scopeLabel(report.scope)} · ${report.outOfScope?.length ?? 0} changed files out of scope (listed in the report)`);
  }
  return 0;
}
