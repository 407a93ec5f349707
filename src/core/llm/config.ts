// Where the model comes from: flags > environment > config file, and with nothing configured a local Ollama.
import { readSubEndpoints } from './subEndpoints';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChatModelError } from './chatModel';
import { endpointFetch } from './endpointFetch';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/**
 * Default model when only OPENAI_API_KEY is set: cheap, fast, good at code and with a 1M-token context window,
 * which suits a root model that reads REPL output over many iterations.
 */
export const DEFAULT_OPENAI_MODEL = 'gpt-4.1-mini';
export const DEFAULT_OLLAMA_BASE_URL = 'http://127.0.0.1:11434/v1';

export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  input: number;
  /** USD per 1M prompt tokens read from the provider's prompt cache; default: `input`. */
  cachedInput?: number;
  /** USD per 1M completion tokens. */
  output: number;
}
export type PriceTable = Record<string, ModelPrice>;

/** The JSON config file. Unknown fields are kept so other parts of Recurse can read their own settings. */
export interface RecurseConfigFile {
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  subModel?: string;
  prices?: PriceTable;
  maxIterations?: number;
  /** Sub-calls spread over these endpoints (see endpointPool.ts). */
  subEndpoints?: unknown;
  [key: string]: unknown;
}

export interface LLMFlags {
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  subModel?: string;
}

export type ConfigSource = 'flags' | 'env' | 'config-file' | 'ollama' | 'default';

export interface ResolveLLMConfigOptions {
  flags?: LLMFlags;
  env?: Record<string, string | undefined>;
  /** Explicit config file (e.g. --config); otherwise RECURSE_CONFIG, else ~/.config/recurse/config.json merged with <cwd>/.recurse.json. */
  configFile?: string;
  cwd: string;
  /** Home directory for ~/.config/recurse; defaults to os.homedir(). */
  home?: string;
  /** Where to look for a local Ollama when nothing is configured. */
  ollamaBaseURL?: string;
  probeTimeoutMs?: number;
}

export interface LLMConfig {
  baseURL: string;
  /** '' when the server needs no key. */
  apiKey: string;
  model: string;
  subModel: string;
  /** Where the endpoint (base URL) came from. */
  source: ConfigSource;
  /** Where each value came from, for `recurse --show-config`-style diagnostics. */
  sources: { baseURL: ConfigSource; apiKey: ConfigSource | 'none'; model: ConfigSource; subModel: ConfigSource };
  /** The merged config file contents ({} when none), so callers can read prices, maxIterations, ... */
  file: RecurseConfigFile;
  /** Config files that were read, in order of increasing precedence. */
  files: string[];
  prices?: PriceTable;
}

export const CONFIG_HELP = [
  'Configure a model in one of these ways:',
  '  - environment: OPENAI_API_KEY=... (OpenAI), optionally OPENAI_BASE_URL=<OpenAI-compatible /v1 URL>,',
  '    RECURSE_MODEL=<model>, RECURSE_SUB_MODEL=<model for sub-calls>',
  '  - flags: --base-url <url> --api-key <key> --model <name> [--sub-model <name>]',
  '  - a JSON config file at ~/.config/recurse/config.json or <workspace>/.recurse.json (or RECURSE_CONFIG=<path>):',
  '    { "baseUrl": "...", "apiKey": "...", "model": "...", "subModel": "..." }',
  '  - or run Ollama locally (http://127.0.0.1:11434) with a pulled model; it is used automatically.',
].join('\n');

/** The endpoint and any configured model names, before a model is chosen from a server's list. */
export interface EndpointConfig {
  baseURL: string;
  /** '' when the server needs no key. */
  apiKey: string;
  /** Undefined when nothing names a model (ask then takes the first one the server lists). */
  model?: string;
  subModel?: string;
  sources: { baseURL: ConfigSource; apiKey: ConfigSource | 'none'; model?: ConfigSource; subModel?: ConfigSource };
  file: RecurseConfigFile;
  files: string[];
  /** What a local Ollama listed when it was probed (nothing configured), so the caller need not ask again. */
  ollamaModels?: string[];
}

type Picked = { value: string; source: ConfigSource };

/**
 * The one place where precedence lives: flags > environment > config file, an API key alone meaning OpenAI, and
 * with no endpoint at all a local Ollama (a config error when none answers). It does not require a model, so
 * `recurse models` can show a server's listing even when no model is configured and the list is empty or fails.
 */
