import type { CodeIndex } from '../index/codeIndex';
import type { ImportGraph } from '../index/imports/importGraph';
import { dirOf } from '../index/imports/paths';
import { indexedLanguage } from '../index/symbols/languages';
import type { CodeSymbol } from '../index/symbols/symbolIndex';
import { type TraceEdge, type TraceNode, externalId, symbolId } from './traceGraph';
import { qualifiedName } from './traceTarget';

/**
 * One step of a dependency walk: the neighbours of a node in one direction, each with the edge that
 * links them (always dependent → dependency). Deterministic: imports from the import graph, references
 * from the symbol index and a whole-word search; no model involved.
 *
 * - out, file: its imports (resolved files, or external specifiers).
 * - out, symbol: definitions in other files of the identifiers inside its line range, kept when the
 *   defining file is reachable from the symbol's file through imports, in the same directory, or (in
 *   languages without import-scoped names, such as C and C#) the only definition of the name; the target
 *   symbol also links to its file's imports.
 * - in, file: the files importing it.
 * - in, symbol: the references to its name from files that can reach its definition (same file or
 *   directory, through imports, or the name is defined once in a language without import-scoped names), as the enclosing symbol — or the file
 *   when the reference is at top level (a re-export); a file's bare import line is dropped when the
 *   same file also uses the name inside a symbol.
 */

export interface Step {
  node: TraceNode;
  edge: TraceEdge;
}

const KEYWORDS = new Set(
  (
    'abstract as async await break case catch class const continue def default defer delete do else enum export extends ' +
    'false final finally fn for from func function go if impl implements import in instanceof interface is let match mod ' +
    'module mut new nil none not null or package private protected pub public return self static struct super switch ' +
    'this throw throws true try type typeof undefined use var void where while with yield string number boolean int ' +
    'void any unknown never object char bool float double long'
  ).split(' '),
);
/**
 * Languages in which a name from another file is only in scope through an import (or the same directory, for Java
 * packages and Go packages): there, a lone definition elsewhere that the file cannot reach is a different thing
 * with the same name (a local `model` is not another file's function `model`), not a dependency.
 */
const IMPORT_SCOPED = new Set(['typescript', 'tsx', 'javascript', 'python', 'java', 'go', 'rust']);
const MAX_IDENTIFIERS = 150;
const LOOKUP_CONCURRENCY = 8;

export class DependencyWalker {
  private readonly reach = new Map<string, boolean>();
  private readonly symbolsByPath = new Map<string, Promise<CodeSymbol[]>>();
  private readonly definitionsByName = new Map<string, Promise<CodeSymbol[]>>();
  readonly notes: string[] = [];

  constructor(
    readonly code: CodeIndex,
    readonly graph: ImportGraph,
  ) {}

  fileNode(path: string, depth: number): TraceNode {
    return { id: path, kind: 'file', path, depth };
  }

  symbolNode(s: CodeSymbol, depth: number): TraceNode {
    const name = qualifiedName(s);
    return { id: symbolId(s.path, name), kind: 'symbol', path: s.path, line: s.line, endLine: s.endLine, name, symbolKind: s.kind, depth };
  }

  /** Imports of a file, as steps from `fromId` (a file, or a symbol standing for its file). */
  fileImports(path: string, fromId: string, depth: number): Step[] {
    const steps: Step[] = [];
    for (const e of this.graph.imports(path)) {
      const node: TraceNode =
        e.to !== undefined
          ? this.fileNode(e.to, depth)
          : { id: externalId(e.specifier), kind: 'external', name: e.specifier, depth };
      steps.push({ node, edge: { from: fromId, to: node.id, kind: 'import', path, line: e.line, specifier: e.specifier } });
    }
    return steps;
  }

  importers(path: string, depth: number): Step[] {
    return this.graph.importers(path).map((e) => ({
      node: this.fileNode(e.from, depth),
      edge: { from: e.from, to: path, kind: 'import', path: e.from, line: e.line, specifier: e.specifier },
    }));
  }

