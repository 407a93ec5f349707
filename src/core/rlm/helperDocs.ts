/**
 * Every helper the model can call, with its type, in one place: the system prompt lists them from here and
 * `helpers.ts` implements exactly these names.
 */
export interface HelperDoc {
  signature: string;
  description: string;
  /** Needs the code index (symbols, imports); absent in a child RLM over plain text. */
  code?: true;
}

export const HELPER_DOCS: HelperDoc[] = [
  { signature: 'print(...values): void', description: 'Show values in the cell output (objects as JSON). Only printed text comes back to you.' },
  {
    signature: 'context: { root, files, bytes, lines, languages, outline, skipped }',
    description: 'Metadata about the workspace (the same you were given).',
  },
  {
    signature: 'files(glob?: string): {path, size, lines, language}[]',
    description: "Files in the workspace, optionally filtered by a glob ('src/**/*.ts', '*.py'). Paths are relative, '/'-separated.",
  },
  { signature: "tree(dir = '', depth = 2): string", description: 'An indented directory tree with file counts.' },
  {
    signature: 'read(path: string, startLine?: number, endLine?: number): string',
    description: 'The text of lines startLine..endLine (1-based, inclusive; default the first 200 lines).',
  },
  {
    signature: 'grep(pattern: RegExp | string, {glob?, ignoreCase?, maxResults = 200, context = 0}?): {path, line, text}[]',
    description: 'Regex search over every file, sorted by path then line. Raise maxResults for more; `context` adds lines around each match.',
  },
  {
    signature: 'await findSymbol(name: string, {kind?, exact = true}?): {name, kind, path, line, endLine, container, signature}[]',
    description: 'Definitions of a symbol across the workspace (functions, classes, types, macros, …). The fastest way to locate code.',
    code: true,
  },
  { signature: 'await symbols(path: string): {name, kind, line, endLine, container, signature}[]', description: 'Every symbol defined in a file.', code: true },
  { signature: 'await outline(path: string): string', description: 'A compact outline of a file: one line per symbol with its lines.', code: true },
  {
    signature: 'await references(name: string, {glob?}?): {path, line, text, in}[]',
    description: 'Whole-word occurrences of a name, each with the symbol it appears in.',
    code: true,
  },
  {
    signature: 'await imports(path) / await importers(path): {from, specifier, to, kind, line}[]',
    description: 'What a file imports (`to` is the resolved workspace file, absent for external packages) / which files import it.',
    code: true,
  },
  { signature: 'await dependencyPath(fromPath, toPath): string[] | null', description: 'The shortest import chain from one file to another.', code: true },
  { signature: 'await packages(): {name, path, kind}[]', description: 'Packages of the workspace (npm/pnpm workspaces, go.mod, Cargo.toml, pyproject.toml, pom.xml).', code: true },
  {
    signature: 'await llm_query(prompt: string): string',
    description: 'Ask a sub-model about a slice of text you pass in the prompt (it sees nothing else). Use it to read, summarise or classify large pieces.',
  },
  {
    signature: 'await llm_query_batched(prompts: string[]): string[]',
    description: 'Many llm_query calls in parallel; answers in order; a failed item is an "Error: …" string.',
  },
  {
    signature: 'await rlm_query(question: string, {paths?: string[], glob?: string, text?: string}): string',
    description: 'Start a child RLM with its own REPL over that subset of files (or a text), one level deeper; it spends your budget. At the depth limit it becomes an llm_query.',
  },
  {
    signature: 'finish(markdown: string): void',
    description: 'End the run with your final answer in markdown. Call it in a cell only after you have seen the output that supports the answer.',
  },
];
