import * as vscode from 'vscode';
import type { TraceDirection } from '../../core/trace/traceGraph';
import type { AgentRuns } from './agentRuns';

/** The tools VS Code's agent mode (and any extension, through vscode.lm.tools) can call; see contributes.languageModelTools. */
export const TOOL_NAMES = { ask: 'recurse_ask', findSymbol: 'recurse_findSymbol', trace: 'recurse_trace' } as const;

interface AskInput {
  question: string;
}
interface FindSymbolInput {
  name: string;
  kind?: string;
}
interface TraceInput {
  target: string;
  to?: string;
  direction?: TraceDirection;
  depth?: number;
}

function text(value: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new Error(`${name} must be a non-empty string`);
  return value.trim();
}

/**
 * recurse_ask runs the whole RLM (minutes, tokens on the user's endpoint), so it asks for confirmation; the lookups
 * are instant and free. Results are text for the calling model: the answer with checked citations listed after it.
 */
export function registerLanguageModelTools(runs: AgentRuns): vscode.Disposable {
  const ask: vscode.LanguageModelTool<AskInput> = {
    prepareInvocation: (options) => ({
      invocationMessage: `Asking Recurse: ${options.input.question}`,
      confirmationMessages: {
        title: 'Ask Recurse about the workspace?',
        message: new vscode.MarkdownString(
          `Recurse will explore **${runs.folder().name}** with its configured model to answer:\n\n> ${options.input.question}\n\nThis sends requests to your model endpoint and may take a few minutes.`,
        ),
      },
    }),
    invoke: async (options, token) => {
      const question = requireString(options.input?.question, 'question');
      const result = await runs.ask(question, { token });
      const list = result.citations.map((c) => `- ${c.path}:${c.startLine}${c.endLine !== c.startLine ? `-${c.endLine}` : ''} ${c.valid ? '✓ verified' : `✗ unverified (${c.reason})`}`);
      return text(`${result.markdown}${list.length ? `\n\nCitations (checked against the files):\n${list.join('\n')}` : ''}`);
    },
  };
  const findSymbol: vscode.LanguageModelTool<FindSymbolInput> = {
    prepareInvocation: (options) => ({ invocationMessage: `Finding ${options.input.name} with Recurse` }),
    invoke: async (options, token) => {
      const name = requireString(options.input?.name, 'name');
      const found = await runs.findSymbol(name, options.input.kind, token);
      if (!found.length) return text(`No symbol named ${name}${options.input.kind ? ` of kind ${options.input.kind}` : ''} in the workspace.`);
      return text(found.map((s) => `${s.path}:${s.line}-${s.endLine}  ${s.kind} ${s.container ? `${s.container}.` : ''}${s.name}`).join('\n'));
    },
  };
  const trace: vscode.LanguageModelTool<TraceInput> = {
    prepareInvocation: (options) => ({ invocationMessage: `Tracing ${options.input.target} with Recurse` }),
    invoke: async (options, token) => {
      const target = requireString(options.input?.target, 'target');
      const { to, direction, depth } = options.input;
      const result = await runs.trace(target, { to, direction, depth }, token);
      return text(result.ok ? result.markdown : result.message);
    },
  };
  return vscode.Disposable.from(
    vscode.lm.registerTool(TOOL_NAMES.ask, ask),
    vscode.lm.registerTool(TOOL_NAMES.findSymbol, findSymbol),
    vscode.lm.registerTool(TOOL_NAMES.trace, trace),
  );
}
