import { type EndpointConfig, type LLMConfig, type ResolveLLMConfigOptions, resolveEndpoint, resolveLLMConfig } from '../core/llm/config';
import { OpenAICompatibleModel } from '../core/llm/openAICompatibleModel';
import { defaultSubCallCacheDir, SubCallCache } from '../core/llm/subCallCache';
import { UsageError } from './args';

/** The model flags every command that asks a model shares. */
export interface ModelFlags {
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  subModel?: string;
  config?: string;
}

export interface CliModels {
  config: LLMConfig;
  rootModel: OpenAICompatibleModel;
  /** The root model itself when no distinct sub-model is configured. */
  subModel: OpenAICompatibleModel;
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
  const distinct = Boolean(config.subModel) && config.subModel !== config.model;
  const subModel = distinct ? new OpenAICompatibleModel({ baseURL: config.baseURL, apiKey: config.apiKey, model: config.subModel }) : rootModel;
  const label = `${config.model}${distinct ? ` (sub-model ${config.subModel})` : ''} at ${config.baseURL}`;
  return { config, rootModel, subModel, label };
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
