import type { DiffFile } from './diffParser';

/**
 * Findings: parsed from the model's final markdown (a ```json block, or the whole text as JSON) and checked
 * against the diff. A finding whose location is not on the changed side of the diff is kept, flagged with
 * the reason, so a reader sees everything the model said and knows what was not verified.
 */

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export interface Finding {
  severity: Severity;
  path: string;
  line?: number;
  endLine?: number;
  title: string;
  detail: string;
  suggestion?: string;
}

export interface CheckedFinding extends Finding {
  /** The location lies in a hunk of the file, on its new side (old side for a deleted file). */
  valid: boolean;
  /** Which side of the diff the line refers to. */
  side?: 'new' | 'old';
  reason?: string;
}

export interface ParsedReview {
  summary: string;
  findings: Finding[];
  /** Set when the answer held no usable JSON: the summary is then the answer itself. */
  parseError?: string;
}

function candidates(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:json|JSON)?[ \t]*\n([\s\S]*?)\n?```/g)].map((m) => m[1]);
  return [...blocks.reverse(), markdown.trim()];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function lineNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
}

function toFinding(raw: unknown): Finding | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const path = str(r.path) ?? str(r.file);
  const title = str(r.title) ?? str(r.message);
  if (!path || !title) return undefined;
  const sev = str(r.severity)?.toLowerCase();
  const severity: Severity = sev === 'error' || sev === 'warning' || sev === 'info' ? sev : sev === 'note' ? 'info' : 'warning';
  const line = lineNumber(r.line) ?? lineNumber(r.startLine);
  const endLine = lineNumber(r.endLine);
  return {
    severity,
    path: path.replace(/^\.\//, ''),
    ...(line !== undefined ? { line } : {}),
    ...(endLine !== undefined && line !== undefined && endLine >= line ? { endLine } : {}),
    title,
    detail: str(r.detail) ?? str(r.description) ?? '',
    ...(str(r.suggestion) ? { suggestion: str(r.suggestion) } : {}),
  };
}

export function parseReviewAnswer(markdown: string): ParsedReview {
  let lastError = 'no JSON object found';
  for (const text of candidates(markdown)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      lastError = (err as Error).message;
      continue;
    }
    const obj = Array.isArray(value) ? { findings: value } : (value as Record<string, unknown>);
    if (!obj || typeof obj !== 'object' || !Array.isArray(obj.findings)) {
      lastError = 'the JSON has no "findings" array';
      continue;
    }
    const findings = (obj.findings as unknown[]).map(toFinding).filter((f): f is Finding => f !== undefined);
    const prose = markdown.replace(/```(?:json|JSON)?[ \t]*\n[\s\S]*?```/g, '').trim();
    return { summary: str(obj.summary) ?? prose, findings };
  }
  return { summary: markdown.trim(), findings: [], parseError: `the review answer held no findings JSON (${lastError})` };
}

function inRanges(line: number, ranges: [number, number][]): boolean {
  return ranges.some(([s, e]) => line >= s && line <= e);
}

export function checkFinding(finding: Finding, files: DiffFile[]): CheckedFinding {
  const file = files.find((f) => f.path === finding.path) ?? files.find((f) => f.oldPath === finding.path);
  if (!file) return { ...finding, valid: false, reason: `${finding.path} is not a file of this diff` };
  const located = { ...finding, path: file.path };
  if (finding.line === undefined) {
    // A finding about a whole file (a binary, a deletion, a rename) needs no line.
    return { ...located, valid: true };
  }
  const side: 'new' | 'old' = file.status === 'deleted' ? 'old' : 'new';
  if (file.binary || file.hunks.length === 0) {
    return { ...located, side, valid: false, reason: `${file.path} has no text hunks (${file.binary ? 'binary' : 'no content change'}): a line cannot be checked` };
  }
  const ranges: [number, number][] = file.hunks.map((h) =>
    side === 'old' ? [h.oldStart, h.oldStart + h.oldLines - 1] : [h.newStart, h.newStart + h.newLines - 1],
  );
  const end = finding.endLine ?? finding.line;
  if (!inRanges(finding.line, ranges)) {
    return {
      ...located,
      side,
      valid: false,
      reason: `line ${finding.line} is outside the changed hunks of ${file.path} (${side} side: ${ranges.map(([s, e]) => `${s}-${e}`).join(', ')})`,
    };
  }
  if (!inRanges(end, ranges)) {
    return { ...located, side, valid: false, reason: `endLine ${end} is outside the changed hunks of ${file.path}` };
  }
  return { ...located, side, valid: true };
}

export function checkFindings(findings: Finding[], files: DiffFile[]): CheckedFinding[] {
  const order = (s: Severity) => SEVERITIES.indexOf(s);
  return findings
    .map((f) => checkFinding(f, files))
    .sort((a, b) => order(a.severity) - order(b.severity) || a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
}
