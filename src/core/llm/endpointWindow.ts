// Asks an OpenAI-compatible endpoint what context window it serves a model with. Servers say it in their own ways:
// vLLM's `max_model_len` and OpenRouter's `context_length` in /v1/models; Ollama's /api/ps (the loaded model's
// window) and /api/show (what the model supports, and num_ctx); LM Studio's /api/v0/models; llama.cpp's /props.
// Every probe is short and optional: an endpoint that says nothing leaves the family table to decide.
import type { EndpointWindow } from './contextWindow';
import { endpointFetch } from './endpointFetch';

export interface EndpointProbe {
  /** The /v1 base URL. */
  baseURL: string;
  model: string;
  /** Authorization headers as the chat requests send them. */
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Per request; default 3 s. */
  timeoutMs?: number;
  /** How long Ollama may take to load a model so it reports its window; default 60 s. */
  loadTimeoutMs?: number;
}

/** Ollama's default window on a machine with under 24 GiB of VRAM (it serves more only where it has the memory). */
export const OLLAMA_DEFAULT_WINDOW = 4_096;

const WINDOW_FIELDS = ['max_model_len', 'context_length', 'context_window', 'max_context_length', 'loaded_context_length'];

export async function discoverEndpointWindow(probe: EndpointProbe): Promise<EndpointWindow | undefined> {
  const listed = await getJson(probe, `${probe.baseURL}/models`);
  const entry = Array.isArray(listed?.data) ? listed.data.find((m: any) => m?.id === probe.model) : undefined;
  const fromList = entry && windowField(entry);
  if (fromList) return { tokens: fromList.tokens, via: `${fromList.field} in /models` };
  const root = probe.baseURL.replace(/\/v1$/, '');
  const host = new URL(probe.baseURL).host;
  const owner = String(entry?.owned_by ?? '');
  if (owner === 'library' || owner === 'ollama' || /:11434$/.test(host)) {
    const ollama = await ollamaWindow(probe, root);
    if (ollama) return ollama;
  }
  // Local servers' own APIs; a hosted API is not asked about paths it does not have.
  if (!isPrivateHost(host) && !['organization_owner', 'llamacpp'].includes(owner)) return undefined;
  return (await lmStudioWindow(probe, root)) ?? (await llamaCppWindow(probe, root));
}

function isPrivateHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return (
    name === 'localhost' || name === '::1' || /^127\./.test(name) || /^10\./.test(name) || /^192\.168\./.test(name) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(name) || /\.(local|lan|internal|home\.arpa)$/.test(name)
  );
}

function windowField(entry: any): { tokens: number; field: string } | undefined {
  for (const field of WINDOW_FIELDS) {
    const value = Number(entry?.[field]);
    if (Number.isFinite(value) && value > 0) return { tokens: value, field };
  }
  return undefined;
}

/**
 * Ollama serves a model with its own window (OLLAMA_CONTEXT_LENGTH, num_ctx, or a default by VRAM), which may be
 * far below what the model supports, and cuts longer prompts from the start without a word. /api/ps says what a
 * loaded model was given; a model not loaded yet is loaded (an empty generate, as the first question would) to ask.
 */
async function ollamaWindow(probe: EndpointProbe, root: string): Promise<EndpointWindow | undefined> {
  const show = await postJson(probe, `${root}/api/show`, { model: probe.model });
  if (!show) return undefined;
  const supported = supportedWindow(show);
  let served = await loadedWindow(probe, root);
  if (served === undefined) {
    await postJson(probe, `${root}/api/generate`, { model: probe.model, prompt: '', stream: false }, probe.loadTimeoutMs ?? 60_000);
    served = await loadedWindow(probe, root);
  }
  const numCtx = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(String(show.parameters ?? ''));
  const via = served !== undefined ? 'Ollama /api/ps' : numCtx ? 'Ollama num_ctx' : "Ollama's default";
  const tokens = served ?? (numCtx ? Number(numCtx[1]) : Math.min(OLLAMA_DEFAULT_WINDOW, supported ?? OLLAMA_DEFAULT_WINDOW));
  if (!supported || supported <= tokens) return { tokens, via };
  const want = Math.min(supported, 32_768);
  const warning =
    `Ollama serves ${probe.model} with a ${tokens.toLocaleString('en-US')}-token context window; the model supports ` +
    `${supported.toLocaleString('en-US')}. Recurse keeps every prompt within ${tokens.toLocaleString('en-US')} tokens, so it ` +
    `compacts earlier turns sooner. To give it more, restart Ollama with OLLAMA_CONTEXT_LENGTH=${want} (or add ` +
    `"PARAMETER num_ctx ${want}" to a Modelfile), memory permitting.`;
  return { tokens, via, warning };
}

function supportedWindow(show: any): number | undefined {
  const info = show?.model_info;
  if (!info || typeof info !== 'object') return undefined;
  const arch = info['general.architecture'];
  const value = Number(info[`${arch}.context_length`] ?? Object.entries(info).find(([k]) => k.endsWith('.context_length'))?.[1]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

async function loadedWindow(probe: EndpointProbe, root: string): Promise<number | undefined> {
  const ps = await getJson(probe, `${root}/api/ps`);
  const names = new Set([probe.model, `${probe.model}:latest`]);
  const loaded = Array.isArray(ps?.models) ? ps.models.find((m: any) => names.has(m?.name) || names.has(m?.model)) : undefined;
  const value = Number(loaded?.context_length);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** LM Studio: the loaded instance's window, else the model's maximum. */
async function lmStudioWindow(probe: EndpointProbe, root: string): Promise<EndpointWindow | undefined> {
  const model = await getJson(probe, `${root}/api/v0/models/${encodeURIComponent(probe.model)}`);
  const loaded = Number(model?.loaded_context_length);
  if (Number.isFinite(loaded) && loaded > 0) return { tokens: loaded, via: 'LM Studio loaded_context_length' };
  const max = Number(model?.max_context_length);
  return Number.isFinite(max) && max > 0 ? { tokens: max, via: 'LM Studio max_context_length' } : undefined;
}

/** llama.cpp's server: the n_ctx it was started with (per slot). */
async function llamaCppWindow(probe: EndpointProbe, root: string): Promise<EndpointWindow | undefined> {
  const props = await getJson(probe, `${root}/props`);
  const value = Number(props?.default_generation_settings?.n_ctx ?? props?.n_ctx);
  return Number.isFinite(value) && value > 0 ? { tokens: value, via: 'llama.cpp n_ctx' } : undefined;
}

function getJson(probe: EndpointProbe, url: string): Promise<any> {
  return request(probe, url, { method: 'GET' });
}

function postJson(probe: EndpointProbe, url: string, body: unknown, timeoutMs?: number): Promise<any> {
  return request(probe, url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, timeoutMs);
}

async function request(probe: EndpointProbe, url: string, init: RequestInit, timeoutMs = probe.timeoutMs ?? 3_000): Promise<any> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(probe.signal ? [probe.signal] : [])];
  try {
    const response = await endpointFetch(url, {
      ...init,
      headers: { ...probe.headers, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.any(signals),
    });
    if (!response.ok) return undefined;
    return await response.json();
  } catch {
    return undefined;
  }
}
