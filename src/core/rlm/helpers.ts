import type { CodeIndex } from '../index/codeIndex';
import type { HostFunction } from '../sandbox/sandbox';
import type { FileMap } from '../workspace/fileMap';
import { type GrepMatch, type GrepOptions, type GrepResult, grep, grepSync } from '../workspace/grep';
import { renderTree } from '../workspace/tree';

/**
 * The host side of the helpers listed in helperDocs.ts. Every argument comes from model-written code, so each
 * is validated here and every path is resolved through the file map: nothing outside it (and no secret) can be
 * named. Helpers throw Errors with messages written for the model; the sandbox turns them into exceptions it
 * can catch or read.
 */

export interface SubCallScope {
  paths?: string[];
  glob?: string;
  text?: string;
}

export interface HelperHost {
  map: FileMap;
  concurrency: number;
  /** A grep that runs longer stops and tells the model to narrow it (it runs on the host thread). */
  grepTimeoutMs: number;
  llmQuery(prompt: string): Promise<string>;
  rlmQuery(question: string, scope: SubCallScope): Promise<string>;
  onFinish(markdown: string): void;
  /** Symbols and the import graph; absent for a text-only child RLM. */
  code?: CodeIndex;
}

const MAX_GREP_RESULTS = 10_000;
const DEFAULT_READ_LINES = 200;

function fail(helper: string, message: string): never {
  throw new Error(`${helper}: ${message}`);
}

function optionalInt(helper: string, name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(helper, `${name} must be an integer, got ${JSON.stringify(value)}`);
  return value;
}

function requireString(helper: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) fail(helper, `${name} must be a non-empty string, got ${JSON.stringify(value) ?? 'undefined'}`);
  return value;
}

export function resolvePath(map: FileMap, helper: string, value: unknown): string {
  const raw = requireString(helper, 'path', value);
  const path = map.resolve(raw);
  if (!path) fail(helper, `no such file in the workspace: ${raw} (use files() or grep() to find paths)`);
  return path;
}

/** Runs items with at most `limit` in flight, keeping results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The name of grep's asynchronous twin in the sandbox (see SandboxOptions.awaited). */
export const GREP_ASYNC = '__grep_async';

/** The helpers with an asynchronous twin, for SandboxOptions.awaited. */
export const AWAITED_HELPERS: Record<string, string> = { grep: GREP_ASYNC };

/** grep's arguments, checked, as grep.ts takes them. */
function grepArgs(pattern: unknown, options: unknown, host: HelperHost): { p: string | { source: string; flags?: string }; o: GrepOptions } {
  let p: string | { source: string; flags?: string };
  if (typeof pattern === 'string' && pattern.length > 0) p = pattern;
  else if (pattern && typeof pattern === 'object' && typeof (pattern as { source?: unknown }).source === 'string') {
    const { source, flags } = pattern as { source: string; flags?: unknown };
    p = { source, flags: typeof flags === 'string' ? flags : '' };
  } else fail('grep', 'pattern must be a RegExp or a non-empty string');
  const o = (options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) fail('grep', 'options must be an object');
  if (o.glob !== undefined && typeof o.glob !== 'string') fail('grep', 'glob must be a string');
  const maxResults = optionalInt('grep', 'maxResults', o.maxResults) ?? 200;
  const context = optionalInt('grep', 'context', o.context) ?? 0;
  if (maxResults < 1 || maxResults > MAX_GREP_RESULTS) fail('grep', `maxResults must be between 1 and ${MAX_GREP_RESULTS}`);
  if (context < 0 || context > 20) fail('grep', 'context must be between 0 and 20');
  return { p, o: { glob: o.glob as string | undefined, ignoreCase: Boolean(o.ignoreCase), maxResults, context, timeoutMs: host.grepTimeoutMs } };
}

/** A grep's matches, or the error the model should read. */
function grepMatches(run: () => GrepResult, host: HelperHost): GrepMatch[] {
  let result: GrepResult;
  try {
    result = run();
  } catch (err) {
    fail('grep', (err as Error).message);
  }
  if (result.timedOut) {
    fail('grep', `stopped after ${host.grepTimeoutMs} ms with ${result.matches.length} matches; narrow it with {glob} or a more specific pattern`);
  }
  return result.matches;
}

