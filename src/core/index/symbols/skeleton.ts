import type { Language, Node, Query, Tree } from 'web-tree-sitter';
import { anyIn, matchPositions } from './codeSpans';

/**
 * Where definitions can be in a language's tree: the node types a walk goes into (statement
 * containers: modules, class and function bodies, blocks, conditionals), and text that makes any
 * other node worth entering (a function literal inside an expression may hold a local type).
 */
export interface Skeleton {
  descend: string[];
  /**
   * A regular expression: a node outside `descend` is entered when it holds the last character of
   * a match (for `new T(...) {`, the brace, which every node around the class body contains).
   */
  hints?: string;
  /**
   * Containers entered only when they hold a match of `pattern` (anywhere inside): a function body
   * without `def` or `class` in it holds no Python definition, one without `type` or `func` no Go
   * one — most bodies are then never walked statement by statement.
   */
  gate?: { types: string[]; pattern: string };
}

/** An enclosing node that may name a definition's container (see SCOPE_TYPES in extractSymbols.ts). */
export interface Scope {
  node: Node;
  type: string;
}

/**
 * A definition match, and with a plan the node the query ran on and the scope nodes around it
 * (outermost first): what a walk up the parents would find above that node, without the calls.
 */
/** What extraction reads of a match: the query's own, or one made by a simple pattern's fast path. */
export interface DefinitionQueryMatch {
  patternIndex: number;
  captures: { name: string; node: Node }[];
}

export interface DefinitionMatch {
  match: DefinitionQueryMatch;
  root?: Node;
  scopes?: readonly Scope[];
  /** No node between the definition and `root` (nor `root`) can name a container: skip asking for them. */
  direct?: boolean;
}

/** A language's skeleton resolved against its grammar and tags query, by node type id. */
export interface DefinitionPlan {
  /** Types a definition pattern starts at: the query runs on each such node, starting there only. */
  roots: Uint8Array;
  /** 1: entered; 2: entered if the gate matches inside. */
  descend: Uint8Array;
  hints?: RegExp;
  gate?: RegExp;
  /** Node types that may name a container, and every type's name. */
  scopes: Uint8Array;
  names: string[];
  /** Per pattern: 1 if no node type on its path from the root to the definition may name a container. */
  direct: Uint8Array;
  /** Per root type id whose every pattern is simple (see simplePattern): those patterns, checked without the query. */
  simple: (SimplePattern[] | undefined)[];
}

/** `(root field: (type) @name other: (_)) @definition.kind`: one node and its direct fields. */
export interface SimplePattern {
  index: number;
  root: string;
  capture: string;
  /** The field holding the name and the type it must have. */
  nameField: string;
  nameType: string;
  /** Fields that must hold a named child, of this type unless '_'. */
  required: { field: string; type: string; fieldId?: number }[];
  /** Field ids in the grammar, set by definitionPlan. */
  nameFieldId?: number;
}

/**
 * A pattern that is one node with fields holding one node each, or undefined: no predicates,
 * alternations, nesting, quantifiers or anchors.
 */
