/**
 * Worker thread entry: parses files with web-tree-sitter and extracts definitions. It reads each
 * file itself (the main thread only sends paths), hashes it, and skips the parse when the hash
 * equals the cached one. Trees are deleted at once; only compact records travel back.
 * Built twice: by tsc next to symbolIndex.js, and by esbuild as dist/symbolWorker.js.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type * as TreeSitter from 'web-tree-sitter';
// require, not import: bundlers then pick the CommonJS build, which finds nothing through import.meta.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Parser } = require('web-tree-sitter') as typeof TreeSitter;
type Parser = TreeSitter.Parser;
import { SymbolRecord, extractSymbols } from './extractSymbols';
import { packTexts, type SymbolText } from './symbolText';
import { Grammar, GrammarSpec, loadGrammar } from './grammarLoader';
import { blankBodies } from './blankBodies';
import { regionText } from './regions';
import { lineStarts } from './codeSpans';
import { pythonDefinitions, pythonNameLines } from './pythonDefinitions';
import { pythonLayoutFast } from './pythonLayoutWasm';
import type { Layout } from './pythonRegions';

export interface WorkerSetup {
  runtimeWasm: string;
  languages: Record<string, GrammarSpec>;
}

export interface ParseFile {
  abs: string;
  language: string;
  /** Content for in-memory workspaces (then `abs` is only a label). */
  text?: string;
  /** Hash the cache holds for this file: an equal hash means nothing to parse. */
  knownHash?: string;
  /**
   * Lines (1-based) a lookup wants the definitions of: only the declarations around them are
   * parsed when the language allows (regions.ts), and the result is a 'region', not the file's record.
   */
  lines?: number[];
  /** The name looked up (exact lookups): where on those lines it is, for languages that need it. */
  name?: string;
  /**
   * Python: the lines are found here, those `name` is written on as a definition could be
   * (pythonNameLines) — one read of the file, no workspace search first. A file without any
   * comes back as an empty region.
   */
  findLines?: boolean;
}

export interface ParseJob {
  files: ParseFile[];
  maxBytes: number;
  timeoutMs: number;
  /** Parse without queries (the parser's floor, for benchmarks). */
  parseOnly?: boolean;
  /** Grammars to load before any file (a thread warming up while its first files are searched for). */
  warm?: string[];
  /** Only read and hash each file (its content key), for matching a shared index pack before parsing. */
  hashOnly?: boolean;
}

/** Per file: parsed (symbols as JSON of SymbolRecord[]), unchanged (hash equals knownHash), or skipped. */
export type ParseOutcome =
  | { kind: 'parsed'; hash: string; size: number; mtimeMs: number; data: SymbolText; count: number }
  | { kind: 'unchanged'; hash: string; size: number; mtimeMs: number }
  | { kind: 'hashed'; hash: string; size: number; mtimeMs: number }
  | { kind: 'region'; size: number; mtimeMs: number; data: SymbolText; count: number }
  | { kind: 'skipped'; reason: 'too-large' | 'timeout' | 'parse-error' | 'unreadable' | 'no-grammar'; size: number; mtimeMs: number; message?: string };

const setup = workerData as WorkerSetup;
const loaded = new Map<string, Promise<Grammar | Error>>();
let parser: Parser | undefined;

async function init(): Promise<Parser> {
  if (!parser) {
    await Parser.init({ locateFile: () => setup.runtimeWasm });
    parser = new Parser();
  }
  return parser;
}

function grammar(id: string): Promise<Grammar | Error> {
  let p = loaded.get(id);
  if (!p) {
    p = (async () => {
      const spec = setup.languages[id];
      if (!spec) return new Error(`no grammar for ${id}`);
      try {
        await init();
        return await loadGrammar(spec);
      } catch (error) {
        return new Error(`cannot load grammar ${id}: ${(error as Error).message}`);
      }
    })();
    loaded.set(id, p);
  }
  return p;
}

/**
 * A file's content key: its git blob id (sha1 of "blob <size>\0" and the bytes), which git already holds for every
 * tracked file, and the same hash for the others — so a record made on one clone counts on any other.
 */
