// How many tokens a model reads at once. A setting wins (the user knows their deployment); else what the endpoint
// says it serves (vLLM, Ollama, LM Studio, llama.cpp, VS Code's models); else a table of well-known families; else a
// conservative default.
import type { ChatModel } from './chatModel';

export type ContextWindowSource = 'setting' | 'endpoint' | 'family' | 'default';

export interface ContextWindow {
  tokens: number;
  source: ContextWindowSource;
  /** Where the number came from, for a person: "vLLM max_model_len", "family gpt-4o", "--context-window". */
  via: string;
  /** Something the user should act on, said once (e.g. Ollama serving a smaller window than the model supports). */
  warning?: string;
}

/** What an endpoint reports about the window it serves a model with. */
export interface EndpointWindow {
  tokens: number;
  via: string;
  warning?: string;
}

/** Assumed when nothing else is known: small enough for most models served today, large enough to work in. */
export const DEFAULT_CONTEXT_WINDOW = 32_768;
/** Below this a run cannot hold the system prompt, the question and one turn. */
export const MIN_CONTEXT_WINDOW = 2_048;

/** Families by name pattern, most specific first. Sizes are the provider's or the model card's default window. */
const FAMILIES: [RegExp, number, string][] = [
  [/gpt-4\.1/, 1_047_576, 'gpt-4.1'],
  [/gpt-5/, 400_000, 'gpt-5'],
  [/gpt-oss/, 131_072, 'gpt-oss'],
  [/gpt-4o|chatgpt-4o/, 128_000, 'gpt-4o'],
  [/gpt-4-turbo|gpt-4-(1106|0125)/, 128_000, 'gpt-4-turbo'],
  [/gpt-4-32k/, 32_768, 'gpt-4-32k'],
  [/gpt-4/, 8_192, 'gpt-4'],
  [/gpt-3\.5/, 16_385, 'gpt-3.5-turbo'],
  [/(^|\/)o1-mini/, 128_000, 'o1-mini'],
  [/(^|\/)o[134](-|$)/, 200_000, 'o-series'],
  [/claude/, 200_000, 'claude'],
  [/gemini/, 1_048_576, 'gemini'],
  [/qwen3-coder/, 262_144, 'qwen3-coder'],
  [/qwen3/, 40_960, 'qwen3'],
  [/qwq/, 131_072, 'qwq'],
  [/qwen/, 32_768, 'qwen2.5'],
  [/deepseek-coder-v2/, 163_840, 'deepseek-coder-v2'],
  [/deepseek-coder/, 16_384, 'deepseek-coder'],
  [/deepseek/, 131_072, 'deepseek'],
  [/codellama|code-llama/, 16_384, 'codellama'],
  [/llama-?3\.?[1-3]|llama-?4/, 131_072, 'llama3.1'],
  [/llama-?3/, 8_192, 'llama3'],
  [/llama-?2/, 4_096, 'llama2'],
  [/mistral-(nemo|large)|devstral|ministral/, 131_072, 'mistral-nemo'],
  [/mistral|mixtral|codestral/, 32_768, 'mistral'],
  [/gemma-?3/, 131_072, 'gemma3'],
  [/codegemma|gemma/, 8_192, 'gemma'],
  [/phi-?4-mini/, 131_072, 'phi4-mini'],
  [/phi-?4/, 16_384, 'phi4'],
  [/phi-?3/, 4_096, 'phi3'],
  [/starcoder2/, 16_384, 'starcoder2'],
  [/command-r/, 131_072, 'command-r'],
  [/glm-?4/, 131_072, 'glm-4'],
];

/** The family window of a model name, or a size the name itself carries ("…-128k", "…-32k-instruct"). */
export function familyContextWindow(model: string): { tokens: number; family: string } | undefined {
  const name = model.toLowerCase();
  const sized = /(?:^|[-_:.])(\d{1,4})k(?:$|[-_:.])/.exec(name);
  if (sized && Number(sized[1]) >= 2) return { tokens: Number(sized[1]) * 1024, family: `${sized[1]}k in the name` };
  for (const [pattern, tokens, family] of FAMILIES) if (pattern.test(name)) return { tokens, family };
  return undefined;
}

/** The window for `model`: the setting, else the endpoint's word, else the family table, else the default. */
export async function resolveContextWindow(
  model: ChatModel,
  setting: number | undefined,
  signal?: AbortSignal,
): Promise<ContextWindow> {
  if (setting !== undefined && setting > 0) return { tokens: Math.max(MIN_CONTEXT_WINDOW, Math.floor(setting)), source: 'setting', via: 'setting' };
  const reported = await model.contextWindow?.(signal).catch(() => undefined);
  if (reported && reported.tokens > 0) {
    return { tokens: Math.max(MIN_CONTEXT_WINDOW, reported.tokens), source: 'endpoint', via: reported.via, ...(reported.warning ? { warning: reported.warning } : {}) };
  }
  const family = familyContextWindow(model.model);
  if (family) return { tokens: family.tokens, source: 'family', via: `family ${family.family}` };
  return { tokens: DEFAULT_CONTEXT_WINDOW, source: 'default', via: 'default' };
}

/**
 * Tokens a prompt may take in a window of `tokens`: what is left after room for the reply (15%, between 512 and
 * 8,192 tokens) and a small margin for the estimate.
 */
export function promptLimit(tokens: number): number {
  const reply = Math.min(8_192, Math.max(512, Math.round(tokens * 0.15)));
  return Math.floor((tokens - reply) * 0.98);
}

/** "8,192-token window" for messages. */
export function formatTokens(tokens: number): string {
  return tokens.toLocaleString('en-US');
}

/** The windows a run works in: its root model's and its sub-model's (a child RLM's root is the sub-model). */
export interface RunWindows {
  root: ContextWindow;
  sub: ContextWindow;
}

export async function resolveRunWindows(
  root: ChatModel,
  sub: ChatModel,
  settings: { root?: number; sub?: number },
  signal?: AbortSignal,
): Promise<RunWindows> {
  const rootWindow = await resolveContextWindow(root, settings.root, signal);
  // The same model at the same endpoint has the same window, unless the sub-model's is set apart.
  const sameModel = sub === root || (sub.model === root.model && sub.endpoint === root.endpoint);
  const subWindow = settings.sub === undefined && sameModel ? rootWindow : await resolveContextWindow(sub, settings.sub, signal);
  return { root: rootWindow, sub: subWindow };
}

const said = new Set<string>();

/** True the first time a warning comes up in this process: it is said once, not on every run. */
export function firstTime(warning: string): boolean {
  if (said.has(warning)) return false;
  said.add(warning);
  return true;
}
