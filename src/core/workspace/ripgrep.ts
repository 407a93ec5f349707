import { execFile, spawnSync } from 'node:child_process';
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

/** The lines ripgrep printed for one file: numbers and texts (UTF-8 decoded as a file is, invalid bytes replaced). */
export class RipgrepLines {
  readonly numbers: number[] = [];
  private readonly texts: string[] = [];

  add(line: number, text: string): void {
    this.numbers.push(line);
    this.texts.push(text);
  }

  get length(): number {
    return this.numbers.length;
  }

  /** Line `k` (without its newline). */
  text(k: number): string {
    return this.texts[k];
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
 * Adds the lines in ripgrep's output (`path NUL number : text LF` per line) to `into`, by caller index, as the output
 * comes in pieces (see ripgrepOutput.ts): `parse` takes the whole lines of a piece. A line of a file that is not the
 * caller's, in a folder batch, is dropped; anything unexpected fails the batch.
 */
class LineCollector {
  /** The path of the lines being added (ripgrep prints a file's lines together: a path is decoded once per file). */
  private path: Buffer | undefined;
  private list: RipgrepLines | undefined;

  constructor(
    private readonly batch: Batch,
    private readonly into: Map<number, RipgrepLines>,
  ) {}

  /** Takes the whole lines of `out[from, to)`: the offset after the last one, or -1 once the output made no sense. */
  readonly parse = (out: Buffer, from: number, to: number): number => {
    let at = from;
    while (at < to) {
      // A path may hold a newline, never a NUL: the path ends at the first NUL, the number at the next colon.
      const nul = out.indexOf(0, at);
      const colon = nul === -1 || nul >= to ? -1 : out.indexOf(0x3a, nul + 1);
      const end = colon === -1 || colon >= to ? -1 : out.indexOf(0x0a, colon + 1);
      if (end === -1 || end >= to) return at; // a line not complete yet
      if (!this.line(out, at, nul, colon, end)) return -1;
      at = end + 1;
    }
    return at;
  };

  private line(out: Buffer, at: number, nul: number, colon: number, end: number): boolean {
    if (!this.path || !this.list || out.compare(this.path, 0, this.path.length, at, nul) !== 0) {
      const printed = out.toString('utf8', at, nul);
      const index = this.batch.byRel.get(this.batch.folders && printed.startsWith('./') ? printed.slice(2) : printed);
      if (index === undefined) {
        this.path = this.list = undefined;
        return this.batch.folders; // a file of those folders that is not the caller's; a path we did not give: don't guess
      }
      this.path = Buffer.from(out.subarray(at, nul)); // the piece's buffer is reused
      this.list = this.into.get(index);
      if (!this.list) this.into.set(index, (this.list = new RipgrepLines()));
    }
    let line = 0;
    for (let i = nul + 1; i < colon; i++) {
      const digit = out[i] - 0x30;
      if (digit < 0 || digit > 9) return false;
      line = line * 10 + digit;
    }
    if (line < 1) return false;
    this.list.add(line, out.toString('utf8', colon + 1, end));
    return true;
  }
}

/**
 * A folder's files all read, one level down, except secrets: a secret's lines would be dropped as not the caller's,
 * but they are not even to be read (and ripgrep's output may be a file).
 */
const FOLDER_ARGS = ['--no-ignore', '--hidden', '--follow', '--max-depth', '1', ...SECRET_PATTERNS.map((p) => `--iglob=!${p.replace(/\/$/, '')}`)];

function argsFor(query: string[], maxPerFile: number, batch: Batch): string[] {
  return [...BASE_ARGS, ...(batch.folders ? FOLDER_ARGS : []), '--max-count', String(maxPerFile), ...query, '--', ...batch.args];
}

const versions = new Map<string, number | undefined>();

/** The major version in what `rg --version` printed when it ran to a normal end; undefined when it is not ripgrep. */
function majorVersion(ranOk: boolean, stdout: unknown): number | undefined {
  const found = ranOk ? /^ripgrep (\d+)\./.exec(String(stdout ?? '')) : null;
  return found ? Number(found[1]) : undefined;
}

/** The major version `rg --version` reports (asked once per binary); undefined when it is not ripgrep. */
export function ripgrepMajorVersion(rg: string): number | undefined {
  if (!versions.has(rg)) {
    const run = spawnSync(rg, ['--version'], { timeout: 10_000, windowsHide: true });
    versions.set(rg, majorVersion(run.status === 0, run.stdout));
  }
  return versions.get(rg);
}

const checking = new Map<string, Promise<number | undefined>>();

/**
 * `ripgrepMajorVersion` without holding the thread (in an extension host of 1.5 GB the synchronous run took ~30 ms):
 * asked once per binary, and what it says is what `ripgrepMajorVersion` answers from then on.
 */
export function ripgrepMajorVersionAsync(rg: string): Promise<number | undefined> {
  if (versions.has(rg)) return Promise.resolve(versions.get(rg));
  let asked = checking.get(rg);
  if (!asked) {
    asked = new Promise((resolve) => {
      execFile(rg, ['--version'], { timeout: 10_000, windowsHide: true }, (error, stdout) => {
        if (!versions.has(rg)) versions.set(rg, majorVersion(!error, stdout));
        checking.delete(rg);
        resolve(versions.get(rg));
      });
    });
    checking.set(rg, asked);
  }
  return asked;
}

/** True when `rg` says it is ripgrep: an exit status from anything else means nothing. */
function isRipgrep(rg: string): boolean {
  return ripgrepMajorVersion(rg) !== undefined;
}

/** What ripgrep printed for `files`, by index into `files` (files without a line are absent); see `ripgrepLines`. */
export function ripgrepLinesSync(rg: string, query: string[], files: readonly DiskFile[] | FolderSearch, maxPerFile: number, timeoutMs = 60_000): Map<number, RipgrepLines> | undefined {
  if (!isRipgrep(rg)) return undefined;
  const found = new Map<number, RipgrepLines>();
  const deadline = Date.now() + timeoutMs;
  for (const batch of batches(files)) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    if (!ripgrepOutputSync(rg, argsFor(query, maxPerFile, batch), batch.root, left, new LineCollector(batch, found).parse)) return undefined;
  }
  return found;
}

/**
 * The lines ripgrep finds in `files` (at most `maxPerFile` per file), by index into `files`; undefined when it could
 * not tell. An abort kills ripgrep.
 */
export async function ripgrepLines(rg: string, query: string[], files: readonly DiskFile[] | FolderSearch, maxPerFile: number, signal?: AbortSignal): Promise<Map<number, RipgrepLines> | undefined> {
  if ((await ripgrepMajorVersionAsync(rg)) === undefined) return undefined;
  const found = new Map<number, RipgrepLines>();
  for (const batch of batches(files)) {
    if (!(await ripgrepOutput(rg, argsFor(query, maxPerFile, batch), batch.root, new LineCollector(batch, found).parse, signal))) return undefined;
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
