import type { ChatModel } from '../../core/llm/chatModel';
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
  const sub = settings.subModel && settings.subModel !== settings.model ? make(settings.subModel) : root;
  return { root, sub, label: `${settings.model} at ${settings.baseUrl}` };
}
