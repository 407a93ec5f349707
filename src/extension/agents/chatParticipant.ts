import * as vscode from 'vscode';
import type { DiffSource } from '../../core/review/diffSource';
import type { HistoryEntry } from '../../core/rlm/followUp';
import type { RlmEvent } from '../../core/rlm/events';
import { loadCore } from '../loadCore';
import { parseTraceChatCommand } from '../trace/traceChatCommand';
import type { AgentAnswer, AgentRuns } from './agentRuns';

export const PARTICIPANT_ID = 'recurse.agent';

/** What a response carries for the next turn (follow-ups) and the next question (history). */
export interface RecurseChatResult extends vscode.ChatResult {
  metadata?: { command?: string; entry?: HistoryEntry; files?: string[] };
}

/**
 * `@recurse` in VS Code's Chat view: a question runs the RLM with its progress streamed, the answer as markdown with
 * each verified citation an anchor to its file and lines (unverified ones marked), and follow-ups; `/review` and
 * `/trace` as in the sidebar chat. Earlier @recurse answers of the conversation are the run's `history`.
 */
export function registerChatParticipant(
  runs: AgentRuns, extensionUri: vscode.Uri, handled?: (request: vscode.ChatRequest, result: RecurseChatResult) => void,
): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, async (request, context, stream, token) => {
    const result = await handleChatRequest(runs, request, context, stream, token);
    handled?.(request, result);
    return result;
  });
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'recurse.svg');
  participant.followupProvider = { provideFollowups: (result: RecurseChatResult) => followups(result) };
  return participant;
}

export async function handleChatRequest(
  runs: AgentRuns, request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken,
): Promise<RecurseChatResult> {
  try {
    if (request.command === 'trace') return await traceCommand(runs, request.prompt, stream, token);
    if (request.command === 'review') return await reviewCommand(runs, request.prompt, stream, token);
    return await askQuestion(runs, request.prompt, context, stream, token);
  } catch (e) {
    if (token.isCancellationRequested) return { metadata: { command: request.command } };
    const message = (e as Error)?.message ?? String(e);
    return { errorDetails: { message }, metadata: { command: request.command } };
  }
}

/** Progress lines in the chat as the run goes: each new turn at once, counts at most twice a second. */
function progressTo(stream: vscode.ChatResponseStream, label: string): (event: RlmEvent) => void {
  const progress = new (loadCore().RunProgress)();
  let last = 0;
  return (event) => {
    const changed = progress.observe(event);
    if (changed === 'turn' || (changed && Date.now() - last >= 500)) {
      last = Date.now();
      stream.progress(`${label}: ${progress.line()}`);
    }
  };
}

async function askQuestion(
  runs: AgentRuns, prompt: string, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken,
): Promise<RecurseChatResult> {
  const question = prompt.trim();
  if (!question) {
    stream.markdown('Ask a question about the workspace, e.g. *@recurse where are orders priced?* — or `/trace <symbol|path>`, `/review`.');
    return {};
  }
  stream.progress(`Reading ${runs.folder().name}…`);
  const result = await runs.ask(question, { token, onEvent: progressTo(stream, 'Exploring'), history: earlierAnswers(context) });
  streamAnswer(stream, result);
  const entry: HistoryEntry = {
    question, answer: result.answer, usage: result.usage,
    citations: result.citations.map(({ path, startLine, endLine, valid }) => ({ path, startLine, endLine, valid })),
  };
  return { metadata: { entry, files: [...new Set(result.citations.filter((c) => c.valid).map((c) => c.path))] } };
}

/** The answer as markdown, each verified citation an inline anchor to its file and lines, each other one marked. */
function streamAnswer(stream: vscode.ChatResponseStream, result: AgentAnswer): void {
  let at = 0;
  for (const c of [...result.citations].sort((a, b) => a.offset - b.offset)) {
    if (c.offset < at) continue;
    stream.markdown(result.answer.slice(at, c.offset));
    if (c.valid && c.location) stream.anchor(c.location, c.raw);
    else stream.markdown(`${c.raw} *[✗ unverified: ${c.reason ?? 'not found'}]*`);
    at = c.offset + c.length;
  }
  stream.markdown(result.answer.slice(at));
  const verified = result.citations.filter((c) => c.valid).length;
  const cost = result.usage.cost !== undefined ? ` · $${result.usage.cost.toFixed(4)}` : '';
  stream.markdown(
    `\n\n---\n*${result.usage.iterations} turns · ${result.usage.subCalls} sub-calls · ${result.usage.totalTokens.toLocaleString('en-US')} tokens${cost} · ` +
      `citations ${verified} verified${result.citations.length > verified ? `, ${result.citations.length - verified} not` : ''}*`,
  );
}

/** Earlier @recurse answers of this chat, oldest first (what the run's `history` holds). */
function earlierAnswers(context: vscode.ChatContext): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const turn of context.history) {
    if (turn instanceof vscode.ChatResponseTurn && turn.participant === PARTICIPANT_ID) {
      const entry = (turn.result as RecurseChatResult).metadata?.entry;
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

async function traceCommand(runs: AgentRuns, prompt: string, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<RecurseChatResult> {
  const parsed = parseTraceChatCommand(`/trace ${prompt}`);
  if (!parsed.ok) {
    stream.markdown(parsed.message);
    return { metadata: { command: 'trace' } };
  }
  stream.progress(`Tracing ${parsed.request.target}…`);
  const result = await runs.trace(parsed.request.target, parsed.request, token);
  stream.markdown(result.ok ? result.markdown : result.message);
  return { metadata: { command: 'trace' } };
}

/** `/review` (working tree), `/review staged`, `/review main` (a branch against main), `/review a..b` (a range). */
export function reviewSource(prompt: string): DiffSource {
  const words = prompt.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: 'worktree' };
  if (words[0] === 'staged') return { kind: 'staged' };
  const range = /^([^.\s]+)\.\.([^.\s]+)$/.exec(words[0]!);
  if (range) return { kind: 'range', base: range[1]!, head: range[2]! };
  return { kind: 'branch', base: words[0]!.replace(/^base=/, '') };
}

async function reviewCommand(runs: AgentRuns, prompt: string, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<RecurseChatResult> {
  const source = reviewSource(prompt);
  stream.progress('Reviewing…');
  const report = await runs.review(source, { token, onEvent: progressTo(stream, 'Reviewing') });
  stream.markdown(report.markdown);
  for (const f of report.findings) if (f.location) stream.reference(f.location);
  return { metadata: { command: 'review' } };
}

function followups(result: RecurseChatResult): vscode.ChatFollowup[] {
  const files = result.metadata?.files ?? [];
  const out: vscode.ChatFollowup[] = files.slice(0, 2).map((file) => ({ prompt: file, command: 'trace', label: `Trace ${file}` }));
  if (result.metadata?.entry) out.push({ prompt: 'What else depends on this?', label: 'What depends on it?' });
  return out;
}
