import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { WarmWorkspace } from '../core/workspace/warmWorkspace';
import { MODEL_OPTIONS, parseFlags, readModelFlags, readRunOptions, readScope, RUN_OPTIONS } from './args';
import { runOptions } from './askCommand';
import { checkWorkspace, err } from './cliCommon';
import { createMcpServer } from './mcp/mcpServer';
import { type CliModels, createCliModels } from './models';
import { cliRipgrep } from './ripgrepBinary';
import { recurseVersion } from './version';

/** `recurse mcp`: the Model Context Protocol over stdio, for agents (Claude Code, Cursor, VS Code, any MCP client). */

export const MCP_USAGE = `Usage:
  recurse mcp [options]     serve Recurse's tools over the Model Context Protocol (stdio) to an agent

Tools: ask {question, scope?}, find_symbol {name, kind?}, grep {pattern, glob?, maxResults?, ignoreCase?},
       trace {target, to?, direction?, depth?}, review {base?, head?, staged?}

Options:
  -w, --workspace DIR      the workspace (default: current directory); loaded once, kept warm, reloaded on change
      --scope DIR|PACKAGE  limit ask, trace and review to a directory or a package
  and the model, budget and cache options of recurse ask (--model, --sub-model, --base-url, --api-key, --config,
  --max-iterations, --max-depth, --max-sub-calls, --max-tokens, --timeout, --concurrency, --max-file-size,
  --exclude, --no-cache, --sub-temperature, --context-window, ...). No model is needed to start: find_symbol, grep
  and trace never use one; ask and review say how to configure one if none is.

Nothing but the protocol is written to stdout; notes go to stderr.`;

export async function runMcp(argv: string[], signal: AbortSignal): Promise<number> {
  const parsed = parseFlags({
    args: argv,
    strict: true,
    options: { ...MODEL_OPTIONS, ...RUN_OPTIONS, workspace: { type: 'string', short: 'w' }, scope: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (parsed.values.help) {
    process.stdout.write(`${MCP_USAGE}\n`);
    return 0;
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const flags = { ...readModelFlags(v), ...readRunOptions(v), scope: readScope(v), quiet: true, trajectory: undefined };
  const root = await checkWorkspace(resolve((v.workspace as string | undefined) ?? '.'));
  const warm = new WarmWorkspace(root, {
    exclude: flags.exclude,
    maxFileBytes: flags.maxFileSizeKB ? flags.maxFileSizeKB * 1024 : undefined,
    ripgrep: cliRipgrep(),
  });
  let models: Promise<CliModels> | undefined;
  const server = createMcpServer(
    {
      root,
      warm,
      scope: flags.scope,
      models: () => {
        // A failed resolution (no endpoint yet) is tried again on the next call: the user may configure one meanwhile.
        models ??= createCliModels(flags, root).catch((e) => {
          models = undefined;
          throw e;
        });
        return models;
      },
      runOptions: (m, callSignal, onEvent) => ({ ...runOptions(flags, root, m, callSignal), onEvent }),
    },
    recurseVersion(),
  );
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((done) => {
    transport.onclose = () => done();
    process.stdin.once('end', () => done());
    signal.addEventListener('abort', () => done(), { once: true });
  });
  // The workspace loads once the handshake is done: a client's initialize never waits for the map (a tool call
  // before that loads it anyway).
  server.server.oninitialized = () => warm.start();
  await server.connect(transport);
  err(`recurse mcp: serving ${root} over stdio`);
  await closed;
  warm.dispose();
  await server.close().catch(() => undefined);
  return 0;
}

