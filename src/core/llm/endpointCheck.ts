// Checking an endpoint before it is used: which models it offers (GET /models) and whether one tiny completion
// goes through. `recurse models` and the extension's "Configure model…" flow both show these results, so a new
// user sees "401: Incorrect API key" or "nothing listening at …" before asking a question, not after.
import { ChatModelError, type ChatModelErrorKind } from './chatModel';
import { listModels } from './config';
import { OpenAICompatibleModel } from './openAICompatibleModel';

export interface EndpointOptions {
  baseURL: string;
  /** '' for servers that need none. */
  apiKey: string;
  signal?: AbortSignal;
  /** Per request. Default 15 s: a local server loading a model for the first time is slow. */
  timeoutMs?: number;
}

export type ModelListing =
  | { ok: true; models: string[]; latencyMs: number }
  /** `unsupported`: the endpoint has no usable model list (Azure deployments), the model name must be typed. */
  | { ok: false; kind: ChatModelErrorKind | 'unsupported'; error: string; status?: number; latencyMs: number };

export type TestCallResult =
  | { ok: true; model: string; latencyMs: number; reply: string; servedBy: string }
  | { ok: false; model: string; kind: ChatModelErrorKind; error: string; status?: number; latencyMs: number };

/** The models an endpoint lists, sorted; a failure is a value with the endpoint's own error, never a throw. */
export async function listEndpointModels(options: EndpointOptions): Promise<ModelListing> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  if (isAzureDeploymentURL(options.baseURL)) {
    return { ok: false, kind: 'unsupported', error: 'Azure OpenAI serves one deployment per URL: type its name.', latencyMs: 0 };
  }
  try {
    const models = await listModels(options.baseURL, options.apiKey, { timeoutMs: options.timeoutMs ?? 15_000, signal: options.signal });
    return { ok: true, models: [...new Set(models)].sort((a, b) => a.localeCompare(b)), latencyMs: latencyMs() };
  } catch (e) {
    const err = asModelError(e);
    return { ok: false, kind: err.kind, error: err.message, ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: latencyMs() };
  }
}

/**
 * One completion of at most one token, not retried: what it costs to learn that the key, the URL and the model
 * name all work. The result carries the latency, or the endpoint's own error (auth, 404, rate limit, unreachable).
 */
export async function testCompletion(options: EndpointOptions & { model: string }): Promise<TestCallResult> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const { model } = options;
  try {
    const client = new OpenAICompatibleModel({
      baseURL: options.baseURL,
      apiKey: options.apiKey,
      model,
      maxRetries: 0,
      stream: false,
      timeoutMs: options.timeoutMs ?? 15_000,
    });
    const response = await client.complete({
      messages: [{ role: 'user', content: 'Reply with the single word: ok' }],
      maxTokens: 1,
      temperature: 0,
      signal: options.signal,
    });
    return { ok: true, model, latencyMs: latencyMs(), reply: response.text, servedBy: response.model };
  } catch (e) {
    const err = asModelError(e);
    return { ok: false, model, kind: err.kind, error: err.message, ...(err.status !== undefined ? { status: err.status } : {}), latencyMs: latencyMs() };
  }
}

/** A one-line description of a test call, as `recurse models` and the configure flow show it. */
export function describeTestCall(result: TestCallResult): string {
  if (result.ok) return `ok — ${result.model} answered in ${result.latencyMs} ms`;
  return `failed — ${result.error}`;
}

/** https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT: one deployment, no /models of its own. */
export function isAzureDeploymentURL(baseURL: string): boolean {
  try {
    const url = new URL(baseURL);
    return /\.(openai|cognitiveservices)\.azure\.com$/.test(url.hostname) && /\/deployments\/[^/]+/.test(url.pathname);
  } catch {
    return false;
  }
}

function asModelError(e: unknown): ChatModelError {
  if (e instanceof ChatModelError) return e;
  return new ChatModelError('config', e instanceof Error ? e.message : String(e));
}
