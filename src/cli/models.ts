import { type LLMConfig, resolveLLMConfig } from '../core/llm/config';
import { OpenAICompatibleModel } from '../core/llm/openAICompatibleModel';

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

/** Resolves flags > environment > config file (> a local Ollama) into the root and sub-model clients. */
export async function createCliModels(flags: ModelFlags, root: string): Promise<CliModels> {
  const config = await resolveLLMConfig({
    flags: { baseUrl: flags.baseUrl, apiKey: flags.apiKey, model: flags.model, subModel: flags.subModel },
    configFile: flags.config,
    env: process.env,
    cwd: root,
    // Where to look for a local Ollama when nothing is configured (tests point it at a closed port).
    ollamaBaseURL: process.env.RECURSE_OLLAMA_URL || undefined,
  });
  const rootModel = new OpenAICompatibleModel({ baseURL: config.baseURL, apiKey: config.apiKey, model: config.model });
  const distinct = Boolean(config.subModel) && config.subModel !== config.model;
  const subModel = distinct ? new OpenAICompatibleModel({ baseURL: config.baseURL, apiKey: config.apiKey, model: config.subModel }) : rootModel;
  const label = `${config.model}${distinct ? ` (sub-model ${config.subModel})` : ''} at ${config.baseURL}`;
  return { config, rootModel, subModel, label };
}
