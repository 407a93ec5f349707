import type {
  QuickJSContext,
  QuickJSDeferredPromise,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
} from 'quickjs-emscripten';
import { BOOTSTRAP_SOURCE } from './bootstrapSource';
import { transformCell } from './cellTransform';
import { OutputBuffer } from './outputBuffer';
import { createQuickJSModule } from './quickjsModule';
import { truncateMiddle } from './truncate';
import { EventLoopSlices } from '../eventLoopSlices';

/** Args are JSON-decoded values; the return value (or the promise's value) is JSON-encoded back. */
export type HostFunction = (...args: unknown[]) => unknown | Promise<unknown>;

export interface SandboxOptions {
  /** Exposed as globals with these names: sync results for plain values, a sandbox Promise for a Promise. */
  helpers: Record<string, HostFunction>;
  /** JSON values exposed as read-only (deep-frozen) globals, e.g. `context`. */
  globals?: Record<string, unknown>;
  /**
   * Extra JS run once at install time, after the helpers (e.g. wrappers). Its top-level declarations
   * become globals; like the helpers, they are then made read-only so no cell can break them.
   */
  prelude?: string;
  /**
   * Synchronous helpers with an asynchronous twin (name → twin's name, itself a helper): a cell's call of the helper
   * where `await` is allowed runs the twin, awaited, so the host's event loop stays free meanwhile (cellTransform.ts).
   */
  awaited?: Record<string, string>;
  timeoutMs?: number;
  memoryLimitBytes?: number;
  maxStackBytes?: number;
  maxOutputChars?: number;
}

export interface CellError {
  name: string;
  message: string;
  line?: number;
}

export interface CellResult {
  output: string;
  error?: CellError;
  durationMs: number;
  truncated: boolean;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;
/**
 * QuickJS counts only its own shadow stack, while the wasm frames live on the host's native stack.
 * Measured: above ~256 KB some recursion patterns (bound functions, getters) overflow Node's default
 * stack before QuickJS notices, so the default stays well below that.
 */
export const DEFAULT_MAX_STACK_BYTES = 192 * 1024;
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
export const NO_OUTPUT_HINT = '(no output — use print() to show values)';

/** Time allowed for the sandbox's own bookkeeping calls after a cell (describing an error, formatting its value). */
const GRACE_MS = 1_000;
const MAX_JOB_ROUNDS = 100_000;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const BUILTIN_NAMES = new Set(['globalThis', 'print', 'console']);

interface VmState {
  module: QuickJSWASMModule;
  runtime: QuickJSRuntime;
  vm: QuickJSContext;
  format: QuickJSHandle;
  describe: QuickJSHandle;
  restore: QuickJSHandle;
  replace: QuickJSHandle;
  deferreds: Set<QuickJSDeferredPromise>;
}

type Outcome = { value?: string; error?: CellError };

/** One evaluation (a cell, or the prelude): owns its output, its deadline and its host calls. */
class Run {
  readonly output: OutputBuffer;
  inFlight = 0;
  interrupted?: 'timeout' | 'cancelled';
  private waker?: () => void;

  constructor(
    readonly filename: string,
    maxOutputChars: number,
    readonly signal?: AbortSignal,
  ) {
    this.output = new OutputBuffer(maxOutputChars);
  }

