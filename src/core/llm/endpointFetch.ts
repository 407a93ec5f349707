/**
 * The fetch every request to a model endpoint goes through. A server on this machine over plain http (Ollama,
 * LM Studio, vLLM, a llama.cpp server on localhost) is fetched with the runtime's own fetch even when the host has
 * wrapped the global one: VS Code's extension host wraps `fetch` to route requests through the user's proxy and to
 * add the system's certificates — neither applies to a loopback address over http — and the wrapper's first call
 * reads and parses every system certificate on the extension host's thread (a 100–250 ms stall, right as the first
 * question starts). Any other URL goes through the global fetch, wrapper and all: proxies and certificates hold.
 */

/** Where a host that wraps `fetch` keeps the one it wrapped (VS Code's extension host does). */
const ORIGINAL_FETCH = '__vscodeOriginalFetch';

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** True for an http URL on this machine's loopback interface. */
export function isLoopbackHttp(input: string | URL | Request): boolean {
  let url: URL;
  try {
    url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname);
}

export function endpointFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const original = (globalThis as Record<string, unknown>)[ORIGINAL_FETCH];
  const direct = typeof original === 'function' && isLoopbackHttp(input);
  return (direct ? (original as typeof fetch) : fetch)(input, init);
}
