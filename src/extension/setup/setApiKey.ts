import * as vscode from 'vscode';
import type { ApiKeyStore } from '../models/apiKeyStore';
import type { RecurseSettings } from '../settings';
import type { QuickInputs } from './quickInputs';

/**
 * "Recurse: Set API Key". With sub-call endpoints configured (recurse.subEndpoints) it first asks which endpoint the
 * key is for: each sub-endpoint's key is stored for it alone, in secret storage, and sent nowhere else.
 */
export async function setApiKey(keys: ApiKeyStore, inputs: QuickInputs, settings: RecurseSettings): Promise<boolean> {
  const subs = settings.subEndpoints
    .map((e) => (e && typeof e === 'object' && typeof (e as { baseUrl?: unknown }).baseUrl === 'string' ? (e as { baseUrl: string }).baseUrl : undefined))
    .filter((u): u is string => u !== undefined);
  if (subs.length === 0) {
    const key = await keys.prompt();
    if (key) void vscode.window.showInformationMessage('Recurse: API key saved in secret storage.');
    return !!key;
  }
  const which = await inputs.pick({
    title: 'Recurse: Set API Key', step: 1, totalSteps: 2, placeholder: 'Which endpoint is the key for?',
    items: [{ label: settings.baseUrl, description: 'root model', value: '' }, ...subs.map((url) => ({ label: url, description: 'sub-calls', value: url }))],
  });
  if (which.kind !== 'value') return false;
  const url = which.value || settings.baseUrl;
  const key = await inputs.input({
    title: `Recurse: API key for ${url}`, step: 2, totalSteps: 2, value: '', password: true,
    prompt: "Stored in VS Code's secret storage, sent only to this endpoint.",
    validate: (v) => (v.trim() ? undefined : 'Enter a key, or press Escape to cancel'),
  });
  if (key.kind !== 'value') return false;
  await keys.set(key.value, which.value || undefined);
  void vscode.window.showInformationMessage(`Recurse: API key for ${url} saved in secret storage.`);
  return true;
}
