import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileEntry, SkipReason, SkippedSummary } from './fileMap';
import { BufferPool, countLines, isBinary, readBounded } from './fileReader';
import { IgnoreRules, patternLines } from './ignoreRules';
import { detectLanguage } from './language';
import { byCodeUnits, sortInSlices } from '../sortInSlices';
import { Limiter } from './limiter';
import { RACY_MS, SNAPSHOT_BINARY, SNAPSHOT_OK, SNAPSHOT_TOO_LARGE, type SnapshotFile, type TreeStamps } from './mapSnapshot';
import { TreeStamper } from './treeStamper';
import { MEASURE_BINARY, MEASURE_OK, MEASURE_TOO_LARGE, MEASURE_UNCHANGED, runMeasure, scanParallelism } from './scanWorkers';
import { isSecretName, isSecretPath } from './secrets';
import { SkipLog } from './skipLog';
import { SIGNATURE_BUDGET_BYTES } from './trigramFilter';

export interface WalkOptions {
  maxFileBytes: number;
  exclude: readonly string[];
  onProgress?: (filesSeen: number) => void;
  signal?: AbortSignal;
  /** Reads and listings in flight at once. */
  concurrency?: number;
  /** What an earlier load learned (a snapshot): files a stat finds unchanged are not read again. */
  previous?: { files: Map<string, SnapshotFile>; takenAt: number };
  /** Stamp the folders and ignore files the walk looks at, for the next snapshot (see TreeStamps). */
  stampTree?: boolean;
  /**
   * Called once every directory has been listed, before the files are measured: the paths the walk will measure (or
   * take unchanged), in no particular order, and what was skipped so far. A listing of the tree takes a fraction of
   * the whole load, so a caller can start from it (see FileMap.load's `onListed`).
   */
  onListed?: (listing: { realRoot: string; paths: string[]; skipped: SkippedSummary }) => void;
  /** With `onListed`: awaited before each batch of files goes to a worker, so searches on the listing go first. */
  gate?: () => Promise<void> | undefined;
}

export interface WalkResult {
  realRoot: string;
  entries: FileEntry[];
  skipped: SkippedSummary;
  /**
   * Folders ('' for the root) holding a file the map leaves out — binary, too large, ignored, secret, unreadable: a
   * search handed such a folder whole would read that file too (see grep's folder search).
   */
  leftOut: Set<string>;
  /** Trigram signatures by path, for files measured by workers (see trigramFilter.ts). */
  signatures: Map<string, Uint8Array>;
  /** Every file measured or taken unchanged, as the next snapshot records it. */
  measured: Map<string, SnapshotFile>;
  /** Files read (not taken unchanged from `previous`), and files of `previous` no longer there. */
  changes: { read: number; reused: number; gone: number };
  /** With `stampTree`: what the next snapshot keeps of the tree; undefined when the walk cannot vouch for it. */
  tree?: TreeStamps;
}

const DEFAULT_CONCURRENCY = 48;
const PROGRESS_EVERY = 500;
/** Below this many files, worker start-up costs more than it saves: files are read in-process. */
const WORKER_THRESHOLD = 512;
const MEASURE_BATCH = 256;
/** Pool buffers cover typical source files; bigger ones get a one-off allocation. */
const POOL_BUFFER_BYTES = 256 * 1024;

/** The folder holding a path relative to the walked root ('' for the root itself). */
export function folderOf(rel: string): string {
  return rel.slice(0, Math.max(0, rel.lastIndexOf('/')));
}

/** A file measured on this thread, or why it is left out (its size is checked before any read). */
export type MeasuredHere =
  | { kind: 'ok'; size: number; mtimeMs: number | undefined; lines: number; binary: boolean }
  | { kind: 'too-large'; size: number; mtimeMs: number | undefined }
  | { kind: 'unreadable' };

export async function measureHere(abs: string, maxFileBytes: number, pool?: BufferPool): Promise<MeasuredHere> {
  const outcome = await readBounded(abs, maxFileBytes, pool);
  if (outcome.kind === 'too-large') return { kind: 'too-large', size: outcome.size, mtimeMs: outcome.mtimeMs };
  if (outcome.kind !== 'ok') return { kind: 'unreadable' };
  const content = outcome.buf.subarray(0, outcome.size);
  const binary = isBinary(content);
  const lines = binary ? 0 : countLines(content);
  outcome.release();
  return { kind: 'ok', size: outcome.size, mtimeMs: outcome.mtimeMs, lines, binary };
}