  /** Sleeps until a host call settles, the signal aborts, `wake()` is called, or `ms` pass. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', done);
        this.waker = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.signal?.addEventListener('abort', done, { once: true });
      this.waker = done;
    });
  }

  wake(): void {
    this.waker?.();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorEnvelope(err: unknown): string {
  const name = err instanceof Error && typeof err.name === 'string' ? err.name : 'Error';
  return JSON.stringify({ error: { name, message: errorMessage(err) } });
}

function valueEnvelope(value: unknown): string {
  try {
    return JSON.stringify({ value });
  } catch (err) {
    return errorEnvelope(new Error(`the helper returned a value that cannot be converted to JSON: ${errorMessage(err)}`));
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export function formatCellError(error: CellError): string {
  return `${error.name}: ${error.message}${error.line !== undefined ? ` (line ${error.line})` : ''}`;
}

function lineFromStack(stack: string, filename: string): number | undefined {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)`).exec(stack);
  return match ? Number(match[1]) : undefined;
}

/** Objects, arrays, string building and JSON both ways, as a first cell over a helper's answer does; leaves nothing behind. */
const WARM_UP_SOURCE = `await (async () => {
  const rows = [];
  for (let i = 0; i < 150; i++) rows.push({ name: 'n' + i, kind: 'method', path: 'src/m' + i + '.py', line: i, endLine: i + 3, container: 'C', signature: 'def n(self):' });
  const copy = await Promise.resolve(JSON.parse(JSON.stringify(rows)));
  return JSON.stringify(copy.map((r) => ({ path: r.path, line: r.line, kind: r.kind }))).length;
})();`;

/** The warm-up cell as transformed once per process (parsing it is a few milliseconds every question would pay). */
let warmUpCell: ReturnType<typeof transformCell> | undefined;

/**
 * A persistent QuickJS REPL for one RLM run. Cells share one global scope; each cell gets a fresh
 * wall-time deadline (covering time spent awaiting host helpers), the runtime has a memory and a
 * stack limit, and output is capped. Nothing is reachable from inside but `print`, `console` and the
 * helpers given at creation; values cross the boundary only as JSON.
 */
export class Sandbox {
  private state?: VmState;
  private reserved = new Set<string>();
  private readonly helpers: Record<string, HostFunction>;
  private readonly timeoutMs: number;
  private readonly memoryLimitBytes: number;
  private readonly maxStackBytes: number;
  private readonly maxOutputChars: number;
  private deadline = Infinity;
  private activeRun?: Run;
  private cellCount = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(private readonly options: SandboxOptions) {
    this.helpers = { ...options.helpers };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.memoryLimitBytes = options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
    this.maxStackBytes = options.maxStackBytes ?? DEFAULT_MAX_STACK_BYTES;
    this.maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  }

  static async create(options: SandboxOptions): Promise<Sandbox> {
    for (const name of [...Object.keys(options.helpers), ...Object.keys(options.globals ?? {})]) {
      if (!IDENTIFIER.test(name)) throw new Error(`sandbox: "${name}" is not a valid global name`);
      if (BUILTIN_NAMES.has(name)) throw new Error(`sandbox: "${name}" is reserved`);
    }
    for (const name of Object.keys(options.globals ?? {})) {
      if (Object.prototype.hasOwnProperty.call(options.helpers, name)) {
        throw new Error(`sandbox: "${name}" is both a helper and a global`);
      }
    }
    const sandbox = new Sandbox(options);
    await sandbox.build();
    return sandbox;
  }

