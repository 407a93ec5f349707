import * as vscode from 'vscode';

const SECRET_ID = 'recurse.apiKey';

/**
 * API keys for OpenAI-compatible endpoints, in SecretStorage. "Configure model…" stores a key per endpoint (its
 * base URL), so a key entered for OpenAI is never sent to a local server or a gateway configured later; an endpoint
 * configured with no key has an empty entry, which also keeps the shared key away from it. The shared key ("Set
 * API Key", or the OPENAI_API_KEY environment variable) is used for endpoints without an entry of their own.
 */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The key to send to `baseUrl` (or the shared key when no URL is given); undefined when there is none. */
  async get(baseUrl?: string): Promise<string | undefined> {
    if (baseUrl) {
      const own = await this.secrets.get(endpointSecretId(baseUrl));
      if (own !== undefined) return own || undefined;
    }
    const stored = await this.secrets.get(SECRET_ID);
    return stored || this.env.OPENAI_API_KEY || undefined;
  }

  /** The key stored for this endpoint alone (never the shared one: a key goes only where it was given for). */
  async own(baseUrl: string): Promise<string | undefined> {
    return (await this.secrets.get(endpointSecretId(baseUrl))) || undefined;
  }

  /** Asks with a password input box; stores and returns the key, or undefined when the user dismissed it. */
  async prompt(reason?: string, baseUrl?: string): Promise<string | undefined> {
    const key = await vscode.window.showInputBox({
      title: 'Recurse: API key',
      prompt: reason ?? 'API key for the OpenAI-compatible endpoint (stored in VS Code secret storage)',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a key, or press Escape to cancel'),
    });
    if (!key?.trim()) return undefined;
    await this.set(key.trim(), baseUrl);
    return key.trim();
  }

  /** Stores the shared key, or the key of one endpoint ('' meaning "this endpoint takes no key"). */
  async set(key: string, baseUrl?: string): Promise<void> {
    await this.secrets.store(baseUrl ? endpointSecretId(baseUrl) : SECRET_ID, key);
  }

  async clear(baseUrl?: string): Promise<void> {
    if (baseUrl) await this.secrets.delete(endpointSecretId(baseUrl));
    await this.secrets.delete(SECRET_ID);
  }
}

function endpointSecretId(baseUrl: string): string {
  return `${SECRET_ID}@${baseUrl.trim().replace(/\/+$/, '')}`;
}

/** Hosted endpoints need a key; local servers (Ollama, vLLM, LM Studio) and custom gateways may not. */
export function endpointNeedsKey(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'api.openai.com' || host.endsWith('.openai.azure.com');
  } catch {
    return false;
  }
}
