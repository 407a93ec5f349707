import { type ScopeInfo, scopeLabel } from '../index/scope';
import type { FileStatus } from './diffParser';
import type { CheckedFinding, Severity } from './findings';

/** A finished review and its three renderings: markdown for people, JSON for scripts, SARIF 2.1.0 for code scanning. */

export interface ReviewedFileStat {
  path: string;
  oldPath?: string;
  status: FileStatus;
  binary: boolean;
  additions: number;
  deletions: number;
}

export interface ReviewReport {
  summary: string;
  findings: CheckedFinding[];
  /** Changed files the review looked at, and those it never did (a budget ran out, or the model skipped them). */
  reviewed: string[];
  unreviewed: string[];
  /** The directory or package the review was limited to, and the changed files outside it (never reviewed). */
  scope?: ScopeInfo;
  outOfScope?: string[];
  diff: { description: string; baseCommit: string; headCommit?: string; files: ReviewedFileStat[]; additions: number; deletions: number };
  /** The model's final answer as it was given. */
  answer: string;
  /** The answer held no findings JSON. */
  parseError?: string;
  forced: boolean;
  reason: string;
  usage: { totalTokens: number; iterations: number; subCalls: number; cost?: number };
  durationMs: number;
}

const SEVERITY_TITLE: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Notes' };

function location(f: CheckedFinding): string {
  if (f.line === undefined) return f.path;
  return `${f.path}:${f.line}${f.endLine !== undefined && f.endLine !== f.line ? `-${f.endLine}` : ''}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function toMarkdown(report: ReviewReport): string {
  const out: string[] = [`# Review: ${report.diff.description}`, ''];
  out.push(
    `${count(report.diff.files.length, 'file')}, +${report.diff.additions} -${report.diff.deletions} · ${count(report.findings.length, 'finding')} · ` +
      `${count(report.reviewed.length, 'file')} reviewed, ${report.unreviewed.length} unreviewed`,
    '',
  );
  if (report.scope) {
    out.push(`Scope: ${scopeLabel(report.scope)} · ${report.outOfScope?.length ?? 0} changed files outside it not reviewed`, '');
  }
  if (report.forced) out.push(`> The run stopped early (${report.reason}): the review may be incomplete.`, '');
  if (report.parseError) out.push(`> ${report.parseError}; the answer is shown as the summary.`, '');
  out.push('## Summary', '', report.summary || '(no summary)', '');
  for (const severity of ['error', 'warning', 'info'] as Severity[]) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(`## ${SEVERITY_TITLE[severity]} (${group.length})`, '');
    for (const f of group) {
      out.push(`- **${location(f)}** — ${f.title}${f.valid ? '' : ` [✗ location not in the diff: ${f.reason}]`}`);
      // Detail and suggestion as paragraphs of the item, not run on after the title.
      if (f.detail) out.push('', `  ${f.detail.replace(/\n/g, '\n  ')}`);
      if (f.suggestion) out.push('', `  Suggestion: ${f.suggestion.replace(/\n/g, '\n  ')}`);
    }
    out.push('');
  }
  if (report.findings.length === 0) out.push('No findings.', '');
  if (report.unreviewed.length) {
    out.push(`## Unreviewed (${report.unreviewed.length})`, '', 'The review never looked at these changed files:', '');
    for (const p of report.unreviewed) out.push(`- ${p}`);
    out.push('');
  }
  if (report.outOfScope?.length) {
    out.push(`## Out of scope (${report.outOfScope.length})`, '', `Changed files outside ${scopeLabel(report.scope!)}, not reviewed:`, '');
    for (const p of report.outOfScope) out.push(`- ${p}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function toJson(report: ReviewReport): string {
  return `${JSON.stringify(
    {
      summary: report.summary,
      findings: report.findings,
      reviewed: report.reviewed,
      unreviewed: report.unreviewed,
      ...(report.scope ? { scope: report.scope, outOfScope: report.outOfScope ?? [] } : {}),
      diff: report.diff,
      ...(report.parseError ? { parseError: report.parseError } : {}),
      forced: report.forced,
      reason: report.reason,
      usage: report.usage,
      durationMs: report.durationMs,
    },
    null,
    2,
  )}\n`;
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A relative URI for a repository path: every segment percent-encoded, so `#`, `?` and `%` in names stay part of the path. */
function artifactUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function ruleId(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `recurse/${slug || 'finding'}`;
}

/** SARIF 2.1.0: one run, one result per finding; unverified locations are kept and marked in properties. */
export function toSarif(report: ReviewReport, toolVersion = '0.1.0'): object {
  const rules = new Map<string, { id: string; name: string; shortDescription: { text: string } }>();
  const results = report.findings.map((f) => {
    const id = ruleId(f.title);
    if (!rules.has(id)) rules.set(id, { id, name: f.title.slice(0, 120), shortDescription: { text: f.title } });
    const text = [f.title, f.detail, f.suggestion ? `Suggestion: ${f.suggestion}` : ''].filter(Boolean).join('\n\n');
    const region = f.line !== undefined ? { startLine: f.line, ...(f.endLine !== undefined ? { endLine: f.endLine } : {}) } : undefined;
    return {
      ruleId: id,
      level: LEVEL[f.severity],
      message: { text },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(f.path), uriBaseId: '%SRCROOT%' },
            ...(region ? { region } : {}),
          },
        },
      ],
      properties: { severity: f.severity, locationVerified: f.valid, ...(f.reason ? { locationProblem: f.reason } : {}) },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Recurse', version: toolVersion, rules: [...rules.values()] } },
        invocations: [
          {
            executionSuccessful: !report.forced,
            toolExecutionNotifications: report.unreviewed.map((path) => ({
              level: 'warning',
              message: { text: `unreviewed: the review never looked at ${path}` },
              locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(path), uriBaseId: '%SRCROOT%' } } }],
            })),
          },
        ],
        results,
        properties: {
          summary: report.summary,
          diff: report.diff.description,
          reviewed: report.reviewed,
          unreviewed: report.unreviewed,
          ...(report.scope ? { scope: report.scope, outOfScope: report.outOfScope ?? [] } : {}),
        },
      },
    ],
  };
}
