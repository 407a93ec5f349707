import type { ApiKeyStore } from '../models/apiKeyStore';
import { endpointNeedsKey } from '../models/apiKeyStore';
import type { RecurseSettings } from '../settings';

export type ModelReadiness =
  | { configured: true; label: string }
  | { configured: false; reason: string };

/**
 * Whether a question can be sent to a model as things stand, without asking the user anything. A hosted endpoint
 * (OpenAI, Azure) without a key is "no model configured" — the state a new user starts in; a local endpoint, a
 * key, or a VS Code chat model is configured (whether it answers is the test call's job).
 */
export async function modelReadiness(settings: RecurseSettings, keys: ApiKeyStore): Promise<ModelReadiness> {
  if (settings.provider === 'vscode-lm') return { configured: true, label: `${settings.model || 'first available'} (VS Code chat model)` };
  if (!settings.model) return { configured: false, reason: 'No model name is set for the endpoint.' };
  if (endpointNeedsKey(settings.baseUrl) && !(await keys.get(settings.baseUrl))) {
    return { configured: false, reason: `No API key is set for ${settings.baseUrl}.` };
  }
  return { configured: true, label: `${settings.model} at ${settings.baseUrl}` };
}
