import type { Node, Query, Tree } from 'web-tree-sitter';
import { DefinitionPlan, Scope, definitionMatches } from './skeleton';

/** Symbol kinds, in the order their indexes are stored in compact records. */
export const SYMBOL_KINDS = ['function', 'method', 'class', 'interface', 'type', 'enum', 'struct', 'macro', 'module', 'constant', 'variable'] as const;
export type SymbolKindName = (typeof SYMBOL_KINDS)[number];

/** A symbol as stored and shipped between threads: [name, kind index, line, endLine, container ('' if none), signature]. */
export type SymbolRecord = [string, number, number, number, string, string];

const MAX_SIGNATURE = 200;

const CAPTURE_KIND: Record<string, SymbolKindName> = {
  'definition.function': 'function', 'definition.method': 'method', 'definition.class': 'class',
  'definition.interface': 'interface', 'definition.type': 'type', 'definition.enum': 'enum',
  'definition.struct': 'struct', 'definition.macro': 'macro', 'definition.module': 'module',
  'definition.namespace': 'module', 'definition.constant': 'constant', 'definition.variable': 'variable',
};

const RANK: Record<SymbolKindName, number> = {
  variable: 0, constant: 0, type: 1, class: 1, function: 2, method: 2, interface: 2, enum: 2, struct: 2, macro: 2, module: 2,
};

/** Nodes that make a function inside them a method. */
export const CLASS_LIKE = new Set([
  'class_declaration', 'class_definition', 'class', 'abstract_class_declaration', 'interface_declaration',
  'class_specifier', 'struct_specifier', 'union_specifier', 'struct_declaration', 'record_declaration',
  'enum_declaration', 'trait_item', 'impl_item', 'singleton_class', 'interface_body', 'class_body',
  'object_type', 'type_spec', 'enum_specifier', 'struct_item', 'enum_item', 'union_item',
]);
/** Nodes that name a scope without making functions in them methods. */
export const MODULE_LIKE = new Set(['namespace_definition', 'namespace_declaration', 'internal_module', 'module', 'mod_item']);
/** Every node type that may name a definition's container. */
export const SCOPE_TYPES: ReadonlySet<string> = new Set([...CLASS_LIKE, ...MODULE_LIKE]);

/**
 * Runs a tags query over a parsed file and returns its definitions in source order. Only
 * `@definition.*` captures count; `@name` names them. Duplicates (the same name node captured by
 * several patterns) keep the highest-ranked kind, and among equals the first pattern's, so more
 * specific patterns go first — whatever order the matches come in. `text` is what was parsed;
 * signatures come from `source`, the file as written, when bodies were blanked (same lines).
 */
export function extractSymbols(tree: Tree, query: Query, text: string, language: string, plan?: DefinitionPlan, source = text): SymbolRecord[] {
  // Name node → its record in `out` and the pattern that made it.
  const seen = new Map<number, { at: number; pattern: number; rank: number }>();
  const out: SymbolRecord[] = [];
  // Line starts found as far as a signature needs them (a lookup's region wants a few lines of a large file).
  const lineStarts = [0];
  let scanned = false;
  const lineText = (row: number): string => {
    while (!scanned && lineStarts.length <= row + 1) {
      const i = source.indexOf('\n', lineStarts[lineStarts.length - 1]);
      if (i === -1) scanned = true;
      else lineStarts.push(i + 1);
    }
    const start = lineStarts[row] ?? source.length;
    const end = row + 1 < lineStarts.length ? lineStarts[row + 1] - 1 : source.length;
    const line = source.slice(start, Math.min(end, start + MAX_SIGNATURE * 2)).trim();
    return line.length > MAX_SIGNATURE ? line.slice(0, MAX_SIGNATURE) + '…' : line;
  };
  for (const { match, root, scopes, direct } of definitionMatches(tree, query, text, plan)) {
    let nameNode: Node | null = null;
    let defNode: Node | null = null;
    let kind: SymbolKindName | undefined;
    for (const c of match.captures) {
      if (c.name === 'name') nameNode = c.node;
      else if (CAPTURE_KIND[c.name]) [defNode, kind] = [c.node, CAPTURE_KIND[c.name]];
    }
    if (!nameNode || !defNode || !kind) continue;
    const prior = seen.get(nameNode.startIndex);
    // Ranks of the captured kinds (before refineKind turns a class into a struct, a function into a method).
    const rank = RANK[kind];
    if (prior !== undefined && (rank < prior.rank || (rank === prior.rank && match.patternIndex > prior.pattern))) continue;
    const name = nameNode.text;
    if (!name || name.length > 300) continue;
    // Node types cost a call into the parser each time: read once.
    let defType = defNode.type;
    let def = defNode;
    if (defType === 'function_declarator') {
      def = widen(defNode);
      defType = def.type;
    }
    if (kind === 'variable' && (language === 'c' || language === 'cpp') && /^\s*extern\b/.test(def.text.slice(0, 16))) continue;
    const { container, classLike } = containerOf(def, defType, language, root, scopes, direct);
    kind = refineKind(kind, def, defType, name, classLike, container, language);
    const start = def.startPosition.row;
    const end = def.endPosition.row > start && def.endPosition.column === 0 ? def.endPosition.row - 1 : def.endPosition.row;
    const record: SymbolRecord = [name, SYMBOL_KINDS.indexOf(kind), start + 1, end + 1, container, lineText(nameNode.startPosition.row)];
    if (prior !== undefined) {
      out[prior.at] = record;
      prior.pattern = match.patternIndex;
      prior.rank = rank;
    } else {
      seen.set(nameNode.startIndex, { at: out.length, pattern: match.patternIndex, rank });
      out.push(record);
    }
  }
  // Source order (ties by where the name is), whatever order the matches came in.
  const nameAt = new Map<SymbolRecord, number>();
  for (const [at, { at: i }] of seen) nameAt.set(out[i], at);
  out.sort((a, b) => a[2] - b[2] || a[3] - b[3] || nameAt.get(a)! - nameAt.get(b)!);
  return out;
}

