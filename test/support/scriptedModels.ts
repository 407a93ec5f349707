import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAICompatibleModel } from '../../src/core/llm/openAICompatibleModel';
import { FileMap } from '../../src/core/workspace/fileMap';
import { ModelServer, type ModelServerOptions, type Reply, type ScriptContext } from './modelServer';

/**
 * A test model server with two scripted queues, one per model name: the root model ('root-model') and the
 * sub-model ('sub-model', used by llm_query and child RLMs). Each queued step may be a fixed reply or a function
 * of the messages the server received, so a scripted model can read REPL output and answer from it.
 */
export type Step = Reply | string | ((ctx: ScriptContext) => Reply | string | Promise<Reply | string>);

export interface ScriptedModels {
  server: ModelServer;
  root: OpenAICompatibleModel;
  sub: OpenAICompatibleModel;
  rootSteps: Step[];
  subSteps: Step[];
  /** Request bodies sent to one model, in order. */
  bodies(model: 'root-model' | 'sub-model'): { messages: { role: string; content: string }[]; model: string }[];
  close(): Promise<void>;
}

export async function startScriptedModels(
  options: { rootSteps?: Step[]; subSteps?: Step[]; server?: Pick<ModelServerOptions, 'windows' | 'prefixCache' | 'models'> } = {},
): Promise<ScriptedModels> {
  const rootSteps = [...(options.rootSteps ?? [])];
  const subSteps = [...(options.subSteps ?? [])];
  const server = await ModelServer.start({ models: ['root-model', 'sub-model'], ...options.server });
  const errors: unknown[] = [];
  server.setHandler(async (ctx) => {
    const queue = ctx.model === 'sub-model' ? subSteps : rootSteps;
    const step = queue.shift();
    if (step === undefined) {
      errors.push(new Error(`the ${ctx.model} script is exhausted at request ${ctx.requestIndex + 1}; last message:\n${ctx.lastUser}`));
      return { fault: 'auth' } as Reply;
    }
    try {
      return typeof step === 'function' ? await step(ctx) : step;
    } catch (err) {
      // An assertion inside a scripted step fails the test with its own message (close() rethrows it); the
      // client gets a non-retryable error so the run ends at once.
      errors.push(err);
      return { fault: 'auth' } as Reply;
    }
  });
  const make = (model: string) =>
    new OpenAICompatibleModel({ baseURL: server.url, apiKey: 'test-key', model, retryBaseMs: 5, maxRetries: 2, timeoutMs: 20_000 });
  return {
    server,
    root: make('root-model'),
    sub: make('sub-model'),
    rootSteps,
    subSteps,
    bodies: (model) =>
      server.requests.filter((r) => r.path.endsWith('/chat/completions') && r.body?.model === model).map((r) => r.body),
    close: async () => {
      await server.close();
      if (errors.length) throw errors[0];
    },
  };
}

/** A fresh copy of a fixture repository in a temp dir (tests add secrets, ignored files, etc. to the copy). */
export function copyFixture(name: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `recurse-${name}-`));
  cpSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A describe block's own copy of a fixture repository and its file map: copied and loaded before the block's tests
 * (the map handed to `loaded`), removed after them.
 */
export function fixtureMap(name: string, loaded: (map: FileMap) => void): { readonly dir: string } {
  let copy: ReturnType<typeof copyFixture> | undefined;
  before(async () => {
    copy = copyFixture(name);
    loaded(await FileMap.load(copy.dir));
  });
  after(() => copy?.cleanup());
  return {
    get dir() {
      if (!copy) throw new Error(`the ${name} fixture is used outside the tests of its describe block`);
      return copy.dir;
    },
  };
}

/** A js fenced block, as a model writes it. */
export function js(code: string): string {
  return '```js\n' + code + '\n```';
}

export function lastUser(ctx: ScriptContext): string {
  return ctx.lastUser;
}
