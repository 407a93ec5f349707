import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ChatModelError } from '../core/llm/chatModel';
import { checkEndpoint, endpointFailed } from '../core/llm/endpointCheck';
import { type CliArgs, MODEL_OPTIONS, type ModelFlags, parseFlags, readModelFlags, UsageError } from './args';
import { resolveCliEndpoint } from './models';
import { hints, humanReport, jsonReport } from './modelsReport';
import { EXIT } from './cliCommon';

/** `recurse models`: which models an endpoint offers and whether one tiny completion goes through. */

export const MODELS_USAGE = `Usage:
  recurse models [options]             list the models an OpenAI-compatible endpoint offers (GET /models)
                                       and test one completion of a single token, never retried

Options for models (the endpoint is resolved as for ask: flags > environment > config file > local Ollama):
      --base-url URL       OpenAI-compatible endpoint (env OPENAI_BASE_URL)
      --api-key KEY        API key (prefer env OPENAI_API_KEY)
  -m, --model M            the model to test (default: the configured model, else the first listed)
      --sub-model M        marked in the list as the sub-model (env RECURSE_SUB_MODEL)
      --config FILE        JSON config file (env RECURSE_CONFIG)
  -w, --workspace DIR      where ./.recurse.json is read (default: current directory)
      --no-test            list only, no completion
      --json               print one JSON object on stdout
  -h, --help               this help

Exit codes: 0 listed and tested, 1 the endpoint failed (unreachable, 401, 404, 429, 5xx),
2 usage or configuration error, 130 cancelled.`;


type ModelsArgs = ModelFlags & Pick<CliArgs, 'workspace' | 'json'> & { test: boolean };

export function parseModelsArgs(argv: string[]): ModelsArgs | 'help' {
  const { values: v, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      ...MODEL_OPTIONS,
      'no-test': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return 'help';
  // A model given as an argument would otherwise be silently ignored.
  if (positionals.length) throw new UsageError(`models takes no arguments (got "${positionals.join(' ')}"); the model to test is --model`);
  return { workspace: v.workspace ?? process.cwd(), json: Boolean(v.json), test: !v['no-test'], ...readModelFlags(v) };
}

function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function runModels(argv: string[], signal: AbortSignal): Promise<number> {
  try {
    const args = parseModelsArgs(argv);
    if (args === 'help') {
      process.stdout.write(`${MODELS_USAGE}\n`);
      return EXIT.ok;
    }
    const root = resolve(args.workspace);
    if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new UsageError(`workspace is not a directory: ${root}`);
    const endpoint = await resolveCliEndpoint(args, root);
    const check = await checkEndpoint({ baseURL: endpoint.baseURL, apiKey: endpoint.apiKey, model: endpoint.model, test: args.test, signal });
    if (signal.aborted) throw new ChatModelError('cancelled', 'cancelled');
    process.stdout.write(args.json ? `${JSON.stringify(jsonReport(endpoint, check))}\n` : humanReport(endpoint, check));
    for (const line of hints(endpoint, check)) err(`recurse models: ${line}`);
    return endpointFailed(check) ? EXIT.failed : EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`recurse models: ${e.message}\n\n${MODELS_USAGE}`);
      return EXIT.usage;
    }
    if (e instanceof ChatModelError && e.kind === 'config') {
      err(`recurse models: ${e.message}`);
      return EXIT.usage;
    }
    if (signal.aborted) {
      err('recurse models: cancelled');
      return EXIT.cancelled;
    }
    err(`recurse models: ${(e as Error).message}`);
    return EXIT.failed;
  }
}