/** A C/C++ function declarator stands for its whole definition. */
function widen(node: Node): Node {
  let n: Node | null = node.parent;
  while (n && (n.type === 'pointer_declarator' || n.type === 'reference_declarator' || n.type === 'parenthesized_declarator')) n = n.parent;
  return n && n.type === 'function_definition' ? n : node;
}

function refineKind(kind: SymbolKindName, def: Node, t: string, name: string, classLike: boolean, container: string, language: string): SymbolKindName {
  if (kind === 'class' || kind === 'type') {
    if (t === 'struct_specifier' || t === 'struct_item' || t === 'union_item' || t === 'struct_declaration' || t === 'union_specifier') return 'struct';
    if (t === 'enum_specifier' || t === 'enum_item' || t === 'enum_declaration') return 'enum';
    if (t === 'trait_item') return 'interface';
  }
  if (kind === 'function' && classLike) return 'method';
  if (kind === 'method' && !classLike && (language === 'rust' || language === 'cpp') && !container) return 'function';
  if (kind === 'method' && language === 'rust' && !classLike) return 'function';
  if (kind === 'variable' || kind === 'constant') {
    if (language === 'python' || language === 'ruby') return /^[A-Z][A-Z0-9_]*$/.test(name) ? 'constant' : 'variable';
    if (language === 'javascript' || language === 'typescript' || language === 'tsx') {
      const decl = t === 'variable_declarator' ? def.parent : def;
      return decl && decl.type === 'lexical_declaration' && decl.text.startsWith('const') ? 'constant' : 'variable';
    }
    if (language === 'java' && kind === 'variable') return /\bstatic\b/.test(def.text.slice(0, 80)) && /\bfinal\b/.test(def.text.slice(0, 80)) ? 'constant' : 'variable';
  }
  return kind;
}

/**
 * The nearest enclosing named scope (class, struct, namespace, impl...), and whether it is
 * class-like. With the node the query ran on (`root`) and the scopes around it from the walk, only
 * the few parents between the definition and that node are asked for.
 */
function containerOf(def: Node, defType: string, language: string, root?: Node, scopes?: readonly Scope[], direct = false): { container: string; classLike: boolean } {
  if (defType === 'method_declaration' && language === 'go') {
    const receiver = def.childForFieldName('receiver');
    const type = receiver?.descendantsOfType('type_identifier')[0];
    return { container: type?.text ?? '', classLike: true };
  }
  // A qualified name (`A::f`) only exists in C++.
  if (defType === 'function_definition' && language === 'cpp') {
    const declarator = findFunctionDeclarator(def);
    const qualified = declarator?.childForFieldName('declarator');
    if (qualified?.type === 'qualified_identifier') {
      const scope = qualified.childForFieldName('scope');
      if (scope) return { container: scope.text, classLike: true };
    }
  }
  if (root && scopes) {
    if (!direct && def.id !== root.id) {
      for (let n = def.parent; n; n = n.parent) {
        const found = scopeName(n, n.type);
        if (found) return found;
        if (n.id === root.id) break;
      }
    }
    for (let i = scopes.length - 1; i >= 0; i--) {
      const found = scopeName(scopes[i].node, scopes[i].type);
      if (found) return found;
    }
    return { container: '', classLike: false };
  }
  for (let n = def.parent; n; n = n.parent) {
    const found = scopeName(n, n.type);
    if (found) return found;
  }
  return { container: '', classLike: false };
}

/** The container an enclosing node `n` of type `t` makes, or undefined to look further out. */
function scopeName(n: Node, t: string): { container: string; classLike: boolean } | undefined {
  const classLike = CLASS_LIKE.has(t);
  if (!classLike && !MODULE_LIKE.has(t)) return undefined;
  // A class body is not the class: its name is one level further out.
  if (t === 'class_body' || t === 'interface_body') return undefined;
  const nameNode = n.childForFieldName('name') ?? n.childForFieldName('type') ?? n.childForFieldName('value');
  if (!nameNode) return t === 'object_type' ? undefined : { container: '', classLike };
  return { container: nameNode.text.slice(0, 200), classLike };
}

function findFunctionDeclarator(def: Node): Node | null {
  let d = def.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  return d;
}
