import { ChatModelError } from './chatModel';
import type { PoolEndpointConfig } from './endpointPool';

/**
 * Reads a `subEndpoints` list (config file, VS Code setting): `[{baseUrl, apiKey?, model?, concurrency?, weight?}]`.
 * `where` names its source in the error a bad entry gets.
 */
export function readSubEndpoints(value: unknown, where: string): PoolEndpointConfig[] {
  if (!Array.isArray(value)) throw new ChatModelError('config', `${where}: "subEndpoints" must be a list of {"baseUrl", "apiKey"?, "model"?, "concurrency"?, "weight"?}.`);
  return value.map((raw, i) => {
    const at = `${where}: subEndpoints[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ChatModelError('config', `${at} must be an object with a "baseUrl".`);
    const e = raw as Record<string, unknown>;
    if (typeof e.baseUrl !== 'string' || !/^https?:\/\//.test(e.baseUrl)) throw new ChatModelError('config', `${at}.baseUrl must be an http(s) URL, got ${JSON.stringify(e.baseUrl)}.`);
    for (const key of ['apiKey', 'model'] as const) {
      if (e[key] !== undefined && typeof e[key] !== 'string') throw new ChatModelError('config', `${at}.${key} must be a string.`);
    }
    for (const key of ['concurrency', 'weight'] as const) {
      const v = e[key];
      if (v !== undefined && (typeof v !== 'number' || !(v > 0) || (key === 'concurrency' && !Number.isInteger(v)))) {
        throw new ChatModelError('config', `${at}.${key} must be a positive ${key === 'concurrency' ? 'integer' : 'number'}, got ${JSON.stringify(v)}.`);
      }
    }
    return {
      baseUrl: e.baseUrl,
      ...(typeof e.apiKey === 'string' ? { apiKey: e.apiKey } : {}),
      ...(typeof e.model === 'string' ? { model: e.model } : {}),
      ...(typeof e.concurrency === 'number' ? { concurrency: e.concurrency } : {}),
      ...(typeof e.weight === 'number' ? { weight: e.weight } : {}),
    };
  });
}

/** Whether two base URLs are the same server (scheme, host and port): a key may only go back where it came from. */
export function sameServer(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host === y.host;
  } catch {
    return false;
  }
}
