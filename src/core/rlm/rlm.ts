import type { CodeIndex } from '../index/codeIndex';
import { type ChatModel, ChatModelError, type ChatResponse } from '../llm/chatModel';
import { formatTokens, firstTime, promptLimit, resolveRunWindows, type RunWindows } from '../llm/contextWindow';
import { countMessageTokens } from '../llm/tokenEstimate';
import type { CachedAnswer, SubCallCache } from '../llm/subCallCache';
import { type ConversationState, followUpNote } from './followUp';
import { splitThinking } from './thinking';
import { UsageLedger } from '../llm/usage';
import { type CellResult, DEFAULT_TIMEOUT_MS, type HostFunction, Sandbox } from '../sandbox/sandbox';
import { FileMap } from '../workspace/fileMap';
import { buildMetadataInSlices } from '../workspace/metadata';
import { EventLoopSlices } from '../eventLoopSlices';
import { Budget, type BudgetLimits } from './budget';
import { RlmCancelledError } from './cancelled';
import { findFinal, parseResponse } from './codeBlocks';
import { type FinishReason, type RlmEvent, type RlmEventListener, preview } from './events';
import type { HelperDoc } from './helperDocs';
import { AWAITED_HELPERS, createHelpers, type SubCallScope } from './helpers';
import { type MessagePart, RootHistory } from './rootHistory';
import { buildFirstUserMessage, buildSystemPrompt } from './systemPrompt';
import { Trajectory } from './trajectory';

/**
 * The Recursive Language Model loop (Zhang, Kraska, Khattab): the root model sees the question and workspace
 * metadata, writes JavaScript cells against a persistent sandbox, reads their output and iterates until it
 * calls finish(). Sub-calls go to a sub-model (llm_query) or to a child RLM over a subset (rlm_query) that
 * spends the same budget one level deeper.
 */

export interface SandboxLimits {
  timeoutMs?: number;
  memoryLimitBytes?: number;
  maxStackBytes?: number;
  maxOutputChars?: number;
}

export interface RlmOptions {
  question: string;
  map: FileMap;
  rootModel: ChatModel;
  /** Answers llm_query and drives child RLMs; defaults to the root model. */
  subModel?: ChatModel;
  limits?: Partial<BudgetLimits>;
  /** Shared with children; created from `limits` for a root run. */
  budget?: Budget;
  /** llm_query_batched parallelism (default 8). */
  concurrency?: number;
  sandbox?: SandboxLimits;
  ledger?: UsageLedger;
  trajectory?: Trajectory;
  onEvent?: RlmEventListener;
  signal?: AbortSignal;
  depth?: number;
  /** A conversation's follow-up (root run only): its REPL, kept across questions, and the earlier questions. */
  conversation?: ConversationState;
  /** Sampling temperature of llm_query calls; undefined: the endpoint's default (no temperature sent). */
  subTemperature?: number;
  /** Memoized llm_query answers (shared with children; a workflow or a chat keeps one across runs). */
  subCallCache?: SubCallCache;
  /** Symbols and imports of `map` (or of the map it is a subset of); enables the code helpers. */
  code?: CodeIndex;
  /** A workflow's own helpers (e.g. review's `hunks`), next to the standard ones; child RLMs get them too. */
  extraHelpers?: Record<string, HostFunction>;
  /** A workflow's own read-only JSON globals (e.g. review's `diff`); child RLMs get them too. */
  extraGlobals?: Record<string, unknown>;
  /** How the extra helpers and globals are described in the system prompt. */
  extraDocs?: HelperDoc[];
  /** Merged into the metadata of the first message and `context` (root run only). */
  extraMetadata?: Record<string, unknown>;
  /** A workflow's task description, appended to the root system prompt (not given to child RLMs). */
  instructions?: string;
  /** Sees every helper call with its arguments before it runs (what a workflow looked at). */
  onHelperCall?: (name: string, args: unknown[]) => void;
  /** Sees the prompt of every sub-call that ran and answered, at any depth (a denied or failed one is not reported). */
  onSubCall?: (kind: 'llm' | 'rlm', prompt: string) => void;
  /** Context windows in tokens, set by the user; absent: asked of the endpoint, else the family table. */
  contextWindow?: number;
  subContextWindow?: number;
  /** The windows a parent resolved (child runs). */
  windows?: RunWindows;
}

export interface RlmResult {
  answer: string;
  reason: FinishReason;
  forced: boolean;
  iterations: number;
  runId: string;
}

export { RlmCancelledError };

let runCounter = 0;