  /** Definitions elsewhere that a symbol's body names; `sameFile` also keeps those of its own file (for chains). */
  async referencedSymbols(node: TraceNode, depth: number, sameFile = false): Promise<Step[]> {
    const path = node.path!;
    const lines = (await this.code.map.readLines(path, node.line, node.endLine)).text.split('\n');
    const ownName = node.name?.split('.').pop();
    const firstUse = new Map<string, number>();
    lines.forEach((text, i) => {
      for (const m of stripNoise(text).matchAll(/[A-Za-z_$][\w$]*/g)) {
        const id = m[0];
        if (id === ownName || KEYWORDS.has(id) || id.length < 2 || firstUse.has(id)) continue;
        if (firstUse.size >= MAX_IDENTIFIERS) break;
        firstUse.set(id, node.line! + i);
      }
    });
    const found: Step[] = [];
    await eachLimited([...firstUse], LOOKUP_CONCURRENCY, async ([id, line]) => {
      const defs = (await this.definitions(id)).filter(
        (d) => !(d.path === path && d.line <= node.line! && node.endLine! <= d.endLine) && (sameFile || d.path !== path),
      );
      const lone = defs.length === 1 && !IMPORT_SCOPED.has(indexedLanguage(path) ?? '');
      const chosen = lone ? defs : await this.filterAsync(defs, (d) => this.plausible(path, d.path));
      for (const d of chosen) {
        const target = this.symbolNode(d, depth);
        found.push({ node: target, edge: { from: node.id, to: target.id, kind: 'reference', path, line } });
      }
    });
    return found.sort((a, b) => a.edge.line - b.edge.line || (a.node.id < b.node.id ? -1 : 1));
  }

  /** Who names a symbol, as enclosing symbols (or files, for top-level uses). */
  async referencingSymbols(node: TraceNode, depth: number): Promise<Step[]> {
    const name = node.name!.split('.').pop()!;
    const defs = await this.definitions(name);
    const unique = defs.length <= 1;
    const refs = await this.code.references(name);
    if (refs.length >= 500) this.notes.push(`references to ${name} were capped at 500; some dependents may be missing`);
    const bySymbol: Step[] = [];
    const byFile: Step[] = [];
    for (const ref of refs) {
      if (ref.path === node.path && node.line! <= ref.line && ref.line <= node.endLine!) continue;
      const lone = unique && !IMPORT_SCOPED.has(indexedLanguage(ref.path) ?? '');
      if (!lone && !(await this.plausible(ref.path, node.path!))) continue;
      const enclosing = ref.in ? await this.enclosing(ref.path, ref.line, ref.in) : undefined;
      const source = enclosing ? this.symbolNode(enclosing, depth) : this.fileNode(ref.path, depth);
      if (source.id === node.id) continue;
      (enclosing ? bySymbol : byFile).push({ node: source, edge: { from: source.id, to: node.id, kind: 'reference', path: ref.path, line: ref.line } });
    }
    const usedInside = new Set(bySymbol.map((s) => s.node.path));
    return [...bySymbol, ...byFile.filter((s) => !usedInside.has(s.node.path))];
  }

  /** Whether a name used in `from` can denote a definition in `to`: same file or directory, or `to` reachable by imports. */
  async plausible(from: string, to: string): Promise<boolean> {
    if (from === to || dirOf(from) === dirOf(to)) return true;
    const key = `${from}\u0000${to}`;
    let known = this.reach.get(key);
    if (known === undefined) {
      known = this.graph.dependencyPath(from, to) !== null;
      this.reach.set(key, known);
    }
    return known;
  }

  definitions(name: string): Promise<CodeSymbol[]> {
    let found = this.definitionsByName.get(name);
    if (!found) {
      found = this.code.findSymbol(name, { exact: true }).catch(() => []);
      this.definitionsByName.set(name, found);
    }
    return found;
  }

  private async enclosing(path: string, line: number, qualified: string): Promise<CodeSymbol | undefined> {
    let symbols = this.symbolsByPath.get(path);
    if (!symbols) {
      symbols = this.code.symbols(path).catch(() => []);
      this.symbolsByPath.set(path, symbols);
    }
    let best: CodeSymbol | undefined;
    for (const s of await symbols) {
      if (s.line <= line && line <= s.endLine && qualifiedName(s) === qualified && (!best || s.endLine - s.line < best.endLine - best.line)) best = s;
    }
    return best;
  }

  private async filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
    const out: T[] = [];
    for (const item of items) if (await keep(item)) out.push(item);
    return out;
  }
}

/** Drops string literals and line comments so words inside them are not taken for references. */
function stripNoise(line: string): string {
  return line
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""')
    .replace(/(\/\/|#(?!include)).*$/, '');
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}
