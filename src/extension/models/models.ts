import type { ChatModel } from '../../core/llm/chatModel';
import type { PoolEndpointConfig } from '../../core/llm/endpointPool';
import { type ApiKeyStore, endpointNeedsKey } from './apiKeyStore';
import { loadCore } from '../loadCore';
import type { RecurseSettings } from '../settings';
import { VsCodeLmModel, selectLmModel } from './vscodeLmModel';

export interface Models {
  root: ChatModel;
  sub: ChatModel;
  /** For messages: "gpt-4.1-mini at https://api.openai.com/v1". */
  label: string;
}

export class MissingKeyError extends Error {
  constructor(baseUrl: string) {
    super(`An API key is needed for ${baseUrl}. Run "Recurse: Set API Key", set OPENAI_API_KEY, or point recurse.baseUrl at a local server.`);
    this.name = 'MissingKeyError';
  }
}

/**
 * recurse.subEndpoints with their keys: each endpoint's own key from secret storage ("Recurse: Set API Key" asks
 * which endpoint), the root's key only for the root's own server, asked for when a hosted endpoint has none.
 */
async function subEndpoints(settings: RecurseSettings, keys: ApiKeyStore, rootKey: string | undefined): Promise<PoolEndpointConfig[]> {
  const { readSubEndpoints, sameServer, ChatModelError } = loadCore();
  const entries = readSubEndpoints(settings.subEndpoints, 'Setting recurse.subEndpoints');
  if (entries.some((e) => e.apiKey !== undefined)) {
    throw new ChatModelError('config', 'recurse.subEndpoints: API keys do not go in settings. Run "Recurse: Set API Key" and pick the endpoint (kept in secret storage).');
  }
  return Promise.all(entries.map(async (e) => {
    let key = (await keys.own(e.baseUrl)) ?? (sameServer(e.baseUrl, settings.baseUrl) ? rootKey : undefined);
    if (!key && endpointNeedsKey(e.baseUrl)) {
      key = await keys.prompt(`API key for the sub-call endpoint ${e.baseUrl} (stored in VS Code secret storage)`, e.baseUrl);
      if (!key) throw new MissingKeyError(e.baseUrl);
    }
    return { ...e, ...(key ? { apiKey: key } : {}) };
  }));
}

/** The root and sub-call models for the current settings; asks for a missing API key with an input box. */
export async function createModels(settings: RecurseSettings, keys: ApiKeyStore): Promise<Models> {
  if (settings.provider === 'vscode-lm') {
    const root = new VsCodeLmModel(await selectLmModel(settings.model));
    const sub = settings.subModel && settings.subModel !== settings.model ? new VsCodeLmModel(await selectLmModel(settings.subModel)) : root;
    return { root, sub, label: `${root.model} (VS Code language model)` };
  }
  const { OpenAICompatibleModel, ChatModelError } = loadCore();
  if (!settings.model) throw new ChatModelError('config', 'Set "recurse.model" to the model to use.');
  let apiKey = await keys.get(settings.baseUrl);
  if (!apiKey && endpointNeedsKey(settings.baseUrl)) {
    apiKey = await keys.prompt(`API key for ${settings.baseUrl} (stored in VS Code secret storage)`, settings.baseUrl);
    if (!apiKey) throw new MissingKeyError(settings.baseUrl);
  }
  const make = (model: string) => new OpenAICompatibleModel({ baseURL: settings.baseUrl, apiKey: apiKey ?? '', model });
  const root = make(settings.model);
  if (settings.subEndpoints.length) {
    const endpoints = await subEndpoints(settings, keys, apiKey);
    const sub = new (loadCore().EndpointPool)({ endpoints, model: settings.subModel || settings.model });
    return { root, sub, label: `${settings.model} at ${settings.baseUrl}, sub-calls over ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}` };
  }
  const sub = settings.subModel && settings.subModel !== settings.model ? make(settings.subModel) : root;
  return { root, sub, label: `${settings.model} at ${settings.baseUrl}` };
}