/**
 * Lists every text file under `absRoot` that a model may see, with size and line count, keeping
 * no contents. Counting rule for `ignored`: an ignored directory is pruned at its top and counts
 * once — what lies below it is never visited, which is what keeps `node_modules` cheap.
 */
export async function walkWorkspace(absRoot: string, options: WalkOptions): Promise<WalkResult> {
  const { maxFileBytes, signal, onProgress } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  let realRoot: string;
  try {
    realRoot = await fs.promises.realpath(absRoot);
    if (!(await fs.promises.stat(realRoot)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new Error(`workspace root is not a readable directory: ${absRoot} (${(error as Error).message})`);
  }

  const log = new SkipLog();
  const leftOut = new Set<string>();
  const stamps = options.stampTree ? new TreeStamper(realRoot) : undefined;
  /** A file left out: recorded, and its folder marked. */
  const skip = (reason: SkipReason, rel: string): void => {
    log.record(reason, rel);
    leftOut.add(folderOf(rel));
    stamps?.skipped(reason, rel);
  };
  const entries: FileEntry[] = [];
  const limiter = new Limiter(concurrency, signal);
  const pool = new BufferPool(Math.min(POOL_BUFFER_BYTES, Math.max(1, maxFileBytes)), concurrency * 2);
  let seen = 0;
  const rootPrefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  const inside = (p: string): boolean => p === realRoot || p.startsWith(rootPrefix);

  const readIgnoreFile = async (abs: string): Promise<string> => {
    stamps?.ignoreFile(abs);
    const outcome = await limiter.run(() => readBounded(abs, maxFileBytes));
    if (outcome.kind !== 'ok') return '';
    return outcome.buf.toString('utf8', 0, outcome.size);
  };

  const low = patternLines(await readIgnoreFile(path.join(realRoot, '.git', 'info', 'exclude')));
  const high = [...patternLines(await readIgnoreFile(path.join(realRoot, '.recurseignore'))), ...options.exclude];
  const rootRules = IgnoreRules.create(low, high);

  const previous = options.previous;
  const racyAfter = previous ? previous.takenAt - RACY_MS : 0;
  const measured = new Map<string, SnapshotFile>();
  let read = 0;
  /** A file of the previous load taken as it was: an entry or a skip, and its signature, with no read. */
  let reused = 0;
  const reuse = (rel: string, known: SnapshotFile): void => {
    reused++;
    measured.set(rel, known);
    if (known.status === SNAPSHOT_BINARY) skip('binary', rel);
    else if (known.status === SNAPSHOT_TOO_LARGE) skip('too-large', rel);
    else {
      entries.push({ path: rel, size: known.size, lines: known.lines, language: detectLanguage(rel), mtimeMs: known.mtimeMs });
      if (known.signature && signatureBytes < SIGNATURE_BUDGET_BYTES) {
        signatures.set(rel, known.signature);
        signatureBytes += known.signature.length;
      }
    }
  };

  const addFile = async (rel: string, abs: string): Promise<void> => {
    const known = previous?.files.get(rel);
    if (known) {
      const st = await limiter.run(() => fs.promises.stat(abs)).catch(() => undefined);
      if (st?.isFile() && st.size === known.size && st.mtimeMs === known.mtimeMs && known.mtimeMs < racyAfter) {
        progress();
        reuse(rel, known);
        return;
      }
    }
    read++;
    const outcome = await limiter.run(() => measureHere(abs, maxFileBytes, pool));
    progress();
    if (outcome.kind === 'too-large' && outcome.mtimeMs !== undefined) measured.set(rel, { size: outcome.size, mtimeMs: outcome.mtimeMs, status: SNAPSHOT_TOO_LARGE, lines: 0 });
    if (outcome.kind !== 'ok') {
      skip(outcome.kind, rel);
      return;
    }
    if (outcome.mtimeMs !== undefined) measured.set(rel, { size: outcome.size, mtimeMs: outcome.mtimeMs, status: outcome.binary ? SNAPSHOT_BINARY : SNAPSHOT_OK, lines: outcome.lines });
    if (outcome.binary) skip('binary', rel);
    else entries.push({ path: rel, size: outcome.size, lines: outcome.lines, language: detectLanguage(rel), mtimeMs: outcome.mtimeMs });
  };

  const progress = (): void => {
    seen++;
    if (onProgress && seen % PROGRESS_EVERY === 0) onProgress(seen);
  };

  // Files found by the walk wait here; past WORKER_THRESHOLD they are measured in batches by
  // worker threads (synchronous reads there beat async round trips several times over) while
  // the walk goes on.
  let queued: { rel: string; abs: string }[] = [];
  let useWorkers = false;
  const batches: Promise<void>[] = [];
  const signatures = new Map<string, Uint8Array>();
  let signatureBytes = 0;
  const measureBatch = async (batch: { rel: string; abs: string }[]): Promise<void> => {
    let result;
    let known: Float64Array | undefined;
    if (previous) {
      known = new Float64Array(batch.length * 2).fill(Number.NaN);
      batch.forEach((f, i) => {
        const k = previous.files.get(f.rel);
        if (k) {
          known![2 * i] = k.size;
          known![2 * i + 1] = k.mtimeMs;
        }
      });
    }
    try {
      const wanted = signatureBytes < SIGNATURE_BUDGET_BYTES;
      result = await runMeasure({ paths: batch.map((f) => f.abs), maxBytes: maxFileBytes, signatures: wanted, known, racyAfter });
    } catch {
      // No workers (or one died): same work, in-process.
      await Promise.all(batch.map((f) => addFile(f.rel, f.abs)));
      return;
    }
    signal?.throwIfAborted();
    batch.forEach((f, i) => {
      progress();
      const status = result.status[i];
      if (status === MEASURE_UNCHANGED) {
        reuse(f.rel, previous!.files.get(f.rel)!);
        return;
      }
      read++;
      if (status === MEASURE_OK) {
        entries.push({ path: f.rel, size: result.sizes[i], lines: result.lines[i], language: detectLanguage(f.rel), mtimeMs: result.mtimes[i] });
        const from = result.sigOffsets[i];
        const to = result.sigOffsets[i + 1];
        const signature = to > from ? result.sigs.subarray(from, to) : undefined;
        if (signature) {
          signatures.set(f.rel, signature);
          signatureBytes += to - from;
        }
        measured.set(f.rel, { size: result.sizes[i], mtimeMs: result.mtimes[i], status: SNAPSHOT_OK, lines: result.lines[i], ...(signature ? { signature } : {}) });
      } else {
        skip(status === MEASURE_TOO_LARGE ? 'too-large' : status === MEASURE_BINARY ? 'binary' : 'unreadable', f.rel);
        if (status === MEASURE_TOO_LARGE || status === MEASURE_BINARY) {
          measured.set(f.rel, { size: result.sizes[i], mtimeMs: result.mtimes[i], status: status === MEASURE_BINARY ? SNAPSHOT_BINARY : SNAPSHOT_TOO_LARGE, lines: 0 });
        }
      }
    });
  };
  const flush = (): void => {
    if (queued.length === 0) return;
    const batch = measureBatch(queued);
    // Awaited after the walk; if the walk fails first (abort), this must not surface as unhandled.
    batch.catch(() => undefined);
    batches.push(batch);
    queued = [];
  };
  /**
   * A file the snapshot knows is checked right here with one stat (a few microseconds): a warm open of an unchanged
   * tree then needs no worker thread at all (starting one costs more than statting a thousand files).
   */
  const unchangedHere = (rel: string, abs: string): boolean => {
    const known = previous?.files.get(rel);
    if (!known) return false;
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(abs, { throwIfNoEntry: false });
    } catch {
      return false;
    }
    if (!st?.isFile() || st.size !== known.size || st.mtimeMs !== known.mtimeMs || known.mtimeMs >= racyAfter) return false;
    progress();
    reuse(rel, known);
    return true;
  };
  const listed: string[] | undefined = options.onListed ? [] : undefined;
  const queueFile = (rel: string, abs: string): void => {
    listed?.push(rel);
    if (unchangedHere(rel, abs)) return;
    queued.push({ rel, abs });
    if (!useWorkers && queued.length >= WORKER_THRESHOLD) useWorkers = true;
    // Streaming (onListed): the listing comes first, with the cores to itself; the files are measured after it.
    if (useWorkers && queued.length >= MEASURE_BATCH && !listed) flush();
  };
  /** The files queued while listing, measured in batches with a few in flight, each one let through by the gate. */
  const measureListed = async (): Promise<void> => {
    const files = queued;
    queued = [];
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < files.length; i += MEASURE_BATCH) {
      await options.gate?.();
      signal?.throwIfAborted();
      const batch = measureBatch(files.slice(i, i + MEASURE_BATCH));
      inFlight.add(batch);
      const done = (): void => void inFlight.delete(batch);
      batch.then(done, done);
      if (inFlight.size >= scanParallelism() * 2) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };

  const walkDir = async (rel: string, abs: string, chain: readonly string[], inherited: IgnoreRules): Promise<void> => {
    let dirents: fs.Dirent[];
    stamps?.dir(rel, abs);
    try {
      dirents = await limiter.run(() => fs.promises.readdir(abs, { withFileTypes: true }));
    } catch (error) {
      if (signal?.aborted) throw error;
      log.record('unreadable', rel === '' ? '.' : rel);
      stamps?.cannotVouch();
      return;
    }
    let rules = inherited;
    const gitignore = dirents.find((d) => d.name === '.gitignore' && !d.isDirectory());
    if (gitignore) rules = rules.withGitignore(rel, await readIgnoreFile(path.join(abs, '.gitignore')));

    const tasks: Promise<void>[] = [];
    // Joined by hand: `abs` is already a clean absolute path and a name holds no separator, and path.join builds its
    // result a piece at a time (a rope of small strings per path: ~0.5 KB each, 46 MB live for a kernel's listing).
    const absPrefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
    const chainTop = chain[chain.length - 1]!;
    const chainPrefix = chainTop.endsWith(path.sep) ? chainTop : chainTop + path.sep;
    for (const dirent of dirents) {
      const childRel = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const childAbs = absPrefix + dirent.name;
      // Secrets first: no ignore file (or its negations) gets a say over them. Ancestors were
      // checked on the way down, so the name alone decides.
      if (isSecretName(dirent.name)) {
        skip('secret', childRel);
      } else if (dirent.isSymbolicLink()) {
        // Git stores a symlink as a file, so directory-only patterns ('build/') don't apply to it.
        if (rules.ignores(childRel, false)) skip('ignored', childRel);
        else tasks.push(followLink(childRel, childAbs, chain, rules));
      } else if (dirent.isDirectory()) {
        if (rules.ignores(childRel, true)) {
          log.record('ignored', childRel);
          stamps?.skippedFolder(childRel);
        }
        else tasks.push(walkDir(childRel, childAbs, [...chain, chainPrefix + dirent.name], rules));
      } else if (dirent.isFile()) {
        if (rules.ignores(childRel, false)) skip('ignored', childRel);
        else queueFile(childRel, childAbs);
      } else {
        // FIFOs, sockets, devices: opening one could block forever, and none holds source text.
        skip('unreadable', childRel);
      }
    }
    await Promise.all(tasks);
  };

  const followLink = async (rel: string, abs: string, chain: readonly string[], rules: IgnoreRules): Promise<void> => {
    // What a link leads to can change without a stamp of the walk changing.
    stamps?.cannotVouch();
    let target: string;
    try {
      target = await limiter.run(() => fs.promises.realpath(abs));
    } catch (error) {
      if (signal?.aborted) throw error;
      skip((error as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlink-loop' : 'unreadable', rel);
      return;
    }
    if (!inside(target)) {
      skip('symlink-outside', rel);
      return;
    }
    // A link named 'notes.txt' pointing at '.env' must not smuggle the secret in.
    const targetRel = path.relative(realRoot, target).split(path.sep).join('/');
    if (targetRel !== '' && isSecretPath(targetRel)) {
      skip('secret', rel);
      return;
    }
    let stat: fs.Stats;
    try {
      stat = await limiter.run(() => fs.promises.stat(target));
    } catch (error) {
      if (signal?.aborted) throw error;
      skip('unreadable', rel);
      return;
    }
    if (stat.isDirectory()) {
      // A loop is a link back to a directory we are already inside (by real path).
      if (chain.includes(target)) skip('symlink-loop', rel);
      else await walkDir(rel, abs, [...chain, target], rules);
    } else if (stat.isFile()) {
      // Read the resolved target, so a link swapped after the check still can't lead outside.
      queueFile(rel, target);
    } else {
      skip('unreadable', rel);
    }
  };

  await walkDir('', realRoot, [realRoot], rootRules);
  if (listed) options.onListed?.({ realRoot, paths: listed, skipped: log.summary() });
  if (useWorkers && listed) await measureListed();
  else if (useWorkers) flush();
  else await Promise.all(queued.map((f) => addFile(f.rel, f.abs)));
  await Promise.all(batches);
  const sorted = await sortInSlices(entries, (a, b) => byCodeUnits(a.path, b.path));
  onProgress?.(seen);
  let gone = 0;
  if (previous) for (const p of previous.files.keys()) if (!measured.has(p)) gone++;
  const tree = stamps?.result();
  return { realRoot, entries: sorted, skipped: log.summary(), leftOut, signatures, measured, changes: { read, reused, gone }, ...(tree ? { tree } : {}) };
}
