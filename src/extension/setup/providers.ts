/**
 * The kinds of model a user can pick in "Configure model…", with each one's usual base URL and whether it takes a
 * key. No `vscode` import: the chat webview's protocol and the tests read it too.
 */
export type ProviderId = 'openai' | 'azure' | 'ollama' | 'lmstudio' | 'vllm' | 'custom' | 'vscode-lm';

export interface ProviderChoice {
  id: ProviderId;
  label: string;
  detail: string;
  /** Prefilled in the base URL step; the user may change it. */
  defaultBaseUrl?: string;
  /** required: hosted endpoints; optional: local servers that may sit behind a key; none: VS Code's own models. */
  key: 'required' | 'optional' | 'none';
}

export const PROVIDERS: readonly ProviderChoice[] = [
  { id: 'openai', label: 'OpenAI', detail: 'api.openai.com, with an API key', defaultBaseUrl: 'https://api.openai.com/v1', key: 'required' },
  {
    id: 'azure', label: 'Azure OpenAI', detail: 'a deployment of your Azure OpenAI resource, with its key',
    defaultBaseUrl: 'https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT', key: 'required',
  },
  { id: 'ollama', label: 'Ollama', detail: 'a local Ollama server, no key', defaultBaseUrl: 'http://127.0.0.1:11434/v1', key: 'optional' },
  { id: 'lmstudio', label: 'LM Studio', detail: 'LM Studio\'s local server, no key', defaultBaseUrl: 'http://127.0.0.1:1234/v1', key: 'optional' },
  { id: 'vllm', label: 'vLLM', detail: 'a vLLM OpenAI-compatible server', defaultBaseUrl: 'http://127.0.0.1:8000/v1', key: 'optional' },
  { id: 'custom', label: 'Other OpenAI-compatible endpoint', detail: 'any …/v1 URL: a gateway, a proxy, another server', key: 'optional' },
  { id: 'vscode-lm', label: 'A chat model installed in VS Code', detail: 'through VS Code\'s Language Model API, no key', key: 'none' },
];

export function providerById(id: ProviderId): ProviderChoice {
  const found = PROVIDERS.find((p) => p.id === id);
  if (!found) throw new Error(`unknown provider ${id}`);
  return found;
}

/** Which choice the current settings correspond to, so the flow starts from what is configured. */
export function providerOf(settings: { provider: string; baseUrl: string }): ProviderId {
  if (settings.provider === 'vscode-lm') return 'vscode-lm';
  const exact = PROVIDERS.find((p) => p.defaultBaseUrl && sameUrl(p.defaultBaseUrl, settings.baseUrl));
  if (exact) return exact.id;
  try {
    const url = new URL(settings.baseUrl);
    if (/\.(openai|cognitiveservices)\.azure\.com$/.test(url.hostname)) return 'azure';
    if (url.port === '11434') return 'ollama';
    if (url.port === '1234') return 'lmstudio';
  } catch {
    // not a URL: a custom one the user will correct
  }
  return 'custom';
}

/** Why a base URL cannot be used, or undefined when it can. */
export function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter a URL such as http://127.0.0.1:11434/v1';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with http:// or https://';
  if (/\bRESOURCE\b|\bDEPLOYMENT\b/.test(url.href)) return 'Replace RESOURCE and DEPLOYMENT with your Azure resource and deployment names';
  return undefined;
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');
}