export function createHelpers(host: HelperHost): Record<string, HostFunction> {
  const { map } = host;
  return {
    files: (glob?: unknown) => {
      if (glob !== undefined && glob !== null && typeof glob !== 'string') fail('files', 'glob must be a string');
      // What helperDocs promises; the map's bookkeeping (modification times) stays out of the model's view.
      return map.files((glob as string | undefined) || undefined).map(({ path, size, lines, language }) => ({ path, size, lines, language }));
    },

    tree: (dir?: unknown, depth?: unknown) => {
      if (dir !== undefined && dir !== null && typeof dir !== 'string') fail('tree', 'dir must be a string');
      const d = optionalInt('tree', 'depth', depth) ?? 2;
      if (d < 1 || d > 10) fail('tree', 'depth must be between 1 and 10');
      return renderTree(map, (dir as string | undefined) ?? '', d);
    },

    // read, files, tree and grep are synchronous so the model can use them without `await`.
    read: (path: unknown, start?: unknown, end?: unknown) => {
      const resolved = resolvePath(map, 'read', path);
      const s = optionalInt('read', 'startLine', start) ?? 1;
      const e = optionalInt('read', 'endLine', end) ?? s + DEFAULT_READ_LINES - 1;
      if (s < 1) fail('read', 'startLine is 1-based and must be >= 1');
      if (e < s) fail('read', `endLine (${e}) is before startLine (${s})`);
      const { text } = map.readLinesSync(resolved, s, e);
      return text;
    },

    // The sandbox turns a RegExp argument into {source, flags} before it crosses the JSON boundary.
    grep: (pattern: unknown, options?: unknown) => {
      const { p, o } = grepArgs(pattern, options, host);
      return grepMatches(() => grepSync(map, p, o), host);
    },

    // grep's twin, which the sandbox calls (awaited) where the cell can await: the same results, while the host's
    // event loop stays free (a large workspace's first grep waits for ripgrep over every file).
    [GREP_ASYNC]: async (pattern: unknown, options?: unknown) => {
      const { p, o } = grepArgs(pattern, options, host);
      const result = await grep(map, p, o).catch((err: Error) => fail('grep', err.message));
      return grepMatches(() => result, host);
    },

    llm_query: async (prompt: unknown) => host.llmQuery(requireString('llm_query', 'prompt', prompt)),

    llm_query_batched: async (prompts: unknown) => {
      if (!Array.isArray(prompts) || prompts.some((p) => typeof p !== 'string')) {
        fail('llm_query_batched', 'prompts must be an array of strings');
      }
      return mapLimit(prompts as string[], host.concurrency, async (prompt) => {
        try {
          return await host.llmQuery(prompt);
        } catch (err) {
          return `Error: ${(err as Error).message}`;
        }
      });
    },

    rlm_query: async (question: unknown, scope?: unknown) => {
      const q = requireString('rlm_query', 'question', question);
      const s = (scope ?? {}) as SubCallScope;
      if (typeof s !== 'object' || Array.isArray(s)) fail('rlm_query', 'scope must be an object {paths | glob | text}');
      const given = [s.paths !== undefined, s.glob !== undefined, s.text !== undefined].filter(Boolean).length;
      if (given !== 1) fail('rlm_query', 'pass exactly one of {paths}, {glob} or {text}');
      if (s.paths !== undefined) {
        if (!Array.isArray(s.paths) || s.paths.length === 0) fail('rlm_query', 'paths must be a non-empty array of file paths');
        return host.rlmQuery(q, { paths: s.paths.map((p) => resolvePath(map, 'rlm_query', p)) });
      }
      if (s.glob !== undefined) {
        const glob = requireString('rlm_query', 'glob', s.glob);
        if (map.files(glob).length === 0) fail('rlm_query', `no files match ${glob}`);
        return host.rlmQuery(q, { glob });
      }
      return host.rlmQuery(q, { text: requireString('rlm_query', 'text', s.text) });
    },

    ...(host.code ? createCodeHelpers(map, host.code) : {}),

    finish: (markdown: unknown) => {
      if (typeof markdown !== 'string' || markdown.trim().length === 0) {
        fail('finish', 'pass your final answer as a non-empty markdown string');
      }
      host.onFinish(markdown);
      return 'finish recorded';
    },
  };
}

const SYMBOL_KINDS = new Set(['function', 'method', 'class', 'interface', 'type', 'enum', 'struct', 'macro', 'module', 'constant', 'variable']);

/**
 * Symbol and import helpers. They are async (the index parses on worker threads), so the model awaits them.
 * A child RLM over a subset shares its parent's index; results are filtered to the child's files.
 */
function createCodeHelpers(map: FileMap, code: CodeIndex): Record<string, HostFunction> {
  const inMap = <T extends { path: string }>(items: T[]) => (code.map === map ? items : items.filter((i) => map.get(i.path)));
  const inMapEdges = <T extends { from: string; to?: string }>(edges: T[]) =>
    code.map === map ? edges : edges.filter((e) => map.get(e.from) && (!e.to || map.get(e.to)));
  return {
    symbols: async (path: unknown) => code.symbols(resolvePath(map, 'symbols', path)),
    outline: async (path: unknown) => code.outline(resolvePath(map, 'outline', path)),
    findSymbol: async (name: unknown, options?: unknown) => {
      const n = requireString('findSymbol', 'name', name);
      const o = (options ?? {}) as { kind?: unknown; exact?: unknown };
      if (typeof o !== 'object' || Array.isArray(o)) fail('findSymbol', 'options must be an object {kind, exact}');
      if (o.kind !== undefined && (typeof o.kind !== 'string' || !SYMBOL_KINDS.has(o.kind))) {
        fail('findSymbol', `kind must be one of ${[...SYMBOL_KINDS].join(', ')}`);
      }
      const found = await code.findSymbol(n, { kind: o.kind as never, exact: o.exact === undefined ? true : Boolean(o.exact) });
      return inMap(found);
    },
    references: async (name: unknown, options?: unknown) => {
      const n = requireString('references', 'name', name);
      const o = (options ?? {}) as { glob?: unknown };
      if (o.glob !== undefined && typeof o.glob !== 'string') fail('references', 'glob must be a string');
      return inMap(await code.references(n, { glob: o.glob as string | undefined }));
    },
    imports: async (path: unknown) => inMapEdges((await code.graph()).imports(resolvePath(map, 'imports', path))),
    importers: async (path: unknown) => inMapEdges((await code.graph()).importers(resolvePath(map, 'importers', path))),
    dependencyPath: async (from: unknown, to: unknown) => {
      const chain = (await code.graph()).dependencyPath(resolvePath(map, 'dependencyPath', from), resolvePath(map, 'dependencyPath', to));
      return chain && chain.every((p) => map.get(p)) ? chain : null;
    },
    packages: async () => (await code.graph()).packages(),
  };
}
