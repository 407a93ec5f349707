import * as vscode from 'vscode';

const SECRET_ID = 'recurse.apiKey';

/** The API key for the OpenAI-compatible provider: SecretStorage first, then the OPENAI_API_KEY environment variable. */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage, private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(): Promise<string | undefined> {
    const stored = await this.secrets.get(SECRET_ID);
    return stored || this.env.OPENAI_API_KEY || undefined;
  }

  /** Asks with a password input box; stores and returns the key, or undefined when the user dismissed it. */
  async prompt(reason?: string): Promise<string | undefined> {
    const key = await vscode.window.showInputBox({
      title: 'Recurse: API key',
      prompt: reason ?? 'API key for the OpenAI-compatible endpoint (stored in VS Code secret storage)',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a key, or press Escape to cancel'),
    });
    if (!key?.trim()) return undefined;
    await this.set(key.trim());
    return key.trim();
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(SECRET_ID, key);
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_ID);
  }
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
