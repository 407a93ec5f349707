import * as vscode from 'vscode';
import type { RecurseApi } from '../../src/extension/extension';
import type { HostMessage } from '../../src/extension/chat/protocol';
import { ModelServer, type ModelServerOptions, type Reply, type ScriptContext } from '../support/modelServer';

export const EXTENSION_ID = 'recurse.recurse';

export function extension(): vscode.Extension<RecurseApi> {
  const ext = vscode.extensions.getExtension<RecurseApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext;
}

export async function api(): Promise<RecurseApi> {
  const ext = extension();
  return ext.isActive ? ext.exports : ext.activate();
}

export function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('the tests need a workspace folder');
  return f;
}

/** Sets user settings (recurse.* keys without the prefix); undefined removes one. */
export async function configure(values: Record<string, unknown>): Promise<void> {
  const c = vscode.workspace.getConfiguration('recurse');
  for (const [k, v] of Object.entries(values)) await c.update(k, v, vscode.ConfigurationTarget.Global);
}

/** A test model server, the activated extension, and its settings pointed at the server's root-model (plus `settings`). */
export async function connectModelServer(
  settings: Record<string, unknown> = {},
  serverOptions: ModelServerOptions = {},
): Promise<{ server: ModelServer; recurse: RecurseApi }> {
  const server = await ModelServer.start(serverOptions);
  try {
    const recurse = await api();
    await configure({ provider: 'openai', baseUrl: server.url, model: 'root-model', ...settings });
    return { server, recurse };
  } catch (err) {
    // The suite's after() never sees this server: close it here so the extension host can exit.
    await server.close();
    throw err;
  }
}

export function js(code: string): string {
  return '```js\n' + code + '\n```';
}

export type Step = Reply | string | ((ctx: ScriptContext) => Reply | string | Promise<Reply | string>);

/**
 * Scripts the test model server with a queue of replies for the root model; a failed assertion inside a step is
 * kept and rethrown by `check()`, and the client gets a non-retryable error so the run ends at once.
 */
export function script(server: ModelServer, steps: Step[]): { check(): void } {
  const queue = [...steps];
  const errors: unknown[] = [];
  server.setHandler(async (ctx) => {
    const step = queue.shift();
    if (step === undefined) {
      errors.push(new Error(`script exhausted at request ${ctx.requestIndex}; last message:\n${ctx.lastUser.slice(0, 2000)}`));
      return { fault: 'auth' };
    }
    try {
      return typeof step === 'function' ? await step(ctx) : step;
    } catch (err) {
      errors.push(err);
      return { fault: 'auth' };
    }
  });
  return {
    check() {
      if (errors.length) throw errors[0];
    },
  };
}

export function messagesOf<T extends HostMessage['type']>(a: RecurseApi, type: T, since = 0): Extract<HostMessage, { type: T }>[] {
  return a.sentToWebview.slice(since).filter((m): m is Extract<HostMessage, { type: T }> => m.type === type);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A guided flow's quick input on screen once its title matches (Configure Model…, Set API Key). */
export async function inputTitled(recurse: RecurseApi, title: RegExp): Promise<NonNullable<RecurseApi['setup']['input']>> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const input = recurse.setup.input;
    if (input && title.test(input.title ?? '')) return input;
  }
  throw new Error(`no input titled ${title}; on screen: ${recurse.setup.input?.title ?? 'nothing'}`);
}

/** Types into an input box, or makes the item whose label matches active in a pick, then presses Enter. */
export async function answerInput(recurse: RecurseApi, title: RegExp, value: string | RegExp): Promise<void> {
  const input = await inputTitled(recurse, title);
  if (typeof value === 'string') (input as vscode.InputBox).value = value;
  else {
    const pick = input as vscode.QuickPick<vscode.QuickPickItem>;
    const item = pick.items.find((i) => value.test(i.label));
    if (!item) throw new Error(`no item ${value} in "${pick.title}": ${pick.items.map((i) => i.label).join(' | ')}`);
    pick.activeItems = [item];
  }
  // The extension host sends a quick input's changes to the workbench on its next tick: let them land first.
  await new Promise((r) => setTimeout(r, 150));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  // The step is over once another input (or none) is on screen.
  for (const deadline = Date.now() + 15_000; recurse.setup.input === input && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
}
