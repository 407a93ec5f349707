import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript, workerSetup } from './grammarAssets';
import type { ParseJob, ParseOutcome } from './symbolWorker';

interface Queued {
  job: ParseJob;
  resolve: (r: ParseOutcome[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy?: Queued;
  /** Jobs for this thread only (grammar warm-up), before any shared queue. */
  own: Queued[];
  warmed?: boolean;
}

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

  constructor(readonly size: number = defaultWorkers()) {}

  run(job: ParseJob, urgent = false): Promise<ParseOutcome[]> {
    if (this.disposed) return Promise.reject(new Error('symbol index disposed'));
    return new Promise((resolve, reject) => {
      (urgent ? this.urgent : this.background).push({ job, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts the threads not yet running and has every thread load these grammars, ahead of the
   * parses a search is about to ask for (before any queued job).
   */
  warm(languages: string[]): void {
    if (this.disposed || languages.length === 0) return;
    while (this.workers.length < this.size) this.spawn();
    for (const slot of this.workers) {
      if (slot.warmed) continue;
      slot.warmed = true;
      slot.own.push({ job: { files: [], maxBytes: 0, timeoutMs: 0, warm: languages }, resolve: () => undefined, reject: () => undefined });
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

  private pump(): void {
    for (const slot of this.workers) if (!slot.busy && slot.own.length > 0) this.send(slot, slot.own.shift()!);
    while (this.urgent.length + this.background.length > 0) {
      let slot = this.workers.find((w) => !w.busy);
      if (!slot && this.workers.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.send(slot, (this.urgent.shift() ?? this.background.shift())!);
    }
  }

  private send(slot: Slot, next: Queued): void {
    slot.busy = next;
    slot.worker.ref();
    slot.worker.postMessage({ id: 0, job: next.job });
  }

  private spawn(): Slot {
    const worker = new Worker(workerScript(), { workerData: workerSetup() });
    const slot: Slot = { worker, own: [] };
    worker.on('message', (msg: { results: ParseOutcome[] }) => {
      const done = slot.busy;
      slot.busy = undefined;
      worker.unref();
      done?.resolve(msg.results);
      this.pump();
    });
    const fail = (error: Error): void => {
      const i = this.workers.indexOf(slot);
      if (i !== -1) this.workers.splice(i, 1);
      slot.busy?.reject(error);
      slot.busy = undefined;
      slot.own.length = 0;
      if (!this.disposed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`symbol parser worker exited (${code})`)));
    this.workers.push(slot);
    return slot;
  }
}

export function defaultWorkers(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(2, cores));
}