export async function resolveEndpoint(options: ResolveLLMConfigOptions): Promise<EndpointConfig> {
  const flags = options.flags ?? {};
  const env = options.env ?? {};
  const { file, files } = loadConfigFile(options);
  const pick = (flag: string | undefined, envValue: string | undefined, fileValue: string | undefined): Picked | undefined =>
    nonEmpty(flag) ? { value: flag, source: 'flags' }
    : nonEmpty(envValue) ? { value: envValue, source: 'env' }
    : nonEmpty(fileValue) ? { value: fileValue, source: 'config-file' }
    : undefined;

  const apiKey = pick(flags.apiKey, env.OPENAI_API_KEY, file.apiKey);
  let model = pick(flags.model, env.RECURSE_MODEL, file.model);
  const subModel = pick(flags.subModel, env.RECURSE_SUB_MODEL, file.subModel);
  let baseURL = pick(flags.baseUrl, env.OPENAI_BASE_URL, file.baseUrl);
  let ollamaModels: string[] | undefined;
  if (!baseURL && apiKey) {
    baseURL = { value: OPENAI_BASE_URL, source: 'default' };
    model ??= { value: DEFAULT_OPENAI_MODEL, source: 'default' };
  } else if (!baseURL) {
    const ollama = options.ollamaBaseURL ?? DEFAULT_OLLAMA_BASE_URL;
    ollamaModels = await listModels(ollama, '', { timeoutMs: options.probeTimeoutMs ?? 1_500 }).catch(() => {
      throw new ChatModelError('config', `No language model is configured, and no Ollama answered at ${ollama}.\n${CONFIG_HELP}`);
    });
    baseURL = { value: ollama, source: 'ollama' };
  }
  return {
    baseURL: baseURL.value.replace(/\/+$/, ''),
    apiKey: apiKey?.value ?? '',
    ...(model ? { model: model.value } : {}),
    ...(subModel ? { subModel: subModel.value } : {}),
    sources: { baseURL: baseURL.source, apiKey: apiKey?.source ?? 'none', model: model?.source, subModel: subModel?.source },
    file,
    files,
    ...(ollamaModels ? { ollamaModels } : {}),
  };
}

/** resolveEndpoint, and when no model is named, the first one the server (or the local Ollama) lists. */
export async function resolveLLMConfig(options: ResolveLLMConfigOptions): Promise<LLMConfig> {
  const endpoint = await resolveEndpoint(options);
  const model: Picked = endpoint.model
    ? { value: endpoint.model, source: endpoint.sources.model! }
    : { value: await firstListedModel(endpoint, options.probeTimeoutMs), source: endpoint.sources.baseURL };
  const subModel: Picked = endpoint.subModel ? { value: endpoint.subModel, source: endpoint.sources.subModel! } : model;
  const { file, files } = endpoint;
  return {
    baseURL: endpoint.baseURL,
    apiKey: endpoint.apiKey,
    model: model.value,
    subModel: subModel.value,
    source: endpoint.sources.baseURL,
    sources: { baseURL: endpoint.sources.baseURL, apiKey: endpoint.sources.apiKey, model: model.source, subModel: subModel.source },
    file,
    files,
    ...(file.prices ? { prices: file.prices } : {}),
  };
}

/** Local servers (vLLM, LM Studio, Ollama) usually serve one model; taking it is friendlier than failing. */
async function firstListedModel(endpoint: EndpointConfig, probeTimeoutMs: number | undefined): Promise<string> {
  if (endpoint.ollamaModels) {
    if (endpoint.ollamaModels[0]) return endpoint.ollamaModels[0];
    throw new ChatModelError(
      'config',
      `Ollama is running at ${endpoint.baseURL} but has no models. Pull one (e.g. \`ollama pull qwen2.5-coder:7b\`) ` +
        `or set RECURSE_MODEL.\n${CONFIG_HELP}`,
    );
  }
  const listed = await listModels(endpoint.baseURL, endpoint.apiKey, { timeoutMs: probeTimeoutMs ?? 5_000 }).catch(() => [] as string[]);
  if (listed[0]) return listed[0];
  throw new ChatModelError(
    'config',
    `No model configured for ${endpoint.baseURL} and the server listed none.\n` +
      'Set RECURSE_MODEL, pass --model, or add "model" to the config file.',
  );
}

