import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { CompiledPattern } from './grep';
import { rgPattern } from './rgPattern';
import { ripgrepOutput, ripgrepOutputSync } from './ripgrepOutput';
import { SECRET_PATTERNS } from './secrets';

/**
 * ripgrep as grep's first pass: given the map's files (never a directory, so ripgrep's own ignore rules play no
 * part and the map's secret, ignore and scope rules hold as they are), it prints the lines that may match; the
 * in-process search then judges each of those lines with the JavaScript pattern, so results are exactly the
 * in-process ones. Any failure (no binary, a pattern ripgrep refuses, a file error, too much output) returns
 * undefined and the caller searches in-process.
 */

/** A file to hand to ripgrep: its folder on disk and its path under that folder. */
export interface DiskFile {
  root: string;
  rel: string;
}

/**
 * The lines ripgrep printed for one file: numbers, and where each line's raw bytes (without the newline) sit in
 * ripgrep's output — offsets, not a Buffer per line, since a common pattern prints hundreds of thousands.
 */
export class RipgrepLines {
  readonly numbers: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly output: Buffer) {}

  add(line: number, start: number, end: number): void {
    this.numbers.push(line);
    this.starts.push(start);
    this.ends.push(end);
  }

  get length(): number {
    return this.numbers.length;
  }

  /** Line `k` decoded as the in-process search decodes a file (UTF-8, invalid bytes replaced). */
  text(k: number): string {
    return this.output.toString('utf8', this.starts[k], this.ends[k]);
  }
}

/** The ripgrep arguments selecting the lines that may match `compiled`, or undefined when none are sure to. */
export function ripgrepQuery(compiled: CompiledPattern): string[] | undefined {
  const rust = rgPattern(compiled.line.source, compiled.line.flags.replace('m', ''));
  if (rust !== undefined) return ['--regexp', rust];
  const literal = compiled.literal;
  if (!literal || literal.text === '' || /[\r\n]/.test(literal.text)) return undefined;
  return ['--fixed-strings', ...(literal.ignoreCase ? ['--ignore-case'] : []), '--regexp', literal.text];
}

const BASE_ARGS = ['--no-config', '--text', '--encoding', 'none', '--no-messages', '--color', 'never', '--no-heading', '--with-filename', '--line-number', '--null'];
/** Command-line room per ripgrep process (Windows allows 32K characters; Linux 2 MiB for arguments and environment). */
const ARG_BUDGET = process.platform === 'win32' ? 24_000 : 1024 * 1024;
export { OUTPUT_CAP } from './ripgrepOutput';

/**
 * Files handed to ripgrep as the folders that hold them, one level deep each (`--max-depth 1`, nothing ignored,
 * links followed): quicker than naming tens of thousands of files when they are nearly all of those folders' files.
 * ripgrep also reads the folders' other files; their lines are dropped, so the result is the same.
 */
export interface FolderSearch {
  root: string;
  /** Folders under `root` ('' for the root itself). */
  folders: string[];
  /** The caller's files, by index: paths under `root`. */
  files: readonly string[];
  /** Index of each of `files`, when the caller has it already (built here otherwise). */
  byRel?: Map<string, number>;
  /** Files (of `files`) handed to ripgrep by name besides the folders: those of folders not to be read whole. */
  named?: readonly string[];
}

interface Batch {
  root: string;
  /** ripgrep's path arguments. */
  args: string[];
  /** Index (into the caller's list) of each path ripgrep may print. */
  byRel: Map<string, number>;
  /** Folder batches: lines of files that are not the caller's are dropped (a file batch fails on one). */
  folders: boolean;
}

/** `items` in runs whose ripgrep arguments fit one command line, a new run also wherever `split` says so. */
function fitting<T>(items: readonly T[], arg: (item: T) => string, split: (prev: T, next: T) => boolean = () => false): T[][] {
  const runs: T[][] = [];
  let chars = 0;
  for (const item of items) {
    const run = runs[runs.length - 1];
    const length = arg(item).length + 1;
    if (!run || split(run[run.length - 1], item) || chars + length > ARG_BUDGET) {
      runs.push([item]);
      chars = 0;
    } else run.push(item);
    chars += length;
  }
  return runs;
}

/** The caller's files (or folders) in command lines that fit, one root folder per process. */
function batches(files: readonly DiskFile[] | FolderSearch): Batch[] {
  if (!Array.isArray(files)) {
    const search = files as FolderSearch;
    const byRel = search.byRel ?? new Map(search.files.map((rel, i) => [rel, i]));
    const arg = (folder: string): string => (folder === '' ? '.' : folder);
    // A named file is searched whatever --max-depth says; a path starting with '-' is never taken for an option (`--`).
    const args = [...search.folders.map(arg), ...(search.named ?? [])];
    return fitting(args, (a) => a).map((run) => ({ root: search.root, args: run, byRel, folders: true }));
  }
  const indexed = (files as readonly DiskFile[]).map((file, i) => ({ file, i }));
  return fitting(indexed, (f) => f.file.rel, (a, b) => a.file.root !== b.file.root).map((run) => ({
    root: run[0].file.root,
    args: run.map((f) => f.file.rel),
    byRel: new Map(run.map((f) => [f.file.rel, f.i])),
    folders: false,
  }));
}

