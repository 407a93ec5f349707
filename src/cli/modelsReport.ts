import type { ChatModelErrorKind } from '../core/llm/chatModel';
import type { ConfigSource, EndpointConfig } from '../core/llm/config';
import { describeTestCall, type EndpointCheck } from '../core/llm/endpointCheck';

/**
 * What `recurse models` prints. stdout: the endpoint, its models (the configured ones marked) and the test line,
 * each failure with the endpoint's own message; stderr: one hint per kind of failure, saying what to change.
 */

const FROM: Record<ConfigSource, string> = {
  flags: '--base-url',
  env: 'OPENAI_BASE_URL',
  'config-file': 'the config file',
  ollama: 'a local Ollama',
  default: 'OpenAI, the default with an API key',
};

export function humanReport(endpoint: EndpointConfig, check: EndpointCheck): string {
  const lines = [`endpoint: ${endpoint.baseURL} (from ${FROM[endpoint.sources.baseURL]})`];
  const { listing } = check;
  if (listing.ok) lines.push(...modelLines(endpoint, listing.models, listing.first));
  else lines.push(`models: ${listing.kind === 'unsupported' ? 'not available' : 'failed'} — ${listing.error}`);
  if (check.test) lines.push(`test: ${describeTestCall(check.test)}`);
  else if (check.skipped) lines.push(`test: skipped — ${check.skipped}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One model a line, the ones ask would use marked: the configured model, else the one the server lists first.
 * A configured model the endpoint does not list is shown too: ask would send it, and likely get a 404.
 */
function modelLines(endpoint: EndpointConfig, models: string[], first: string | undefined): string[] {
  const model = endpoint.model ?? first;
  const subModel = endpoint.subModel ?? model;
  const unlisted = [...new Set([model, subModel])].filter((m): m is string => !!m && !models.includes(m));
  const line = (name: string) => {
    const marks = [name === model && 'model', name === subModel && 'sub-model', unlisted.includes(name) && 'not listed'].filter(Boolean);
    return `  ${name}${marks.length ? `  [${marks.join(', ')}]` : ''}`;
  };
  return [models.length ? `models (${models.length}):` : 'models: none listed', ...[...models, ...unlisted].map(line)];
}

export function jsonReport(endpoint: EndpointConfig, check: EndpointCheck): object {
  const { listing, test } = check;
  const status = (s: number | undefined) => (s !== undefined ? { status: s } : {});
  return {
    baseUrl: endpoint.baseURL,
    models: listing.ok ? listing.models : null,
    ...(listing.ok ? {} : { modelsError: { kind: listing.kind, message: listing.error, ...status(listing.status) } }),
    ...(test
      ? {
          test: {
            model: test.model,
            ok: test.ok,
            latencyMs: test.latencyMs,
            ...(test.ok ? {} : { error: test.error, kind: test.kind, ...status(test.status) }),
          },
        }
      : {}),
  };
}

/**
 * The hints for what failed, one per kind: a 401 on the list and on the test call is one problem, and the test
 * call's hint, which can name the model, replaces the list's.
 */
export function hints(endpoint: EndpointConfig, check: EndpointCheck): string[] {
  const out = new Map<string, string>();
  const { listing, test } = check;
  if (!listing.ok && listing.kind !== 'unsupported') out.set(`${listing.kind} ${listing.status}`, hint(listing.kind, listing.status, endpoint.baseURL));
  if (test && !test.ok) out.set(`${test.kind} ${test.status}`, hint(test.kind, test.status, endpoint.baseURL, test.model));
  return [...out.values()].filter(Boolean);
}

/** What to change for one kind of failure; `model` is set for the test call, whose 404 may be the model's name. */
function hint(kind: ChatModelErrorKind, status: number | undefined, baseURL: string, model?: string): string {
  switch (kind) {
    case 'auth':
      return `the API key was refused (${status ?? 401}): check --api-key or OPENAI_API_KEY (or "apiKey" in the config file).`;
    case 'network':
      return `unreachable: nothing answered at ${baseURL}. Is the server running there?`;
    case 'timeout':
      return `no answer in time from ${baseURL}: is the server up (a local one may still be loading the model)?`;
    case 'rate-limit':
      return 'rate limited (429): try again later, or check the account\'s quota.';
    case 'server':
      return `the server failed${status ? ` (${status})` : ''}: try again later, or look at its logs.`;
    case 'bad-response':
      return `${baseURL} does not answer like an OpenAI-compatible API: the base URL should end in /v1.`;
    case 'invalid-request':
      if (status === 404 && model) return `not found (404): the base URL should end in /v1, or the model "${model}" does not exist there.`;
      if (status === 404) return 'not found (404): the base URL should end in /v1 (e.g. http://127.0.0.1:11434/v1).';
      return model ? `the request was refused (${status}): check the model name "${model}".` : `the request was refused (${status}).`;
    default:
      return '';
  }
}