/** Reads the config file(s). A named file that is missing or any invalid file is a config error, not silence. */
export function loadConfigFile(options: {
  configFile?: string;
  env?: Record<string, string | undefined>;
  cwd: string;
  home?: string;
}): { file: RecurseConfigFile; files: string[] } {
  const explicit = options.configFile || options.env?.RECURSE_CONFIG;
  if (explicit) {
    const p = path.resolve(options.cwd, explicit);
    if (!fs.existsSync(p)) throw new ChatModelError('config', `Config file not found: ${p}`);
    return { file: readConfig(p), files: [p] };
  }
  const candidates = [
    path.join(options.home ?? os.homedir(), '.config', 'recurse', 'config.json'),
    path.join(options.cwd, '.recurse.json'),
  ];
  let file: RecurseConfigFile = {};
  const files: string[] = [];
  for (const p of candidates) {
    if (!fs.existsSync(p)) continue;
    const content = readConfig(p);
    // The workspace file refines the user file; prices merge so a project can add one model's price.
    file = { ...file, ...content, ...(file.prices || content.prices ? { prices: { ...file.prices, ...content.prices } } : {}) };
    files.push(p);
  }
  return { file, files };
}

function readConfig(p: string): RecurseConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    throw new ChatModelError('config', `Cannot read config file ${p}: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ChatModelError('config', `Config file ${p} must contain a JSON object.`);
  }
  const c = parsed as RecurseConfigFile;
  for (const key of ['baseUrl', 'apiKey', 'model', 'subModel'] as const) {
    if (c[key] !== undefined && typeof c[key] !== 'string') {
      throw new ChatModelError('config', `Config file ${p}: "${key}" must be a string.`);
    }
  }
  if (c.subEndpoints !== undefined) readSubEndpoints(c.subEndpoints, `Config file ${p}`);
  if (c.prices !== undefined) {
    if (!c.prices || typeof c.prices !== 'object') throw new ChatModelError('config', `Config file ${p}: "prices" must be an object.`);
    for (const [model, price] of Object.entries(c.prices)) {
      if (!price || typeof price.input !== 'number' || typeof price.output !== 'number' || (price.cachedInput !== undefined && typeof price.cachedInput !== 'number')) {
        throw new ChatModelError(
          'config',
          `Config file ${p}: prices["${model}"] must be { "input": <USD per 1M tokens>, "output": <USD per 1M tokens> }.`,
        );
      }
    }
  }
  return c;
}

/** GET {baseURL}/models → model ids. Throws ChatModelError on HTTP or network failure. */
export async function listModels(
  baseURL: string,
  apiKey: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const url = `${baseURL.replace(/\/+$/, '')}/models`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  let res: Response;
  try {
    res = await endpointFetch(url, { headers, signal });
  } catch (e) {
    const kind = options.signal?.aborted ? 'cancelled' : timeout.aborted ? 'timeout' : 'network';
    // fetch says only "fetch failed"; its cause says why (connect ECONNREFUSED 127.0.0.1:8000, getaddrinfo ENOTFOUND …).
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    const why = kind === 'timeout' ? `no answer within ${options.timeoutMs ?? 10_000} ms` : `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
    throw new ChatModelError(kind, `Cannot list models at ${url}: ${why}`, { cause: e });
  }
  const text = await res.text().catch(() => '');
  const said = serverMessage(text);
  if (res.status === 401 || res.status === 403) {
    throw new ChatModelError('auth', `Listing models at ${url} was refused (${res.status}): ${said} Check the API key.`, { status: res.status });
  }
  if (res.status === 429) throw new ChatModelError('rate-limit', `Listing models at ${url} is rate limited (429): ${said}`, { status: res.status });
  if (res.status === 404) {
    throw new ChatModelError('invalid-request', `${url} was not found (404): ${said} Is the base URL an OpenAI-compatible …/v1 endpoint?`, { status: 404 });
  }
  if (!res.ok) throw new ChatModelError(res.status >= 500 ? 'server' : 'invalid-request', `Listing models at ${url} failed (${res.status}): ${said}`, { status: res.status });
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ChatModelError('bad-response', `${url} did not return JSON: ${text.slice(0, 200)}`);
  }
  const data = Array.isArray(body?.data) ? body.data : Array.isArray(body?.models) ? body.models : undefined;
  if (!data) throw new ChatModelError('bad-response', `${url} did not return a model list: ${text.slice(0, 200)}`);
  return data.map((m: any) => (typeof m === 'string' ? m : String(m?.id ?? m?.name ?? ''))).filter((id: string) => id);
}

/** The message of an OpenAI-style error body ({error: {message}} or {error: "…"}), else the body's start. */
function serverMessage(text: string): string {
  try {
    const body = JSON.parse(text);
    const message = typeof body?.error === 'string' ? body.error : body?.error?.message ?? body?.message;
    if (typeof message === 'string' && message.trim()) return message.trim().endsWith('.') ? message.trim() : `${message.trim()}.`;
  } catch {
    // not JSON
  }
  const flat = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return flat ? `${flat}.` : '(empty response).';
}

function nonEmpty<T>(v: T | undefined): v is T {
  return v !== undefined && v !== null && v !== '';
}