const CONTINUE_MESSAGE =
  'Your response had no ```js cell and no finish(). Write a ```js cell to inspect the workspace, ' +
  'or call finish(markdown) in a cell once you have seen the output your answer rests on.';

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new RlmCancelledError();
}

/** A cell's report as message parts: its label and fence stay, its output is what compaction may cut. */
function formatCell(index: number, result: CellResult, output: string): MessagePart[] {
  const label = result.error ? `Cell ${index} (error)` : `Cell ${index} output`;
  return [{ text: `${label}:\n\`\`\`text\n` }, { text: output, output: true }, { text: '\n```' }];
}

function joinParts(groups: MessagePart[][], separator = '\n\n'): MessagePart[] {
  return groups.flatMap((g, i) => (i === 0 ? g : [{ text: separator }, ...g]));
}

/** A server's refusal of a prompt longer than its window (vLLM, OpenAI, llama.cpp, LM Studio say it so). */
function isContextOverflow(err: unknown): err is ChatModelError {
  return (
    err instanceof ChatModelError && err.kind === 'invalid-request' &&
    /context length|context window|maximum context|too many tokens|context_length_exceeded|exceeds? the (available )?context/i.test(err.message)
  );
}

/** A twin's calls are reported as the helper the model wrote (see AWAITED_HELPERS). */
const HELPER_OF_TWIN: Record<string, string> = Object.fromEntries(Object.entries(AWAITED_HELPERS).map(([helper, twin]) => [twin, helper]));

function observeHelpers(
  helpers: Record<string, HostFunction>,
  onCall: RlmOptions['onHelperCall'],
): Record<string, HostFunction> {
  if (!onCall) return helpers;
  return Object.fromEntries(
    Object.entries(helpers).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        onCall(HELPER_OF_TWIN[name] ?? name, args);
        return fn(...args);
      },
    ]),
  );
}

