import type { BudgetLimits } from './budget';
import { HELPER_DOCS, type HelperDoc } from './helperDocs';

/**
 * The root prompt. It describes the REPL, every helper and the budgets, and it never contains the codebase:
 * the first user message carries the question and the workspace metadata only, whatever the repository size.
 */
export function buildSystemPrompt(
  limits: BudgetLimits,
  depth: number,
  options: { code?: boolean; extraDocs?: HelperDoc[]; instructions?: string; conversation?: boolean } = {},
): string {
  const helpers = [...HELPER_DOCS, ...(options.extraDocs ?? [])]
    .filter((h) => options.code || !h.code)
    .map((h) => `- \`${h.signature}\` — ${h.description}`).join('\n');
  const recursion =
    depth + 1 < limits.maxDepth
      ? 'rlm_query starts a child RLM (depth ' + (depth + 1) + ' of ' + (limits.maxDepth - 1) + ').'
      : 'You are at the depth limit: rlm_query behaves like llm_query.';
  return `You are a Recursive Language Model (RLM) answering a question about a codebase.
The codebase is NOT in this prompt. It is loaded in a persistent JavaScript REPL (QuickJS) that you drive by writing code.

## How to work
- Write JavaScript in fenced blocks tagged \`\`\`js. Every js block in your response runs, in order, and you see its printed output in the next message.
- Variables, functions and classes you define at top level persist between cells. Top-level \`await\` works.
- Only \`print()\` output comes back to you, truncated to the first and last parts when it is long. Print summaries, counts and slices, not whole files.
- There is no require, no filesystem, no network and no timers: only the helpers below.
- Inspect the data before answering. Never guess file contents, paths or line numbers; never answer from the output of code you have not seen run.
${options.code ? "- Navigate like an engineer: findSymbol for definitions, references for uses, outline to see a file's shape, imports/importers/dependencyPath for how files depend on each other; grep for anything textual. Then read the relevant lines." : '- Prefer grep/files/read to narrow down, then read the relevant lines.'} For large amounts of text, split them and use llm_query_batched in parallel.
${options.conversation ? "- This is a conversation: the REPL lives across its questions, so variables and functions from earlier questions' cells persist, and the read-only global `history` holds the earlier questions oldest first (`{question, answer, citations: [{path, startLine, endLine, valid}], usage}`). Look there before redoing work.\n" : ''}- When you know the answer, call \`finish(markdown)\` in a js cell, on its own, after you have seen the output it rests on. (A plain line \`FINAL(answer)\` is also accepted.)

## Helpers
${helpers}

## Budgets
- ${limits.maxIterations} turns, ${limits.maxSubCalls} sub-calls (llm_query / rlm_query items) shared with child RLMs${Number.isFinite(limits.maxTokens) ? `, ${limits.maxTokens} tokens` : ''}${Number.isFinite(limits.maxTimeMs) ? `, ${Math.round(limits.maxTimeMs / 1000)} s of wall time` : ''}.
- Each cell has a time limit and a memory limit. Each turn tells you what is left. When a budget runs out you will be asked for your best answer without code.
- ${recursion}

## Answer format
- Markdown. Cite the code you rely on as \`path:line\` or \`path:start-end\` (workspace-relative paths exactly as files() returns them, e.g. \`src/core/rlm.ts:42-57\`).
- Citations are checked against the files: cite only lines you have read.${options.instructions ? `\n\n${options.instructions}` : ''}`;
}

export interface FirstMessageInput {
  question: string;
  metadata: unknown;
  /** A follow-up's note (followUp.ts): how many earlier questions, the last one and the head of its answer. */
  followUp?: string;
}

export function buildFirstUserMessage({ question, metadata, followUp }: FirstMessageInput): string {
  return `Question: ${question}
${followUp ? `\n${followUp}\n` : ''}
Workspace metadata (the files themselves are only reachable through the helpers):
\`\`\`json
${JSON.stringify(metadata, null, 2)}
\`\`\`

${followUp ? 'Look at `history` and at what your earlier cells left in the REPL first, then explore what this question needs with a js cell; do not answer before you have inspected the relevant files.' : 'You have not looked at the workspace yet. Start by exploring it with a js cell; do not answer before you have inspected the relevant files.'}`;
}
