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
  /** `models` sorted for display; `first` in the server's order, the one ask takes when no model is configured. */
  | { ok: true; models: string[]; first?: string; latencyMs: number }
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
    const sorted = [...new Set(models)].sort((a, b) => a.localeCompare(b));
    return { ok: true, models: sorted, ...(models[0] ? { first: models[0] } : {}), latencyMs: latencyMs() };
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

export interface EndpointCheck {
  listing: ModelListing;
  /** Absent when no test was asked for, or when there was nothing to test (then `skipped` says why). */
  test?: TestCallResult;
  skipped?: string;
}

/**
 * Lists the models, then (when `test`) makes one test call to the configured model, else to the Azure deployment
 * of the URL, else to the one the server lists first (as ask would). An unreachable server is not asked twice: the second wait adds nothing.
 */
export async function checkEndpoint(options: EndpointOptions & { model?: string; test: boolean }): Promise<EndpointCheck> {
  const listing = await listEndpointModels(options);
  if (!options.test) return { listing };
  if (!listing.ok && (listing.kind === 'network' || listing.kind === 'timeout' || listing.kind === 'cancelled')) {
    return { listing, skipped: listing.kind === 'cancelled' ? 'cancelled' : 'the endpoint did not answer' };
  }
  const model = options.model ?? azureDeployment(options.baseURL) ?? (listing.ok ? listing.first : undefined);
  if (!model) return { listing, skipped: `no model to test: ${listing.ok ? 'the endpoint lists none' : 'the list failed'}; pass --model` };
  return { listing, test: await testCompletion({ ...options, model }) };
}

/** A listing that failed (other than Azure's missing list) or a test call that failed: the endpoint is not usable. */
export function endpointFailed(check: EndpointCheck): boolean {
  return (!check.listing.ok && check.listing.kind !== 'unsupported') || check.test?.ok === false;
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

/** The DEPLOYMENT of an Azure deployment URL: its chat calls go there whatever model name they carry. */
function azureDeployment(baseURL: string): string | undefined {
  if (!isAzureDeploymentURL(baseURL)) return undefined;
  return decodeURIComponent(/\/deployments\/([^/]+)/.exec(new URL(baseURL).pathname)![1]);
}

function asModelError(e: unknown): ChatModelError {
  if (e instanceof ChatModelError) return e;
  return new ChatModelError('config', e instanceof Error ? e.message : String(e));
}