export async function runRlm(options: RlmOptions): Promise<RlmResult> {
  const depth = options.depth ?? 0;
  const budget = options.budget ?? new Budget(options.limits);
  const limits = budget.limits;
  const rootModel = options.rootModel;
  const subModel = options.subModel ?? rootModel;
  const ledger = options.ledger ?? new UsageLedger();
  const trajectory = options.trajectory;
  const signal = options.signal;
  const runId = `rlm-${++runCounter}`;
  const emit = (event: RlmEvent) => {
    trajectory?.record(event);
    options.onEvent?.(event);
  };
  let subCallIds = 0;
  let subCallsDenied = false;

  throwIfAborted(signal);
  emit({ type: 'run-start', runId, depth, question: options.question, files: options.map.size });
  const windows =
    options.windows ?? (await resolveRunWindows(rootModel, subModel, { root: options.contextWindow, sub: options.subContextWindow }, signal));
  for (const window of new Set([windows.root, windows.sub])) {
    if (window.warning && firstTime(window.warning)) emit({ type: 'notice', runId, depth, message: window.warning });
  }
  const subPromptLimit = promptLimit(windows.sub.tokens);

  const account = (model: string, callDepth: number, response: ChatResponse) => {
    ledger.record(response.servedBy?.model ?? model, callDepth, response.usage, response.servedBy?.endpoint);
    budget.addTokens(response.usage.totalTokens);
    emit({
      type: 'usage',
      runId,
      depth: callDepth,
      model: response.servedBy?.model ?? model,
      ...(response.servedBy ? { endpoint: response.servedBy.endpoint } : {}),
      usage: response.usage,
      totalTokens: budget.tokensUsed,
      cost: ledger.costUSD,
    });
  };

  /** One sub-call slot, with its events; the work itself is `fn`. */
  const subCall = async (kind: 'llm' | 'rlm', prompt: string, fn: () => Promise<string>): Promise<string> => {
    throwIfAborted(signal);
    if (!budget.takeSubCall()) {
      subCallsDenied = true;
      throw new Error(`sub-call budget exhausted (${limits.maxSubCalls} used); finish with what you know`);
    }
    const id = ++subCallIds;
    const started = Date.now();
    emit({ type: 'subcall-start', runId, id, depth: depth + 1, kind, prompt: preview(prompt) });
    try {
      const result = await fn();
      options.onSubCall?.(kind, prompt);
      trajectory?.recordSubCall({ runId, id, kind, prompt, ok: true, result });
      emit({ type: 'subcall-end', runId, id, depth: depth + 1, kind, ok: true, result: preview(result), durationMs: Date.now() - started });
      return result;
    } catch (err) {
      const message = signal?.aborted ? 'cancelled' : (err as Error).message;
      trajectory?.recordSubCall({ runId, id, kind, prompt, ok: false, result: message });
      emit({ type: 'subcall-end', runId, id, depth: depth + 1, kind, ok: false, result: message, durationMs: Date.now() - started });
      throw new Error(message);
    }
  };

  const cache = options.subCallCache;
  /** Identical prompts in flight at once (a batch asking the same thing twice) wait for one call. */
  const inFlight = new Map<string, Promise<string>>();

  /** A sub-call answered from the cache: shown like any other, marked cached, costing no tokens and no budget. */
  const cachedSubCall = (prompt: string, answer: CachedAnswer): string => {
    const id = ++subCallIds;
    emit({ type: 'subcall-start', runId, id, depth: depth + 1, kind: 'llm', prompt: preview(prompt) });
    ledger.recordSaved(answer.model, depth + 1, answer.usage);
    options.onSubCall?.('llm', prompt);
    trajectory?.recordSubCall({ runId, id, kind: 'llm', prompt, ok: true, result: answer.text });
    emit({ type: 'subcall-end', runId, id, depth: depth + 1, kind: 'llm', ok: true, result: preview(answer.text), durationMs: 0, cached: true });
    return answer.text;
  };

  const llmQuery = async (prompt: string): Promise<string> => {
    throwIfAborted(signal);
    const promptTokens = countMessageTokens([{ content: prompt }]);
    if (promptTokens > subPromptLimit) {
      // Never sent cut: the answer would be about a text the sub-model did not see.
      throw new Error(
        `llm_query prompt is about ${formatTokens(promptTokens)} tokens (${formatTokens(prompt.length)} characters); the sub-model ` +
          `"${subModel.model}" reads at most ${formatTokens(subPromptLimit)} (its context window is ${formatTokens(windows.sub.tokens)}). ` +
          `Split the text into parts of under ${formatTokens(Math.floor((prompt.length * subPromptLimit) / promptTokens / 2))} characters ` +
          'and send them with llm_query_batched, then combine the answers.',
      );
    }
    const temperature = options.subTemperature;
    const key = { endpoint: subModel.endpoint ?? '', model: subModel.model, prompt, ...(temperature !== undefined ? { temperature } : {}) };
    const pending = cache && inFlight.get(prompt);
    if (pending) await pending.catch(() => undefined);
    const hit = cache && (await cache.get(key));
    if (hit) return cachedSubCall(prompt, hit);
    const call = subCall('llm', prompt, async () => {
      const response = await subModel.complete({ messages: [{ role: 'user', content: prompt }], signal, ...(temperature !== undefined ? { temperature } : {}) });
      account(subModel.model, depth + 1, response);
      // A reasoning sub-model's thinking is not its answer.
      const answer = splitThinking(response.text).visible;
      await cache?.put(key, { text: answer, usage: response.usage, model: subModel.model });
      return answer;
    });
    if (!cache) return call;
    inFlight.set(prompt, call);
    return call.finally(() => inFlight.delete(prompt));
  };

  const scopeMap = async (scope: SubCallScope): Promise<FileMap> => {
    if (scope.text !== undefined) return FileMap.fromTexts({ 'context.txt': scope.text }, 'text');
    const paths = scope.paths ?? options.map.files(scope.glob).map((f) => f.path);
    return options.map.subset(paths);
  };

  const rlmQuery = async (question: string, scope: SubCallScope): Promise<string> => {
    if (depth + 1 >= limits.maxDepth) {
      // At the depth limit a child RLM would exceed the budget's depth, so the sub-model reads the scope directly.
      const map = await scopeMap(scope);
      const parts: string[] = [];
      // What the sub-model can read: files in order until its window is full, then a note of what was left out.
      let tokens = countMessageTokens([{ content: question }]) + 50;
      for (const file of map.files()) {
        const text = await map.readText(file.path);
        const part = scope.text !== undefined ? text : `--- ${file.path} ---\n${text}`;
        const size = countMessageTokens([{ content: part }]);
        if (tokens + size > subPromptLimit) {
          parts.push(`… (${map.size - parts.length} more files left out: the sub-model's context window is full)`);
          break;
        }
        tokens += size;
        parts.push(part);
      }
      if (parts.length === 1 && parts[0]!.startsWith('… (')) {
        throw new Error(`rlm_query: the first file of the scope does not fit the sub-model's context window (${formatTokens(windows.sub.tokens)} tokens); pass {text} of a part of it, or use llm_query_batched over parts.`);
      }
      return llmQuery(`${question}\n\n${parts.join('\n\n')}`);
    }
    return subCall('rlm', question, async () => {
      const child = await runRlm({
        ...options,
        question,
        map: await scopeMap(scope),
        rootModel: subModel,
        subModel,
        budget,
        ledger,
        depth: depth + 1,
        // A child over plain text has no code to index; one over files shares the parent's index.
        code: scope.text !== undefined ? undefined : options.code,
        instructions: undefined,
        extraMetadata: undefined,
        windows: { root: windows.sub, sub: windows.sub },
      });
      return child.answer;
    });
  };

  let finishedWith: string | undefined;
  // The run's set-up (metadata over every file, the REPL's first instance, the prompt) is many milliseconds of work
  // on a kernel-sized tree: the event loop gets a turn between its steps.
  const setUp = new EventLoopSlices();
  await setUp.yield();
  const metadata = {
    ...(await buildMetadataInSlices(options.map)),
    ...(options.code ? { code: options.code.summary() } : {}),
    ...options.extraMetadata,
  };
  const standardHelpers = createHelpers({
    map: options.map,
    concurrency: options.concurrency ?? 8,
    grepTimeoutMs: Math.round((options.sandbox?.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 0.8),
    llmQuery,
    rlmQuery,
    code: options.code,
    onFinish: (markdown) => {
      finishedWith = markdown;
    },
  });
  const conversation = depth === 0 ? options.conversation : undefined;
  const helpers = observeHelpers({ ...standardHelpers, ...options.extraHelpers }, options.onHelperCall);
  const globals = { context: metadata, ...options.extraGlobals, ...(conversation ? { history: conversation.history } : {}) };
  const replKept = !!conversation?.repl && !conversation.repl.isDisposed;
  await setUp.yield();
  const sandbox = replKept ? conversation!.repl! : await Sandbox.create({ helpers, globals, awaited: AWAITED_HELPERS, ...options.sandbox });
  if (replKept) {
    sandbox.rebind(helpers);
    for (const [name, value] of Object.entries(globals)) await sandbox.setGlobal(name, value);
  } else conversation?.keep(sandbox);
  await setUp.yield();

  const history = new RootHistory([
    {
      role: 'system',
      content: buildSystemPrompt(limits, depth, {
        code: Boolean(options.code),
        extraDocs: options.extraDocs,
        instructions: options.instructions,
        conversation: Boolean(conversation),
      }),
    },
    {
      role: 'user',
      content: buildFirstUserMessage({ question: options.question, metadata, followUp: conversation && followUpNote(conversation.history, replKept) }),
    },
  ], windows.root.tokens, (message) => emit({ type: 'notice', runId, depth, message }));
  trajectory?.setConversation(runId, depth, history.messages);

  /** One root request, within the window; a server that still finds it too long gets it compacted further. */
  const complete = async (turn: number): Promise<ChatResponse> => {
    for (;;) {
      try {
        return await rootModel.complete({
          messages: history.view(),
          signal,
          onDelta: (text) => emit({ type: 'model-delta', runId, depth, turn, text }),
          onReasoningDelta: (text) => emit({ type: 'model-delta', runId, depth, turn, text, thinking: true }),
          onRetry: (retry) =>
            emit({ type: 'model-retry', runId, depth, turn, attempt: retry.attempt, delayMs: retry.delayMs, message: retry.error.message }),
        });
      } catch (err) {
        if (!isContextOverflow(err) || !history.recoverFromOverflow(err.message)) throw err;
        emit({ type: 'model-retry', runId, depth, turn, attempt: 1, delayMs: 0, message: `${err.message} Compacting and sending again.` });
      }
    }
  };

  const ask = async (turn: number): Promise<string> => {
    throwIfAborted(signal);
    const response = await complete(turn);
    history.observe(response.usage.promptTokens, Boolean(response.usage.estimated));
    account(rootModel.model, depth, response);
    // Thinking is shown, never run or searched for an answer, and not sent back: only the response is history.
    const { thinking, visible } = splitThinking(response.text);
    const thought = [response.reasoning?.trim(), thinking].filter(Boolean).join('\n\n');
    history.addAssistant(visible);
    emit({ type: 'model-text', runId, depth, turn, text: visible, ...(thought ? { thinking: thought } : {}) });
    return visible;
  };

  const done = (answer: string, reason: FinishReason, iterations: number): RlmResult => {
    const forced = reason !== 'finish' && reason !== 'final';
    emit({ type: 'finish', runId, depth, answer, forced, reason });
    return { answer, reason, forced, iterations, runId };
  };

  try {
    let turn = 0;
    let stopReason: FinishReason = 'iterations';
    let carried: MessagePart[] = [];
    while (turn < limits.maxIterations) {
      const exhausted = budget.exhausted();
      if (exhausted) {
        stopReason = exhausted;
        break;
      }
      turn++;
      emit({ type: 'turn', runId, depth, turn, maxTurns: limits.maxIterations });
      const text = await ask(turn);
      const { blocks, prose } = parseResponse(text);
      const final = findFinal(prose);

      if (blocks.length === 0) {
        if (final?.kind === 'text') return done(final.value, 'final', turn);
        if (final?.kind === 'var') {
          const value = await sandbox.runCell(
            `print(typeof ${final.name} === 'string' ? ${final.name} : JSON.stringify(${final.name}, null, 2))`,
            { signal },
          );
          if (!value.error) return done(value.output, 'final', turn);
          history.addUser(`FINAL_VAR(${final.name}) failed:\n${value.output}\nDefine the variable in a cell first.`);
          continue;
        }
        history.addUser(`${budget.describe(turn + 1, limits.maxIterations)}\n\n${CONTINUE_MESSAGE}`);
        continue;
      }

      const results: CellResult[] = [];
      const notes: string[] = [];
      let firstError: number | undefined;
      finishedWith = undefined;
      for (let i = 0; i < blocks.length; i++) {
        throwIfAborted(signal);
        emit({ type: 'cell-start', runId, depth, turn, cell: i + 1, code: blocks[i].code });
        const result = await sandbox.runCell(blocks[i].code, { signal });
        throwIfAborted(signal);
        emit({
          type: 'cell-output',
          runId,
          depth,
          turn,
          cell: i + 1,
          output: result.output,
          error: result.error ? `${result.error.name}: ${result.error.message}` : undefined,
          durationMs: Math.round(result.durationMs),
        });
        results.push(result);
        if (result.error && firstError === undefined) firstError = i + 1;
        // finish() ends the response: later cells were written before the model saw anything.
        if (finishedWith !== undefined) break;
      }

      const answer = finishedWith ?? (final?.kind === 'text' ? final.value : undefined);
      if (answer !== undefined) {
        if (firstError === undefined) return done(answer, finishedWith !== undefined ? 'finish' : 'final', turn);
        const message = `finish() was refused: cell ${firstError} raised an error in the same response, so the answer may rest on output you had not seen. Read the output above, fix the problem, then finish.`;
        emit({ type: 'notice', runId, depth, message });
        notes.push(message);
      }
      // Outputs are cut here, as the model will read them, to what is left of its window.
      const outputs = history.fitOutputs(text, results.map((r) => r.output));
      const reports = joinParts([...results.map((r, i) => formatCell(i + 1, r, outputs[i]!)), ...notes.map((n) => [{ text: n }])]);
      if (subCallsDenied) {
        // The outputs of this turn go into the same message as the request for a final answer.
        stopReason = 'sub-calls';
        carried = [...reports, { text: '\n\n' }];
        break;
      }
      history.addUser([{ text: `${budget.describe(turn + 1, limits.maxIterations)}\n\n`, transient: true }, ...reports]);
    }

    // A budget ran out: one last call, without code, for the best answer from what is known.
    const why =
      stopReason === 'iterations'
        ? `You have used all ${limits.maxIterations} turns.`
        : stopReason === 'sub-calls'
          ? 'The sub-call budget is exhausted.'
          : stopReason === 'tokens'
            ? 'The token budget is exhausted.'
            : 'The time budget is exhausted.';
    emit({ type: 'notice', runId, depth, message: `${why} Asking for the best answer from what is known.` });
    history.addUser([
      ...carried,
      { text: `${why} Do not write code. Reply now with your best final answer in markdown, from what you have seen, citing path:line only for lines you have read. Say what you could not verify.` },
    ]);
    const last = await ask(turn + 1);
    const { blocks, prose } = parseResponse(last);
    const final = findFinal(prose);
    // Only runnable code is dropped from a last answer: other fences (a json block of findings, an example) are part of it.
    const answer = final?.kind === 'text' ? final.value : (blocks.length ? prose.trim() : '') || last.trim();
    return done(answer || '(the model gave no answer)', answer ? stopReason : 'no-answer', turn);
  } catch (err) {
    if (signal?.aborted) {
      emit({ type: 'error', runId, depth, message: 'cancelled' });
      throw new RlmCancelledError();
    }
    emit({ type: 'error', runId, depth, message: (err as Error).message });
    throw err;
  } finally {
    // A conversation's REPL lives on for the next question (a cancelled run's REPL too: its variables stay).
    if (!conversation) sandbox.dispose();
    trajectory?.setConversation(runId, depth, history.messages);
  }
}
