import type { HelperDoc } from '../rlm/helperDocs';
import type { HostFunction } from '../sandbox/sandbox';
import type { DiffFile, DiffHunk } from './diffParser';
import type { ResolvedDiff } from './diffSource';
import { gitSync } from './git';

/**
 * The REPL side of a review: the whole diff as the `diff` global, `hunks(path)` and `readOld(path, start, end)`
 * (text at the base commit). The workspace helpers (read, grep, findSymbol…) see the new tree.
 */

export const DIFF_HELPER_DOCS: HelperDoc[] = [
  {
    signature:
      'diff: { description, baseCommit, headCommit, additions, deletions, files: {path, oldPath, status, binary, additions, deletions, hunks: {oldStart, oldLines, newStart, newLines, header, lines}[]}[] }',
    description:
      "The whole diff under review (never truncated). `status` is added|modified|deleted|renamed|copied|typechange; each hunk's `lines` keep their ' ', '+', '-' prefixes.",
  },
  {
    signature: 'hunks(path: string): string',
    description: 'The hunks of one changed file as unified-diff text, each line numbered on its new side (old side for removed lines).',
  },
  {
    signature: 'readOld(path: string, startLine?: number, endLine?: number): string',
    description: 'Lines of a changed file as they were at the base commit (the old path of a rename works too; default the first 200 lines).',
  },
];

function fail(helper: string, message: string): never {
  throw new Error(`${helper}: ${message}`);
}

/** The file a helper argument names: its new path, or its old path for renames and deletions. */
export function findDiffFile(diff: ResolvedDiff, path: unknown, helper: string): DiffFile {
  if (typeof path !== 'string' || path.length === 0) fail(helper, 'path must be a non-empty string');
  const clean = path.replace(/^\.\//, '');
  const file = diff.files.find((f) => f.path === clean) ?? diff.files.find((f) => f.oldPath === clean);
  if (!file) {
    const near = diff.files.filter((f) => f.path.endsWith(clean.split('/').pop() ?? clean)).slice(0, 3);
    fail(helper, `"${path}" is not a file of this diff${near.length ? ` (did you mean ${near.map((f) => f.path).join(', ')}?)` : ''}`);
  }
  return file;
}

/** A hunk as text with line numbers: `+ 12 | text` (new side), `- 10 | text` (old side), `  12 | text` (context). */
export function renderHunk(hunk: DiffHunk): string {
  const out = [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@${hunk.header ? ` ${hunk.header}` : ''}`];
  let oldLine = hunk.oldStart;
  let newLine = hunk.newStart;
  for (const line of hunk.lines) {
    const kind = line[0];
    const text = line.slice(1);
    if (kind === '+') out.push(`+ ${String(newLine++).padStart(5)} | ${text}`);
    else if (kind === '-') out.push(`- ${String(oldLine++).padStart(5)} | ${text}`);
    else if (kind === '\\') out.push(`  ${''.padStart(5)} | ${line}`);
    else {
      out.push(`  ${String(newLine).padStart(5)} | ${text}`);
      oldLine++;
      newLine++;
    }
  }
  return out.join('\n');
}

export function renderFileHunks(file: DiffFile): string {
  const head = `${file.status}${file.oldPath !== file.path ? ` from ${file.oldPath}` : ''}: ${file.path} (+${file.additions} -${file.deletions})`;
  if (file.withheld) return `${head}\n(${file.withheld})`;
  if (file.binary) return `${head}\n(binary file: no text hunks)`;
  if (file.hunks.length === 0) return `${head}\n(no content change)`;
  return `${head}\n${file.hunks.map(renderHunk).join('\n')}`;
}

const DEFAULT_READ_LINES = 200;

export function createDiffHelpers(diff: ResolvedDiff): Record<string, HostFunction> {
  const oldText = new Map<string, string[]>();
  const linesAtBase = (file: DiffFile): string[] => {
    let lines = oldText.get(file.oldPath);
    if (!lines) {
      if (file.status === 'added') fail('readOld', `${file.path} was added: it has no old version`);
      if (file.withheld) fail('readOld', `${file.path}: ${file.withheld}`);
      if (file.binary) fail('readOld', `${file.path} is binary`);
      const text = gitSync(diff.root, ['cat-file', 'blob', `${diff.baseCommit}:${file.oldPath}`]).toString('utf8');
      lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      oldText.set(file.oldPath, lines);
    }
    return lines;
  };
  const int = (helper: string, name: string, value: unknown, fallback: number): number => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(helper, `${name} must be an integer, got ${JSON.stringify(value)}`);
    return value;
  };
  return {
    hunks: (path: unknown) => renderFileHunks(findDiffFile(diff, path, 'hunks')),
    readOld: (path: unknown, start?: unknown, end?: unknown) => {
      const file = findDiffFile(diff, path, 'readOld');
      const s = int('readOld', 'startLine', start, 1);
      const e = int('readOld', 'endLine', end, s + DEFAULT_READ_LINES - 1);
      if (s < 1) fail('readOld', 'startLine is 1-based and must be >= 1');
      if (e < s) fail('readOld', `endLine (${e}) is before startLine (${s})`);
      const lines = linesAtBase(file);
      if (s > lines.length) fail('readOld', `${file.oldPath} had ${lines.length} lines at the base`);
      return lines.slice(s - 1, e).join('\n');
    },
  };
}

/** The `diff` global: the whole diff, as plain JSON. */
export function diffGlobal(diff: ResolvedDiff) {
  return {
    description: diff.description,
    baseCommit: diff.baseCommit,
    headCommit: diff.headCommit ?? null,
    additions: diff.additions,
    deletions: diff.deletions,
    files: diff.files,
  };
}
