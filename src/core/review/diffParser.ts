/**
 * Parses what `git diff` prints. Three outputs of the same diff are combined: `--raw -z` (status, old and
 * new paths, unambiguous even for odd file names), `--numstat -z` (line counts; `-` marks a binary file) and
 * the unified patch (hunks). git emits the file pairs of one diff in the same order in every format, so the
 * patch's `diff --git` sections are matched to the raw records by position, never by re-parsing quoted paths.
 */

export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'typechange' | 'unmerged' | 'unknown';

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The hunk header's trailing text (often the enclosing function). */
  header: string;
  /** Every line with its prefix: ' ' context, '+' added, '-' removed, '\\' "No newline at end of file". */
  lines: string[];
}

export interface DiffFile {
  path: string;
  /** The path at the base: differs from `path` for renames and copies. */
  oldPath: string;
  status: FileStatus;
  /** git judged the content binary: no hunks, no line counts. */
  binary: boolean;
  /** Similarity of a rename or copy, 0–100. */
  similarity?: number;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
  /** Set when the content is withheld from the model (a secret file): the file is listed, its lines are not. */
  withheld?: string;
}

interface RawRecord {
  status: FileStatus;
  similarity?: number;
  oldPath: string;
  path: string;
}

const STATUS: Record<string, FileStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'typechange',
  U: 'unmerged',
  X: 'unknown',
};

/** `:100644 100644 abc def M\0path\0` or `:… R087\0old\0new\0`. */
export function parseRaw(raw: string): RawRecord[] {
  const parts = raw.split('\0');
  const records: RawRecord[] = [];
  let i = 0;
  while (i < parts.length) {
    const head = parts[i];
    if (head === '' || head === '\n') {
      i++;
      continue;
    }
    if (!head.startsWith(':')) throw new Error(`unexpected git diff --raw record: ${JSON.stringify(head.slice(0, 80))}`);
    const code = head.trim().split(' ').pop() ?? '';
    const letter = code[0];
    const status = STATUS[letter] ?? 'unknown';
    const score = code.length > 1 ? Number(code.slice(1)) : undefined;
    if (letter === 'R' || letter === 'C') {
      records.push({ status, similarity: score, oldPath: parts[i + 1], path: parts[i + 2] });
      i += 3;
    } else {
      records.push({ status, oldPath: parts[i + 1], path: parts[i + 1] });
      i += 2;
    }
  }
  return records;
}

export interface NumstatRecord {
  path: string;
  additions: number;
  deletions: number;
  binary: boolean;
}

/** `12\t3\tpath\0` or, for renames, `12\t3\t\0old\0new\0`; binary files count as `-\t-`. */
export function parseNumstat(raw: string): NumstatRecord[] {
  const parts = raw.split('\0');
  const records: NumstatRecord[] = [];
  let i = 0;
  while (i < parts.length) {
    const head = parts[i].replace(/^\n/, '');
    if (head === '') {
      i++;
      continue;
    }
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(head);
    if (!m) throw new Error(`unexpected git diff --numstat record: ${JSON.stringify(head.slice(0, 80))}`);
    const binary = m[1] === '-' && m[2] === '-';
    const counts = { additions: binary ? 0 : Number(m[1]), deletions: binary ? 0 : Number(m[2]), binary };
    if (m[3] === '') {
      records.push({ path: parts[i + 2], ...counts });
      i += 3;
    } else {
      records.push({ path: m[3], ...counts });
      i += 1;
    }
  }
  return records;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/** The hunks of one `diff --git` section; hunk bodies are read by their line counts, not by guessing. */
export function parseHunks(section: string[]): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let i = 0;
  while (i < section.length) {
    const m = HUNK_HEADER.exec(section[i]);
    if (!m) {
      i++;
      continue;
    }
    const hunk: DiffHunk = {
      oldStart: Number(m[1]),
      oldLines: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newLines: m[4] === undefined ? 1 : Number(m[4]),
      header: m[5] ?? '',
      lines: [],
    };
    i++;
    let oldLeft = hunk.oldLines;
    let newLeft = hunk.newLines;
    while (i < section.length && (oldLeft > 0 || newLeft > 0 || section[i].startsWith('\\'))) {
      const line = section[i];
      const kind = line[0];
      if (kind === ' ') {
        oldLeft--;
        newLeft--;
      } else if (kind === '-') oldLeft--;
      else if (kind === '+') newLeft--;
      else if (kind !== '\\') {
        // An empty context line can lose its leading space in transit (some tools strip trailing blanks).
        if (line !== '') throw new Error(`malformed hunk line: ${JSON.stringify(line.slice(0, 80))}`);
        oldLeft--;
        newLeft--;
        hunk.lines.push(' ');
        i++;
        continue;
      }
      hunk.lines.push(line);
      i++;
    }
    if (oldLeft !== 0 || newLeft !== 0) throw new Error(`truncated hunk at -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines}`);
    hunks.push(hunk);
  }
  return hunks;
}

/** Splits a whole patch into its `diff --git` sections, in order. */
export function splitPatch(patch: string): string[][] {
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const sections: string[][] = [];
  let current: string[] | undefined;
  let hunkBudget = { old: 0, new: 0 };
  for (const line of lines) {
    // Inside a hunk every line is prefixed, so a header can only start where no hunk lines are pending.
    const inHunk = hunkBudget.old > 0 || hunkBudget.new > 0;
    if (!inHunk && line.startsWith('diff --git ')) {
      current = [line];
      sections.push(current);
      continue;
    }
    if (!current) continue;
    current.push(line);
    const m = inHunk ? undefined : HUNK_HEADER.exec(line);
    if (m) hunkBudget = { old: m[2] === undefined ? 1 : Number(m[2]), new: m[4] === undefined ? 1 : Number(m[4]) };
    else if (inHunk) {
      if (line[0] === ' ' || line === '') {
        hunkBudget.old--;
        hunkBudget.new--;
      } else if (line[0] === '-') hunkBudget.old--;
      else if (line[0] === '+') hunkBudget.new--;
    }
  }
  return sections;
}

/** Combines the three outputs into the files of one diff. */
export function buildDiffFiles(raw: string, numstat: string, patch: string): DiffFile[] {
  const records = parseRaw(raw);
  const counts = parseNumstat(numstat);
  const sections = splitPatch(patch);
  if (counts.length !== records.length || sections.length !== records.length) {
    throw new Error(
      `git diff outputs disagree: ${records.length} raw records, ${counts.length} numstat records, ${sections.length} patch sections`,
    );
  }
  return records.map((r, i) => {
    const c = counts[i];
    const binary = c.binary || sections[i].some((l) => /^Binary files .* differ$/.test(l) || l === 'GIT binary patch');
    return {
      path: r.path,
      oldPath: r.oldPath,
      status: r.status,
      binary,
      ...(r.similarity !== undefined ? { similarity: r.similarity } : {}),
      additions: c.additions,
      deletions: c.deletions,
      hunks: binary ? [] : parseHunks(sections[i]),
    };
  });
}
