import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript, workerSetup } from './grammarAssets';
import type { ParseJob, ParseOutcome } from './symbolWorker';
import { unpackTexts } from './symbolText';

interface Queued {
  job: ParseJob;
  resolve: (r: ParseOutcome[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy?: Queued;
  /** Jobs for this thread only (grammar warm-up): after urgent jobs, before background ones. */
  own: Queued[];
  /** Languages this thread was asked to warm. */
  warmed: Set<string>;
  /** The pool the thread works for; none while it is a spare started by `prewarm`. */
  owner?: ParsePool;
}

/** Threads `prewarm` started that no pool has taken yet. */
const spares: Slot[] = [];
let sparesTimer: NodeJS.Timeout | undefined;
/** Spares nobody adopts are ended after this, so a prewarm without an index costs nothing lasting. */
const SPARE_LIFETIME_MS = 60_000;

/**
 * Parser worker threads with two queues: urgent jobs (a helper is waiting on them) always go
 * before background jobs, so a question asked mid-build waits for at most one background job
 * per worker. Idle workers are unref'd so they never keep the process alive.
 */
export class ParsePool {
  private readonly workers: Slot[] = [];
  private readonly urgent: Queued[] = [];
  private readonly background: Queued[] = [];
  private disposed = false;

  constructor(readonly size: number = defaultWorkers()) {
    while (this.workers.length < size && spares.length > 0) {
      const slot = spares.shift()!;
      slot.owner = this;
      this.workers.push(slot);
    }
    if (spares.length === 0 && sparesTimer) {
      clearTimeout(sparesTimer);
      sparesTimer = undefined;
    }
  }

  /**
   * Starts `size` parser threads (their runtime, no grammar yet) for the next pool created in this
   * process to take over: called as a workspace starts loading, the threads boot while the walk
   * runs instead of after it. Threads already spare count towards `size`.
   */
  static prewarm(size: number = defaultWorkers()): void {
    while (spares.length < size) {
      const slot = spawnSlot(undefined);
      spares.push(slot);
      send(slot, { job: { files: [], maxBytes: 0, timeoutMs: 0, warm: [] }, resolve: () => undefined, reject: () => undefined });
    }
    if (!sparesTimer) {
      sparesTimer = setTimeout(() => {
        sparesTimer = undefined;
        for (const slot of spares.splice(0)) void slot.worker.terminate();
      }, SPARE_LIFETIME_MS);
      sparesTimer.unref();
    }
  }

  /** Threads running for this pool (adopted spares included). */
  get threads(): number {
    return this.workers.length;
  }

  run(job: ParseJob, urgent = false): Promise<ParseOutcome[]> {
    if (this.disposed) return Promise.reject(new Error('symbol index disposed'));
    return new Promise((resolve, reject) => {
      (urgent ? this.urgent : this.background).push({ job, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts the threads not yet running and has every thread load these grammars (one job per
   * language, so an urgent parse waits for at most the one under way), ahead of the parses a
   * search is about to ask for. With no languages, only starts the threads.
   */
  warm(languages: string[]): void {
    if (this.disposed) return;
    while (this.workers.length < this.size) this.workers.push(spawnSlot(this));
    for (const slot of this.workers) {
      for (const language of languages) {
        if (slot.warmed.has(language)) continue;
        slot.warmed.add(language);
        slot.own.push({ job: { files: [], maxBytes: 0, timeoutMs: 0, warm: [language] }, resolve: () => undefined, reject: () => undefined });
      }
    }
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    const error = new Error('symbol index disposed');
    for (const q of [...this.urgent, ...this.background]) q.reject(error);
    this.urgent.length = 0;
    this.background.length = 0;
    for (const w of this.workers) {
      w.busy?.reject(error);
      void w.worker.terminate();
    }
    this.workers.length = 0;
  }

  /** @internal A thread finished its job. */
  done(): void {
    this.pump();
  }

  /** @internal A thread died: its job fails, the rest go to the others (or a new one). */
  lost(slot: Slot): void {
    const i = this.workers.indexOf(slot);
    if (i !== -1) this.workers.splice(i, 1);
    if (!this.disposed) this.pump();
  }

  private pump(): void {
    for (;;) {
      const queued = this.urgent.length + this.background.length > 0;
      let slot = this.workers.find((w) => !w.busy && (queued || w.own.length > 0));
      if (!slot && queued && this.workers.length < this.size) this.workers.push((slot = spawnSlot(this)));
      if (!slot) return;
      // Urgent parses load the grammar they need themselves: warm-ups only fill idle time.
      send(slot, (this.urgent.shift() ?? slot.own.shift() ?? this.background.shift())!);
    }
  }
}

function send(slot: Slot, next: Queued): void {
  slot.busy = next;
  slot.worker.ref();
  slot.worker.postMessage({ id: 0, job: next.job });
}

function spawnSlot(owner: ParsePool | undefined): Slot {
  const worker = new Worker(workerScript(), { workerData: workerSetup() });
  const slot: Slot = { worker, own: [], warmed: new Set(), owner };
  worker.on('message', (msg: { results: ParseOutcome[]; texts?: ArrayBuffer }) => {
    const finished = slot.busy;
    slot.busy = undefined;
    worker.unref();
    finished?.resolve(unpackTexts(msg.results, msg.texts));
    slot.owner?.done();
  });
  const fail = (error: Error): void => {
    const i = spares.indexOf(slot);
    if (i !== -1) spares.splice(i, 1);
    slot.busy?.reject(error);
    slot.busy = undefined;
    slot.own.length = 0;
    slot.owner?.lost(slot);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`symbol parser worker exited (${code})`)));
  // Unref'd until it has a job (send refs it): a spare never adopted must not hold the process.
  worker.unref();
  return slot;
}

/**
 * Parser threads: one per core up to two, then one per core beyond the first (the main thread keeps one for the
 * editor or the REPL), at most four: each thread holds its own grammars and parse memory (the kernel peaks at
 * about 1.1 GB with two).
 */
export function defaultWorkers(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores <= 2 ? Math.max(1, cores) : Math.min(4, cores - 1);
}
