import { type EndpointConfig, type LLMConfig, type ResolveLLMConfigOptions, resolveEndpoint, resolveLLMConfig } from '../core/llm/config';
import type { ChatModel } from '../core/llm/chatModel';
import { EndpointPool, type PoolEndpointConfig } from '../core/llm/endpointPool';
import { OpenAICompatibleModel } from '../core/llm/openAICompatibleModel';
import { readSubEndpoints, sameServer } from '../core/llm/subEndpoints';
import { defaultSubCallCacheDir, SubCallCache } from '../core/llm/subCallCache';
import { UsageError } from './args';

/** The model flags every command that asks a model shares. */
export interface ModelFlags {
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  subModel?: string;
  config?: string;
  /** --sub-endpoint URL (repeatable): sub-calls spread over these endpoints. */
  subEndpoints?: string[];
  /** --sub-endpoint-concurrency N: calls in flight per sub-endpoint. */
  subEndpointConcurrency?: number;
}

export interface CliModels {
  config: LLMConfig;
  rootModel: OpenAICompatibleModel;
  /** The root model itself when no distinct sub-model is configured; a pool when sub-endpoints are. */
  subModel: ChatModel;
  /** For the progress line: `model (sub-model X) at URL`. */
  label: string;
}

/** What every command hands the resolver: its flags, the process environment, the workspace for ./.recurse.json. */
function resolveOptions(flags: ModelFlags, root: string): ResolveLLMConfigOptions {
  return {
    flags: { baseUrl: flags.baseUrl, apiKey: flags.apiKey, model: flags.model, subModel: flags.subModel },
    configFile: flags.config,
    env: process.env,
    cwd: root,
    // Where to look for a local Ollama when nothing is configured (tests point it at a closed port).
    ollamaBaseURL: process.env.RECURSE_OLLAMA_URL || undefined,
  };
}

/** The endpoint as ask would resolve it, without requiring a model (`recurse models` lists them). */
export function resolveCliEndpoint(flags: ModelFlags, root: string): Promise<EndpointConfig> {
  return resolveEndpoint(resolveOptions(flags, root));
}

/** Resolves flags > environment > config file (> a local Ollama) into the root and sub-model clients. */
export async function createCliModels(flags: ModelFlags, root: string): Promise<CliModels> {
  const config = await resolveLLMConfig(resolveOptions(flags, root));
  const rootModel = new OpenAICompatibleModel({ baseURL: config.baseURL, apiKey: config.apiKey, model: config.model });
  const pooled = subEndpoints(flags, config);
  if (pooled.length) {
    const subModel = new EndpointPool({ endpoints: pooled, model: config.subModel });
    const label = `${config.model} at ${config.baseURL}, sub-calls (${config.subModel}) over ${pooled.length} endpoint${pooled.length === 1 ? '' : 's'}`;
    return { config, rootModel, subModel, label };
  }
  const distinct = Boolean(config.subModel) && config.subModel !== config.model;
  const subModel = distinct ? new OpenAICompatibleModel({ baseURL: config.baseURL, apiKey: config.apiKey, model: config.subModel }) : rootModel;
  const label = `${config.model}${distinct ? ` (sub-model ${config.subModel})` : ''} at ${config.baseURL}`;
  return { config, rootModel, subModel, label };
}

/**
 * The config file's `subEndpoints`, then each --sub-endpoint URL. A URL given on the command line gets the root's key
 * only when it is the root's own server (a key is never sent elsewhere); --sub-endpoint-concurrency is the limit of
 * those that set none.
 */
function subEndpoints(flags: ModelFlags, config: LLMConfig): PoolEndpointConfig[] {
  const limit = flags.subEndpointConcurrency;
  const fromFile = config.file.subEndpoints === undefined ? [] : readSubEndpoints(config.file.subEndpoints, 'config file');
  const fromFlags = (flags.subEndpoints ?? []).map((url): PoolEndpointConfig => {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--sub-endpoint must be an http(s) base URL, got ${JSON.stringify(url)}`);
    return { baseUrl: url, ...(sameServer(url, config.baseURL) && config.apiKey ? { apiKey: config.apiKey } : {}) };
  });
  return [...fromFile, ...fromFlags].map((e) => ({ ...e, ...(e.concurrency === undefined && limit !== undefined ? { concurrency: limit } : {}) }));
}

/**
 * The workspace's sub-call cache (memory and disk), unless --no-cache or the config file's "cacheSubCalls": false
 * turn it off.
 */
export function cliSubCallCache(root: string, flags: { noCache?: boolean; cacheAnyTemperature?: boolean }, file: Record<string, unknown>): SubCallCache | undefined {
  if (flags.noCache || file.cacheSubCalls === false) return undefined;
  return new SubCallCache({ dir: defaultSubCallCacheDir(root), cacheNonZeroTemperature: flags.cacheAnyTemperature || file.cacheAnyTemperature === true });
}

/** --sub-temperature, else the config file's "subTemperature" (a number from 0 to 2), else the endpoint's default. */
export function cliSubTemperature(flag: number | undefined, file: Record<string, unknown>): number | undefined {
  if (flag !== undefined) return flag;
  const v = file.subTemperature;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || v < 0 || v > 2) throw new UsageError(`config file: subTemperature must be a number from 0 to 2, got ${JSON.stringify(v)}`);
  return v;
}