/**
 * Adds the lines in ripgrep's output (`path NUL number : text LF` per line) to `into`, by caller index; false when
 * ripgrep failed or printed something unexpected.
 */
function collect(batch: Batch, status: number | null, stdout: Buffer, into: Map<number, RipgrepLines>): boolean {
  if (status !== 0 && status !== 1) return false; // 2: an error (bad pattern, unreadable file)
  const { byRel } = batch;
  let at = 0;
  // ripgrep prints a file's lines together: the path is decoded once per file.
  let path: Buffer | undefined;
  let list: RipgrepLines | undefined;
  while (at < stdout.length) {
    const nul = stdout.indexOf(0, at);
    const colon = nul === -1 ? -1 : stdout.indexOf(0x3a, nul + 1);
    const end = colon === -1 ? -1 : stdout.indexOf(0x0a, colon + 1);
    if (end === -1) return false;
    if (!path || !list || stdout.compare(path, 0, path.length, at, nul) !== 0) {
      const printed = stdout.toString('utf8', at, nul);
      const index = byRel.get(batch.folders && printed.startsWith('./') ? printed.slice(2) : printed);
      if (index === undefined) {
        if (!batch.folders) return false; // a path we did not give: don't guess
        at = end + 1; // a file of those folders that is not the caller's
        path = list = undefined;
        continue;
      }
      path = stdout.subarray(at, nul);
      list = into.get(index);
      if (!list) into.set(index, (list = new RipgrepLines(stdout)));
    }
    let line = 0;
    for (let i = nul + 1; i < colon; i++) {
      const digit = stdout[i] - 0x30;
      if (digit < 0 || digit > 9) return false;
      line = line * 10 + digit;
    }
    if (line < 1) return false;
    list.add(line, colon + 1, end);
    at = end + 1;
  }
  return true;
}

/**
 * A folder's files all read, one level down, except secrets: a secret's lines would be dropped as not the caller's,
 * but they are not even to be read (and ripgrep's output may be a file).
 */
const FOLDER_ARGS = ['--no-ignore', '--hidden', '--follow', '--max-depth', '1', ...SECRET_PATTERNS.map((p) => `--iglob=!${p.replace(/\/$/, '')}`)];

function argsFor(query: string[], maxPerFile: number, batch: Batch): string[] {
  return [...BASE_ARGS, ...(batch.folders ? FOLDER_ARGS : []), '--max-count', String(maxPerFile), ...query, '--', ...batch.args];
}

const checked = new Map<string, boolean>();

/** True when `rg` says it is ripgrep (asked once per binary): an exit status from anything else means nothing. */
function isRipgrep(rg: string): boolean {
  let ok = checked.get(rg);
  if (ok === undefined) {
    const run = spawnSync(rg, ['--version'], { timeout: 10_000, windowsHide: true });
    ok = run.status === 0 && /^ripgrep \d/.test(run.stdout?.toString() ?? '');
    checked.set(rg, ok);
  }
  return ok;
}

/** What ripgrep printed for `files`, by index into `files` (files without a line are absent); see `ripgrepLines`. */
export function ripgrepLinesSync(rg: string, query: string[], files: readonly DiskFile[] | FolderSearch, maxPerFile: number, timeoutMs = 60_000): Map<number, RipgrepLines> | undefined {
  if (!isRipgrep(rg)) return undefined;
  const found = new Map<number, RipgrepLines>();
  const deadline = Date.now() + timeoutMs;
  for (const batch of batches(files)) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const run = ripgrepOutputSync(rg, argsFor(query, maxPerFile, batch), batch.root, left);
    if (!run || !collect(batch, run.status, run.stdout, found)) return undefined;
  }
  return found;
}

/**
 * The lines ripgrep finds in `files` (at most `maxPerFile` per file), by index into `files`; undefined when it could
 * not tell. An abort kills ripgrep.
 */
export async function ripgrepLines(rg: string, query: string[], files: readonly DiskFile[] | FolderSearch, maxPerFile: number, signal?: AbortSignal): Promise<Map<number, RipgrepLines> | undefined> {
  if (!isRipgrep(rg)) return undefined;
  const found = new Map<number, RipgrepLines>();
  for (const batch of batches(files)) {
    const output = await ripgrepOutput(rg, argsFor(query, maxPerFile, batch), batch.root, signal);
    if (!output || !collect(batch, output.status, output.stdout, found)) return undefined;
  }
  return found;
}

/** `candidate` when it is an executable file, else undefined. */
export function executableAt(candidate: string | undefined): string | undefined {
  if (!candidate) return undefined;
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return fs.statSync(candidate).isFile() ? candidate : undefined;
  } catch {
    return undefined;
  }
}
