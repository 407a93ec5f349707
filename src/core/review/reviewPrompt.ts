/** The review task for the root model: the system prompt's extra section and the first question. */

export const REVIEW_INSTRUCTIONS = `## Review task
You are reviewing a code change. The diff is NOT in this prompt: it is the \`diff\` global in the REPL (every file, every hunk, never truncated); \`hunks(path)\` renders one file's hunks with line numbers and \`readOld(path, start, end)\` reads the file as it was at the base. read/grep/findSymbol/references/importers see the NEW tree.
How to review:
1. Look at \`diff.files\` (count, statuses, sizes). Plan to cover EVERY changed file; skip none silently.
2. Fan out: for each file (or each group of small files / each large hunk), build a prompt that contains the file path and its \`hunks(path)\` text, and review them in parallel with \`llm_query_batched(prompts)\`; use \`rlm_query(question, {paths: [...]})\` when a change needs its own exploration. Ask each sub-call for concrete problems as JSON with path and new-side line numbers.
3. Check changes against the rest of the code: for changed or removed functions, types and exports, use findSymbol / references / importers to find callers and importers that the change breaks (renamed or removed names, changed signatures, changed behaviour). Use readOld to compare with the previous version.
4. Keep only real problems (bugs, broken callers, security issues, missing error handling, risky behaviour changes); no style nits.
5. Finish with \`finish(markdown)\` where the markdown contains one \`\`\`json block:
{"summary": "one paragraph", "findings": [{"severity": "error" | "warning" | "info", "path": "file path as in diff.files", "line": N, "endLine": N, "title": "short", "detail": "why it is a problem", "suggestion": "optional fix"}]}
Lines are on the NEW side of the diff (as hunks() numbers them with '+' or ' '); for a deleted file, use old-side lines. Every line must be inside a hunk of that file. An empty findings array is a valid answer.`;

export function reviewQuestion(description: string, files: number): string {
  return `Review this change: ${description} — ${files} changed file${files === 1 ? '' : 's'}. Report problems as structured findings.`;
}