export function simplePattern(source: string, index: number): SimplePattern | undefined {
  let text = source.replace(/;[^\n]*/g, '').trim();
  // Leading doc comments (`(comment)* @doc .`) and directives over @doc alone: a match that starts
  // at the definition node, as every match here does, has no doc, and they filter nothing.
  text = text.replace(/\(\s*comment\s*\)\s*\*\s*@doc\s*\.?/g, '');
  // Directives (`#...!`) set properties and never filter; a predicate over @doc alone filters nothing either.
  text = text.replace(/\(#[\w-]+!(?:\s+(?:@[\w.]+|"(?:[^"\\]|\\.)*"))*\s*\)/g, '');
  text = text.replace(/\(#[\w-]+\?(?:\s+(?:@doc|"(?:[^"\\]|\\.)*"))*\s*\)/g, '').trim();
  if (text.includes('@doc') || text.includes('#')) return undefined;
  // The group that held them, now around one pattern.
  const group = /^\(\s*(\(.*\)\s*@definition\.[\w.]+)\s*\)$/s.exec(text);
  if (group) text = group[1];
  const m = /^\(\s*([A-Za-z]\w*)((?:\s+[A-Za-z]\w*:\s*\(\s*(?:[A-Za-z]\w*|_)\s*\)(?:\s*@name)?)+)\s*\)\s*@(definition\.[\w.]+)$/.exec(text);
  if (!m) return undefined;
  let nameField: string | undefined;
  let nameType = '';
  const required: { field: string; type: string }[] = [];
  for (const f of m[2].matchAll(/([A-Za-z]\w*):\s*\(\s*([A-Za-z]\w*|_)\s*\)(\s*@name)?/g)) {
    if (f[3]) {
      if (nameField !== undefined || f[2] === '_') return undefined;
      nameField = f[1];
      nameType = f[2];
    } else required.push({ field: f[1], type: f[2] });
  }
  return nameField === undefined ? undefined : { index, root: m[1], capture: m[3], nameField, nameType, required };
}

/** `cursor.nodeTypeId` of an ERROR node (ts_builtin_sym_error as a uint16): always entered. */
const ERROR_ID = 65535;

/**
 * The plan for `query` (definition patterns enabled, the rest disabled), or undefined when a
 * pattern's starting node type cannot be told from its source (a wildcard, an anonymous node):
 * then the whole tree is queried.
 */
export function definitionPlan(language: Language, query: Query, source: string, skeleton: Skeleton | undefined, enabled: (pattern: number) => boolean, scopeTypes: ReadonlySet<string>): DefinitionPlan | undefined {
  if (!skeleton) return undefined;
  const bytes = Buffer.from(source, 'utf8');
  const rootNames = new Set<string>();
  const direct = new Uint8Array(query.patternCount());
  // Per root type: its simple patterns, or null once a pattern starting there is not simple.
  const simpleByRoot = new Map<string, SimplePattern[] | null>();
  for (let i = 0; i < query.patternCount(); i++) {
    if (!enabled(i)) continue;
    const text = bytes.subarray(query.startIndexForPattern(i), query.endIndexForPattern(i)).toString('utf8');
    const roots = patternRoots(text);
    if (!roots) return undefined;
    let simple = roots.length === 1 ? simplePattern(text, i) : undefined;
    if (simple) {
      // Field ids, once: looking a field up by name scans the grammar's field list on every call.
      const ids = [simple.nameField, ...simple.required.map((r) => r.field)].map((f) => language.fields.indexOf(f));
      if (ids.some((id) => id <= 0)) simple = undefined;
      else {
        simple.nameFieldId = ids[0];
        simple.required.forEach((r, k) => (r.fieldId = ids[k + 1]));
      }
    }
    for (const r of roots) {
      rootNames.add(r);
      const known = simpleByRoot.get(r);
      if (known === null) continue;
      if (!simple) simpleByRoot.set(r, null);
      else simpleByRoot.set(r, [...(known ?? []), simple]);
    }
    const path = definitionPath(text);
    if (path && path.every((t) => !scopeTypes.has(t))) direct[i] = 1;
  }
  const descendNames = new Set(skeleton.descend);
  const gated = new Set(skeleton.gate?.types ?? []);
  const count = language.nodeTypeCount;
  const roots = new Uint8Array(Math.max(count, ERROR_ID + 1));
  const descend = new Uint8Array(Math.max(count, ERROR_ID + 1));
  const scopes = new Uint8Array(Math.max(count, ERROR_ID + 1));
  const names: string[] = [];
  const simple: (SimplePattern[] | undefined)[] = [];
  for (let id = 0; id < count; id++) {
    const name = language.nodeTypeForId(id);
    if (!name) continue;
    names[id] = name;
    simple[id] = simpleByRoot.get(name) ?? undefined;
    if (scopeTypes.has(name)) scopes[id] = 1;
    if (rootNames.has(name)) roots[id] = 1;
    if (descendNames.has(name)) descend[id] = gated.has(name) ? 2 : 1;
  }
  descend[ERROR_ID] = 1;
  const hints = skeleton.hints ? new RegExp(skeleton.hints, 'g') : undefined;
  const gate = skeleton.gate ? new RegExp(skeleton.gate.pattern, 'g') : undefined;
  return { roots, descend, hints, gate, scopes, names, direct, simple };
}

/**
 * The definition matches of a tree. With a plan, a cursor walks only the nodes definitions can be
 * in and the query runs on each pattern-root node with `maxStartDepth: 0` — the query cursor
 * otherwise visits every node of the tree (expressions included), which costs a quarter to a third
 * of the parse. Without one, the query runs over the whole tree.
 */
export function definitionMatches(tree: Tree, query: Query, text: string, plan: DefinitionPlan | undefined): DefinitionMatch[] {
  if (!plan) return query.matches(tree.rootNode).map((match) => ({ match }));
  const hintAt = plan.hints ? matchPositions(text, plan.hints, true) : [];
  const gateAt = plan.gate ? matchPositions(text, plan.gate, true) : [];
  const out: DefinitionMatch[] = [];
  const cursor = tree.walk();
  // Per entered node: whether a hint lies inside it (only then are its other children's ranges looked at).
  const hinted: boolean[] = [];
  // Per entered node: whether it went on `scopes`.
  const scoped: boolean[] = [];
  const scopes: Scope[] = [];
  // The scopes as the matches of the current root get them: copied once per change of `scopes`, not per root.
  let around: readonly Scope[] | undefined;
  let hintsHere = hintAt.length > 0;
  try {
    for (;;) {
      const id = cursor.nodeTypeId;
      let node: Node | undefined;
      if (plan.roots[id] === 1) {
        node = cursor.currentNode;
        around ??= scopes.slice();
        const simple = plan.simple[id];
        if (simple) {
          for (const p of simple) for (const match of simpleMatches(node, p, plan.names)) out.push({ match, root: node, scopes: around, direct: plan.direct[p.index] === 1 });
        } else {
          for (const match of query.matches(node, { maxStartDepth: 0 })) out.push({ match, root: node, scopes: around, direct: plan.direct[match.patternIndex] === 1 });
        }
      }
      // A gated container right under the root is always entered: there it is no body but error
      // recovery's doing (a stray block holding the rest of a C file), and may hold anything.
      const descend = plan.descend[id] === 2 && hinted.length <= 1 ? 1 : plan.descend[id];
      let enter = descend === 1;
      let inside = false;
      if (hintsHere || descend === 2) {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        if (hintsHere) inside = anyIn(hintAt, start, end);
        enter ||= inside || (descend === 2 && anyIn(gateAt, start, end));
      }
      if (enter) {
        const scope = plan.scopes[id] === 1;
        if (scope) node ??= cursor.currentNode;
        if (cursor.gotoFirstChild()) {
          hinted.push(hintsHere);
          hintsHere = inside;
          scoped.push(scope);
          if (scope) {
            scopes.push({ node: node!, type: plan.names[id] });
            around = undefined;
          }
          continue;
        }
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
        hintsHere = hinted.pop()!;
        if (scoped.pop()) {
          scopes.pop();
          around = undefined;
        }
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The matches of a simple pattern on `node` (of its root type): one per name child of the right type. */
function simpleMatches(node: Node, p: SimplePattern, names: string[]): DefinitionQueryMatch[] {
  for (const r of p.required) {
    const ok = node.childrenForFieldId(r.fieldId!).some((c) => c.isNamed && (r.type === '_' || names[c.typeId] === r.type));
    if (!ok) return [];
  }
  const out: DefinitionQueryMatch[] = [];
  for (const child of node.childrenForFieldId(p.nameFieldId!)) {
    if (names[child.typeId] !== p.nameType) continue;
    out.push({ patternIndex: p.index, captures: [{ name: 'name', node: child }, { name: p.capture, node }] });
  }
  return out;
}

/**
 * The node types a query pattern can start matching at, read from its source: `(type ...)`, an
 * alternation `[(a) (b)]`, or a group whose first required element is one of those (leading
 * optional siblings such as `(comment)* @doc .` are skipped). Undefined for a wildcard, an
 * anonymous node or anything not understood.
 */
export function patternRoots(source: string): string[] | undefined {
  let i = 0;
  const skipSpace = (): void => {
    for (;;) {
      while (i < source.length && /\s/.test(source[i])) i++;
      if (source[i] !== ';') return;
      while (i < source.length && source[i] !== '\n') i++;
    }
  };
  /** Skips a balanced (...) or [...] or a string, starting at its opening character. */
  const skipBalanced = (): void => {
    let depth = 0;
    for (; i < source.length; i++) {
      const ch = source[i];
      if (ch === '"') {
        for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
      } else if (ch === ';') {
        while (i < source.length && source[i] !== '\n') i++;
      } else if (ch === '(' || ch === '[') depth++;
      else if (ch === ')' || ch === ']') {
        depth--;
        if (depth === 0) {
          i++;
          return;
        }
      }
    }
  };
  /** After an item: its captures and quantifier; true if it may be absent. */
  const suffix = (): boolean => {
    let optional = false;
    for (;;) {
      skipSpace();
      const ch = source[i];
      if (ch === '*' || ch === '?') {
        optional = true;
        i++;
      } else if (ch === '+') i++;
      else if (ch === '@') {
        i++;
        while (i < source.length && /[\w.\-]/.test(source[i])) i++;
      } else return optional;
    }
  };
  const item = (): string[] | undefined => {
    skipSpace();
    const ch = source[i];
    if (ch === '[') {
      i++;
      const all: string[] = [];
      for (;;) {
        skipSpace();
        if (source[i] === ']') {
          i++;
          return all;
        }
        if (i >= source.length) return undefined;
        const r = item();
        if (!r) return undefined;
        suffix();
        all.push(...r);
      }
    }
    if (ch !== '(') return undefined;
    i++;
    skipSpace();
    const next = source[i];
    if (next === '(' || next === '[') {
      // A group of sibling patterns: the first one that must be present starts the match.
      for (;;) {
        skipSpace();
        if (source[i] === ')' || i >= source.length) return undefined;
        if (source[i] === '.') {
          i++;
          continue;
        }
        if (source[i] === '(' && source[i + 1] === '#') {
          skipBalanced();
          continue;
        }
        const r = item();
        if (!r) return undefined;
        // An optional element: the next one starts a match that lacks it.
        if (!suffix()) return r;
      }
    }
    const m = /^[A-Za-z][\w]*/.exec(source.slice(i, i + 200));
    if (!m || source[i + m[0].length] === '/') return undefined;
    i--;
    skipBalanced();
    return [m[0]];
  };
  const roots = item();
  return roots && roots.length > 0 ? roots : undefined;
}

/**
 * The node types a pattern nests its `@definition.*` capture in (outermost first; empty when the
 * capture is on the pattern's own node), or undefined when a wildcard or anything unread is among them.
 */
export function definitionPath(source: string): string[] | undefined {
  // Per open parenthesis: the node type it opens, null for a group or a predicate, '?' for a wildcard.
  const open: (string | null)[] = [];
  let lastClosed: string | null | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === ';') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (ch === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
    } else if (ch === '(') {
      const m = /^\s*([A-Za-z_][\w]*)/.exec(source.slice(i + 1, i + 120));
      open.push(!m ? null : m[1] === '_' || source[i + 1 + m[0].length] === '/' ? '?' : m[1]);
      lastClosed = undefined;
    } else if (ch === ')') {
      lastClosed = open.pop();
    } else if (ch === '@' && source.startsWith('@definition.', i)) {
      // The capture names what just closed: a node, or an alternation `[...]` of nodes.
      const path = open.filter((t): t is string => t !== null);
      if (path.includes('?') || lastClosed === null) return undefined;
      return path;
    } else if (ch === '[' || ch === ']') {
      lastClosed = undefined;
    }
  }
  return undefined;
}