function contentKey(buf: Buffer): string {
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

async function parseOne(file: ParseFile, job: ParseJob): Promise<ParseOutcome> {
  let buf: Buffer;
  let size = 0;
  let mtimeMs = 0;
  if (file.text !== undefined) buf = Buffer.from(file.text, 'utf8');
  else try {
    const fd = fs.openSync(file.abs, 'r');
    try {
      const st = fs.fstatSync(fd);
      size = st.size;
      mtimeMs = st.mtimeMs;
      if (size > job.maxBytes) return { kind: 'skipped', reason: 'too-large', size, mtimeMs };
      buf = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    return { kind: 'skipped', reason: 'unreadable', size, mtimeMs, message: (error as Error).message };
  }
  size = buf.length;
  if (size > job.maxBytes) return { kind: 'skipped', reason: 'too-large', size, mtimeMs };
  if (job.hashOnly) return { kind: 'hashed', hash: contentKey(buf), size, mtimeMs };
  let g: Grammar | Error | undefined;
  let text: string | undefined;
  let starts: ArrayLike<number> | undefined;
  let layout: Layout | undefined;
  if (file.findLines && file.name !== undefined) {
    if (buf.indexOf(file.name) === -1) return { kind: 'region', size, mtimeMs, data: '[]', count: 0 };
    text = buf.toString('utf8');
    // Laid out at once (a fresh thread's JavaScript would take several times longer), which gives the line starts too.
    const fast = pythonLayoutFast(text);
    starts = fast?.lineStarts ?? lineStarts(text);
    layout = fast?.layout;
    const lines = pythonNameLines(text, starts, file.name);
    if (lines.length === 0) return { kind: 'region', size, mtimeMs, data: '[]', count: 0 };
    file = { ...file, lines };
  }
  if (file.lines && !job.parseOnly && file.language === 'python' && file.name !== undefined) {
    // A lookup of a name in Python: read off the indentation when that is certain, no grammar needed.
    text ??= buf.toString('utf8');
    const defs = pythonDefinitions(text, (starts ??= lineStarts(text)), file.lines, file.name, layout);
    if (defs) return { kind: 'region', size, mtimeMs, data: JSON.stringify(defs), count: defs.length };
  }
  if (file.lines && !job.parseOnly) {
    // A lookup's region: no hash (nothing is recorded), the whole file only if the region cannot stand alone.
    g = await grammar(file.language);
    if (g instanceof Error) return { kind: 'skipped', reason: 'no-grammar', size, mtimeMs, message: g.message };
    text ??= buf.toString('utf8');
    const region = parseRegion(await init(), g, file, text, size, mtimeMs, job.timeoutMs);
    if (region) return region;
  }
  const hash = contentKey(buf);
  if (file.knownHash === hash) return { kind: 'unchanged', hash, size, mtimeMs };
  g ??= await grammar(file.language);
  if (g instanceof Error) return { kind: 'skipped', reason: 'no-grammar', size, mtimeMs, message: g.message };
  const p = await init();
  p.setLanguage(g.language);
  text ??= buf.toString('utf8');
  // The floor a benchmark measures parses the file as it is; an index parses it with its
  // definition-free bodies blanked (blankBodies.ts), which yields the same definitions.
  const parsed = job.parseOnly ? text : blankBodies(file.language, text);
  const deadline = performance.now() + job.timeoutMs;
  let tree;
  try {
    tree = p.parse(parsed, null, { progressCallback: () => performance.now() > deadline });
  } catch (error) {
    p.reset();
    return { kind: 'skipped', reason: 'parse-error', size, mtimeMs, message: (error as Error).message };
  }
  if (!tree) {
    p.reset();
    return { kind: 'skipped', reason: 'timeout', size, mtimeMs, message: `parse exceeded ${job.timeoutMs} ms` };
  }
  try {
    if (job.parseOnly) return { kind: 'parsed', hash, size, mtimeMs, data: '[]', count: 0 };
    const symbols: SymbolRecord[] = extractSymbols(tree, g.query, parsed, file.language, g.plan, text);
    return { kind: 'parsed', hash, size, mtimeMs, data: JSON.stringify(symbols), count: symbols.length };
  } catch (error) {
    return { kind: 'skipped', reason: 'parse-error', size, mtimeMs, message: (error as Error).message };
  } finally {
    tree.delete();
  }
}

/** The definitions in the declarations around `file.lines`, if they parse cleanly on their own. */
function parseRegion(p: Parser, g: Grammar, file: ParseFile, text: string, size: number, mtimeMs: number, timeoutMs: number): ParseOutcome | undefined {
  const region = regionText(file.language, text, file.lines!, file.name);
  if (region === undefined) return undefined;
  // Blanked as a whole parse's text is: a region keeps whole bodies, so the same ones are blanked.
  const masked = blankBodies(file.language, region);
  p.setLanguage(g.language);
  const deadline = performance.now() + timeoutMs;
  const tree = p.parse(masked, null, { progressCallback: () => performance.now() > deadline });
  if (!tree) {
    p.reset();
    return undefined;
  }
  try {
    if (tree.rootNode.hasError) return undefined;
    const symbols = extractSymbols(tree, g.query, masked, file.language, g.plan, text);
    return { kind: 'region', size, mtimeMs, data: JSON.stringify(symbols), count: symbols.length };
  } finally {
    tree.delete();
  }
}

/**
 * A few lines of typical code per language. V8 compiles wasm functions lazily, on first call: a
 * first real parse pays for compiling the lexer and parser paths it takes. Parsing this while the
 * thread warms up moves most of that off the path of the first answer.
 */
const SAMPLES: Record<string, string> = {
  python: 'import os\n@dec\nclass A(B):\n    X = 1\n    def f(self, x=1, *a, **k) -> int:\n        """doc"""\n        return [y for y in x if y] + {1: "s"}[0]\n',
  go: 'package p\nimport "fmt"\ntype T struct{ A int }\nconst C = 1\nfunc (t *T) M(x int) (int, error) {\n\tif x > 0 {\n\t\treturn fmt.Println("s", t.A)\n\t}\n\treturn 0, nil\n}\n',
  java: 'package p;\nimport java.util.List;\n@A public class T<E> extends B implements C {\n  static final int X = 1;\n  public String toString() { return "s" + x.y(1); }\n}\n',
  c: '#include <stdio.h>\n#define M(x) ((x) + 1)\nstruct s { int a; };\nstatic int f(const char *p, int n) {\n  for (int i = 0; i < n; i++) if (p[i]) return M(i);\n  return 0;\n}\n',
  cpp: '#include <vector>\nnamespace n {\nclass A : public B {\n public:\n  int f(const std::vector<int>& v) const { return v.size() + 1; }\n};\n}\n',
  javascript: 'import x from "y";\nexport class A extends B {\n  m(a, b = 1) { return a?.b ?? `s${b}`; }\n}\nconst f = (x) => x + 1;\n',
  typescript: 'import x from "y";\nexport interface I { a: number }\nexport class A<T> extends B implements I {\n  a = 1;\n  m(x: T): string { return `s${x}`; }\n}\n',
  tsx: 'export function C(p: { a: number }) {\n  return <div className="x">{p.a}</div>;\n}\n',
  rust: 'use std::io;\npub struct S { a: i32 }\nimpl S {\n    pub fn f(&self, x: i32) -> i32 { if x > 0 { self.a + x } else { 0 } }\n}\n',
  csharp: 'using System;\nnamespace N {\n  public class A : B {\n    public int F(int x) { return x + 1; }\n  }\n}\n',
  ruby: 'require "x"\nmodule M\n  class A < B\n    def f(x, y = 1)\n      x.each { |z| puts z }\n    end\n  end\nend\n',
};

/** Loads a grammar, its query, and the code paths a first parse would compile. */
async function warm(id: string): Promise<void> {
  const g = await grammar(id);
  const sample = SAMPLES[id];
  if (g instanceof Error || sample === undefined) return;
  const p = await init();
  p.setLanguage(g.language);
  const tree = p.parse(sample);
  if (!tree) return;
  try {
    extractSymbols(tree, g.query, sample, id, g.plan);
  } finally {
    tree.delete();
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', async ({ id, job }: { id: number; job: ParseJob }) => {
    const results: ParseOutcome[] = [];
    // An empty list still starts the runtime: a thread started before the languages are known.
    if (job.warm) {
      await init();
      // The layout's WebAssembly is assembled and compiled once per thread: here, not on a lookup's first file.
      pythonLayoutFast('x = 1\n');
    }
    for (const id of job.warm ?? []) await warm(id).catch(() => undefined);
    for (const file of job.files) results.push(await parseOne(file, job));
    const texts = packTexts(results);
    port.postMessage({ id, results, texts }, [texts]);
  });
}