  runCell(code: string, opts: { signal?: AbortSignal } = {}): Promise<CellResult> {
    const next = this.queue.then(() => this.runCellNow(code, opts.signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The same helpers, bound to other implementations: a conversation's next question runs in this REPL (its
   * variables kept) with helpers that report to that question's run. Names cannot be added or removed.
   */
  rebind(helpers: Record<string, HostFunction>): void {
    for (const name of Object.keys(helpers)) {
      if (!Object.prototype.hasOwnProperty.call(this.helpers, name)) throw new Error(`sandbox: rebind cannot add helper "${name}"`);
    }
    Object.assign(this.helpers, helpers);
  }

  /** A new value for a read-only global given at creation (e.g. `history`), between cells. */
  setGlobal(name: string, value: unknown): Promise<void> {
    if (!Object.prototype.hasOwnProperty.call(this.options.globals ?? {}, name)) {
      return Promise.reject(new Error(`sandbox: "${name}" is not a global given at creation`));
    }
    const next = this.queue.then(() => {
      const state = this.state;
      if (!state) throw new Error('sandbox: disposed');
      const nameHandle = state.vm.newString(name);
      const json = state.vm.newString(JSON.stringify(value ?? null));
      this.deadline = Date.now() + GRACE_MS;
      try {
        const result = state.vm.unwrapResult(state.vm.callFunction(state.replace, state.vm.undefined, nameHandle, json));
        const replaced = state.vm.dump(result);
        result.dispose();
        if (replaced !== true) throw new Error(`sandbox: could not replace "${name}"`);
      } finally {
        this.deadline = Infinity;
        nameHandle.dispose();
        json.dispose();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  get isDisposed(): boolean {
    return this.disposed || (!this.state && !this.activeRun);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.activeRun) this.activeRun.wake(); // the running cell frees the VM when it unwinds
    else this.freeState();
  }

  // ---------------------------------------------------------------- building

  private async build(): Promise<void> {
    const module = await createQuickJSModule({ memoryLimitBytes: this.memoryLimitBytes });
    if (this.disposed) return;
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(this.memoryLimitBytes);
    runtime.setMaxStackSize(this.maxStackBytes);
    runtime.setInterruptHandler(() => this.shouldInterrupt());
    const vm = runtime.newContext();
    const deferreds = new Set<QuickJSDeferredPromise>();
    let state: VmState | undefined;
    const hostCall = vm.newFunction('hostCall', (nameHandle, argsHandle) =>
      this.onHostCall(state!, vm.getString(nameHandle), vm.getString(argsHandle)),
    );
    const hostWrite = vm.newFunction('hostWrite', (textHandle) => {
      if (this.activeRun && state === this.state) this.activeRun.output.append(vm.getString(textHandle));
    });
    const handles: QuickJSHandle[] = [hostCall, hostWrite];
    this.deadline = Date.now() + Math.max(this.timeoutMs, GRACE_MS);
    try {
      // Each step's first run compiles parts of QuickJS's WebAssembly: the event loop gets a turn between them.
      const slices = new EventLoopSlices();
      const setup = vm.unwrapResult(vm.evalCode(BOOTSTRAP_SOURCE, 'recurse-bootstrap.js'));
      handles.push(setup);
      await slices.yield();
      const config = vm.newString(JSON.stringify({ helpers: Object.keys(this.helpers), globals: this.options.globals ?? {} }));
      handles.push(config);
      const api = vm.unwrapResult(vm.callFunction(setup, vm.undefined, hostCall, hostWrite, config));
      handles.push(api);
      state = {
        module,
        runtime,
        vm,
        format: vm.getProp(api, 'format'),
        describe: vm.getProp(api, 'describe'),
        restore: vm.getProp(api, 'restore'),
        replace: vm.getProp(api, 'replace'),
        deferreds,
      };
      this.state = state;
      const seal = vm.getProp(api, 'seal');
      handles.push(seal);
      // QuickJS runs compiled to WebAssembly, which V8 compiles lazily and tiers up when hot: a
      // first cell handling a helper's large answer ran ~40 ms slower than the next. Building
      // objects and a JSON round trip here compiles those paths before the model's first cell.
      await slices.yield();
      warmUpCell ??= transformCell(WARM_UP_SOURCE, new Set());
      const warmUp = warmUpCell;
      if (warmUp.ok) await this.executeAtBuild(state, warmUp.code, 'recurse-warm-up.js');
      await slices.yield();
      if (this.options.prelude) {
        const prelude = transformCell(this.options.prelude, new Set());
        if (!prelude.ok) throw new Error(`sandbox prelude: ${formatCellError(prelude.error)}`);
        const outcome = await this.executeAtBuild(state, prelude.code, 'recurse-prelude.js');
        if (outcome.error) throw new Error(`sandbox prelude: ${formatCellError(outcome.error)}`);
      }
      const locked = vm.unwrapResult(vm.callFunction(seal, vm.undefined));
      this.reserved = new Set(JSON.parse(vm.getString(locked)) as string[]);
      locked.dispose();
    } catch (err) {
      for (const h of handles) if (h.alive) h.dispose();
      if (state && this.state === state) this.freeState();
      else {
        try {
          vm.dispose();
          runtime.dispose();
        } catch {
          // the instance is dropped either way
        }
      }
      throw err instanceof Error ? err : new Error(String(err));
    } finally {
      this.deadline = Infinity;
    }
    for (const h of handles) if (h.alive) h.dispose();
    if (this.disposed) this.freeState();
  }

  private freeState(): void {
    const state = this.state;
    this.state = undefined;
    if (!state) return;
    try {
      for (const deferred of state.deferreds) deferred.dispose();
      state.deferreds.clear();
      state.format.dispose();
      state.describe.dispose();
      state.restore.dispose();
      state.replace.dispose();
      state.vm.dispose();
      state.runtime.dispose();
    } catch {
      // The instance is private to this sandbox and unreachable from now on; nothing else to free.
    }
  }

  /**
   * After the host stack overflowed inside QuickJS its C state is unknown: drop the whole wasm
   * instance (it is private to this sandbox) without calling into it again.
   */
  private abandonState(): void {
    this.state = undefined;
  }

  // ---------------------------------------------------------------- host bridge

  private shouldInterrupt(): boolean {
    const run = this.activeRun;
    if (this.disposed) return true;
    if (run?.signal?.aborted) {
      run.interrupted ??= 'cancelled';
      return true;
    }
    if (Date.now() > this.deadline) {
      if (run) run.interrupted ??= 'timeout';
      return true;
    }
    return false;
  }

  private onHostCall(state: VmState, name: string, argsJson: string): QuickJSHandle {
    const vm = state.vm;
    const fn = Object.prototype.hasOwnProperty.call(this.helpers, name) ? this.helpers[name] : undefined;
    if (!fn) return vm.newString(errorEnvelope(new Error(`unknown helper ${name}`)));
    let result: unknown;
    try {
      const args = JSON.parse(argsJson) as unknown[];
      result = fn(...args);
    } catch (err) {
      return vm.newString(errorEnvelope(err));
    }
    if (!isPromiseLike(result)) return vm.newString(valueEnvelope(result));

    const run = this.activeRun;
    const deferred = vm.newPromise();
    state.deferreds.add(deferred);
    if (run) run.inFlight += 1;
    Promise.resolve(result)
      .then(valueEnvelope, errorEnvelope)
      .then((envelope) => this.settle(state, run, deferred, envelope))
      .catch(() => undefined); // a settle that fails must never become an unhandled rejection in the host
    return deferred.handle;
  }

  private settle(state: VmState, run: Run | undefined, deferred: QuickJSDeferredPromise, envelope: string): void {
    if (run) run.inFlight -= 1;
    // After dispose or a crash the VM is gone (its handles were freed with it): touch nothing.
    if (this.state !== state || !state.deferreds.has(deferred)) return;
    state.deferreds.delete(deferred);
    // A call from a cell that already ended is abandoned: its continuation must not run inside a later cell.
    if (!run || run !== this.activeRun) {
      deferred.dispose();
      return;
    }
    try {
      const value = state.vm.newString(envelope);
      deferred.resolve(value);
      value.dispose();
    } catch {
      // Out of memory or interrupted while resolving: the cell's own outcome reports it.
    }
    deferred.dispose();
    run.wake();
  }

  // ---------------------------------------------------------------- running cells

  private async runCellNow(code: string, signal?: AbortSignal): Promise<CellResult> {
    const started = performance.now();
    const run = new Run(`cell-${++this.cellCount}.js`, this.maxOutputChars, signal);
    let outcome: Outcome;
    let transformed: ReturnType<typeof transformCell> | undefined;
    this.activeRun = run;
    try {
      if (this.disposed) outcome = { error: { name: 'Error', message: 'the sandbox was disposed' } };
      else if (signal?.aborted) outcome = { error: { name: 'Error', message: 'cancelled' } };
      else {
        if (!this.state) await this.build();
        transformed = transformCell(code, this.reserved, this.options.awaited);
        if (!transformed.ok) outcome = { error: transformed.error };
        else if (!this.state) outcome = { error: { name: 'Error', message: 'the sandbox was disposed' } };
        else {
          this.deadline = Date.now() + this.timeoutMs;
          this.restoreBuiltins(this.state);
          outcome = await this.execute(this.state, transformed.code, run);
        }
      }
    } catch (err) {
      this.abandonState();
      outcome = {
        error: {
          name: 'InternalError',
          message: `the sandbox crashed (${errorMessage(err)}); it was restarted and all variables are gone`,
        },
      };
    } finally {
      this.activeRun = undefined;
      this.deadline = Infinity;
      if (this.disposed) this.freeState();
    }

    if (outcome.error && /out of memory/i.test(outcome.error.message) && transformed?.ok && this.state) {
      const freed = this.forget(this.state, transformed.declared);
      if (freed.length) outcome.error.message += `; this cell's variables (${freed.join(', ')}) were discarded to free memory`;
    }

    const finished = run.output.finish();
    let output = run.output.length > 0 ? finished.text.replace(/\n$/, '') : '';
    let truncated = finished.truncated;
    if (!outcome.error && run.output.length === 0 && outcome.value !== undefined) {
      const shown = truncateMiddle(outcome.value, this.maxOutputChars);
      output = shown.text;
      truncated = shown.omitted > 0;
    }
    if (outcome.error) output += (output ? '\n' : '') + formatCellError(outcome.error);
    else if (run.output.length === 0 && outcome.value === undefined) output = NO_OUTPUT_HINT;
    return { output, error: outcome.error, durationMs: performance.now() - started, truncated };
  }

  /** Evaluates transformed code and drives its promise to completion, pumping QuickJS jobs. */
  /** Runs transformed code while the sandbox is built, with its own run (its output dropped) and a cell's time limit. */
  private async executeAtBuild(state: VmState, code: string, filename: string): Promise<Outcome> {
    const outer = this.activeRun; // set when a cell rebuilds the sandbox after a crash
    const run = new Run(filename, this.maxOutputChars);
    this.activeRun = run;
    this.deadline = Date.now() + this.timeoutMs;
    try {
      return await this.execute(state, code, run);
    } finally {
      this.activeRun = outer;
    }
  }

  private async execute(state: VmState, code: string, run: Run): Promise<Outcome> {
    const { vm, runtime } = state;
    const evaluated = vm.evalCode(code, run.filename);
    if (evaluated.error) {
      try {
        return { error: this.describe(state, evaluated.error, run) };
      } finally {
        evaluated.error.dispose();
      }
    }
    const promise = evaluated.value;
    try {
      for (;;) {
        this.pumpJobs(state);
        if (this.disposed) return { error: { name: 'Error', message: 'the sandbox was disposed' } };
        const settled = vm.getPromiseState(promise);
        if (settled.type === 'fulfilled') {
          try {
            return { value: this.formatValue(state, settled.value, run) };
          } finally {
            if (!settled.notAPromise) settled.value.dispose();
          }
        }
        if (settled.type === 'rejected') {
          try {
            return { error: this.describe(state, settled.error, run) };
          } finally {
            settled.error.dispose();
          }
        }
        if (run.interrupted) return { error: this.interruptError(run) };
        if (run.signal?.aborted) {
          run.interrupted = 'cancelled';
          return { error: this.interruptError(run) };
        }
        const now = Date.now();
        if (now >= this.deadline) {
          run.interrupted = 'timeout';
          return { error: this.interruptError(run) };
        }
        if (run.inFlight === 0 && !runtime.hasPendingJob()) {
          return {
            error: {
              name: 'Error',
              message:
                'the cell awaits a promise that can never settle (no helper call is in flight; ' +
                'helper promises from earlier cells are abandoned when their cell ends)',
            },
          };
        }
        await run.sleep(this.deadline - now + 1);
      }
    } finally {
      if (promise.alive) promise.dispose();
    }
  }

  private restoreBuiltins(state: VmState): void {
    const result = state.vm.callFunction(state.restore, state.vm.undefined);
    (result.error ?? result.value).dispose();
  }

  private pumpJobs(state: VmState): void {
    for (let round = 0; round < MAX_JOB_ROUNDS && state.runtime.hasPendingJob(); round++) {
      const result = state.runtime.executePendingJobs();
      if (result.error) result.error.dispose();
    }
  }

  private interruptError(run: Run): CellError {
    if (run.interrupted === 'cancelled') return { name: 'Error', message: 'cancelled' };
    return { name: 'Error', message: `cell exceeded ${this.timeoutMs} ms time limit` };
  }

  private describe(state: VmState, errorHandle: QuickJSHandle, run: Run): CellError {
    if (run.interrupted) return this.interruptError(run);
    if (this.disposed) return { name: 'Error', message: 'the sandbox was disposed' };
    this.deadline = Date.now() + GRACE_MS;
    const result = state.vm.callFunction(state.describe, state.vm.undefined, errorHandle);
    if (result.error) {
      result.error.dispose();
      return { name: 'Error', message: 'uncaught exception (it could not be described)' };
    }
    const described = JSON.parse(state.vm.getString(result.value)) as { name: string; message: string; stack: string };
    result.value.dispose();
    const line = lineFromStack(described.stack, run.filename);
    return line === undefined
      ? { name: described.name, message: described.message }
      : { name: described.name, message: described.message, line };
  }

  private formatValue(state: VmState, value: QuickJSHandle, run: Run): string | undefined {
    if (run.output.length > 0 || state.vm.typeof(value) === 'undefined') return undefined;
    this.deadline = Date.now() + GRACE_MS;
    const result = state.vm.callFunction(state.format, state.vm.undefined, value);
    if (result.error) {
      result.error.dispose();
      return undefined;
    }
    const text = state.vm.getString(result.value);
    result.value.dispose();
    return text;
  }

  /** Deletes the given globals; returns the names that existed. */
  private forget(state: VmState, names: string[]): string[] {
    if (names.length === 0) return [];
    this.deadline = Date.now() + GRACE_MS;
    try {
      const code = `(function (names) { const gone = []; for (const n of names) if (Object.prototype.hasOwnProperty.call(globalThis, n) && delete globalThis[n]) gone.push(n); return JSON.stringify(gone); })(${JSON.stringify(names)})`;
      const result = state.vm.evalCode(code, 'recurse-cleanup.js');
      if (result.error) {
        result.error.dispose();
        return [];
      }
      const gone = JSON.parse(state.vm.getString(result.value)) as string[];
      result.value.dispose();
      return gone;
    } catch {
      return [];
    } finally {
      this.deadline = Infinity;
    }
  }
}
