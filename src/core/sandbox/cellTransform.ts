import * as acorn from 'acorn';
import type { CellError } from './sandbox';

/** Bracket nesting above this is refused: QuickJS's recursive parser would exhaust the host stack. */
export const MAX_NESTING = 256;

export type TransformResult =
  | { ok: true; code: string; declared: string[] }
  | { ok: false; error: CellError };

interface Edit {
  pos: number;
  end: number;
  text: string;
  order: number;
}

const PARSE_OPTIONS: acorn.Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
  locations: true,
};

function syntaxError(message: string, line?: number): TransformResult {
  return { ok: false, error: { name: 'SyntaxError', message, line } };
}

/** Deepest bracket nesting, measured on tokens so strings, comments and regexes do not count. */
function maxNesting(code: string): { depth: number; line?: number } {
  let depth = 0;
  let max = 0;
  let line: number | undefined;
  try {
    for (const token of acorn.tokenizer(code, PARSE_OPTIONS)) {
      const label = token.type.label;
      if (label === '(' || label === '[' || label === '{' || label === '${') {
        depth += 1;
        if (depth > max) {
          max = depth;
          line = token.loc?.start.line;
        }
      } else if (label === ')' || label === ']' || label === '}') {
        depth -= 1;
      }
    }
  } catch {
    // Tokenizer errors are reported, with a better message, by the parse that follows.
  }
  return { depth: max, line };
}

function boundNames(pattern: acorn.Pattern, out: Array<{ name: string; node: acorn.Node }>): void {
  switch (pattern.type) {
    case 'Identifier':
      out.push({ name: pattern.name, node: pattern });
      break;
    case 'ObjectPattern':
      for (const prop of pattern.properties) {
        boundNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) boundNames(element, out);
      break;
    case 'RestElement':
      boundNames(pattern.argument, out);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, out);
      break;
    default:
      break;
  }
}

function lineOf(code: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Turns one REPL cell into `(async function () { ... })()` source that QuickJS can evaluate
 * in the shared global scope:
 * - top-level `const`/`let`/`var`/`class` become assignments to globals, so the next cell sees them
 *   and re-running a cell that declares `const x` works;
 * - top-level function declarations stay hoisted and are also copied to globals;
 * - `await` is allowed at top level;
 * - a final expression statement is returned, so the REPL can show its value.
 * Every edit keeps line breaks where they were, so QuickJS line numbers are the model's line numbers.
 */
export function transformCell(code: string, reserved: ReadonlySet<string>, awaited: Readonly<Record<string, string>> = {}): TransformResult {
  const nesting = maxNesting(code);
  if (nesting.depth > MAX_NESTING) {
    return syntaxError(`code is nested too deeply (${nesting.depth} levels, max ${MAX_NESTING})`, nesting.line);
  }
  let program: acorn.Program;
  try {
    program = acorn.parse(code, PARSE_OPTIONS);
  } catch (err) {
    if (err instanceof SyntaxError) {
      const loc = (err as SyntaxError & { loc?: { line: number } }).loc;
      const message = err.message.replace(/\s*\(\d+:\d+\)$/, '');
      return syntaxError(lowerFirst(message), loc?.line);
    }
    return syntaxError('code is nested too deeply to parse');
  }

  const edits: Edit[] = [];
  let order = 0;
  const insert = (pos: number, text: string) => edits.push({ pos, end: pos, text, order: order++ });
  const replace = (pos: number, end: number, text: string) => edits.push({ pos, end, text, order: order++ });
  const declared: Array<{ name: string; node: acorn.Node }> = [];
  const hoisted: string[] = [];

  for (const statement of program.body) {
    if (statement.type === 'VariableDeclaration') {
      const kind = statement.kind;
      if (kind !== 'var' && kind !== 'let' && kind !== 'const') continue;
      replace(statement.start, statement.start + kind.length, ';');
      for (const declarator of statement.declarations) {
        const names: Array<{ name: string; node: acorn.Node }> = [];
        boundNames(declarator.id, names);
        declared.push(...names);
        insert(declarator.start, '(');
        if (declarator.init) insert(declarator.end, ')');
        else if (kind === 'var' && declarator.id.type === 'Identifier') {
          const name = declarator.id.name;
          insert(declarator.end, ` = typeof ${name} === "undefined" ? void 0 : ${name})`);
        } else insert(declarator.end, ' = void 0)');
      }
    } else if (statement.type === 'FunctionDeclaration' && statement.id) {
      declared.push({ name: statement.id.name, node: statement.id });
      hoisted.push(statement.id.name);
    } else if (statement.type === 'ClassDeclaration' && statement.id) {
      declared.push({ name: statement.id.name, node: statement.id });
      insert(statement.start, `;${statement.id.name} = `);
      insert(statement.end, ';');
    }
  }

  for (const { name, node } of declared) {
    if (reserved.has(name)) {
      return {
        ok: false,
        error: {
          name: 'TypeError',
          message: `"${name}" is a built-in of this REPL and cannot be redeclared; choose another name`,
          line: lineOf(code, node.start),
        },
      };
    }
  }

  const last = [...program.body].reverse().find((s) => s.type !== 'EmptyStatement');
  if (last && last.type === 'ExpressionStatement') {
    insert(last.expression.start, 'return (');
    insert(last.expression.end, ')');
  }

  // After every other edit, so that at a shared position these come last in the text (`return ((await …`).
  for (const call of awaitableCalls(program, awaited)) {
    const callee = call.callee as acorn.Identifier;
    insert(callee.start, '(await ');
    replace(callee.start, callee.end, awaited[callee.name]);
    insert(call.end, ')');
  }

  // Apply from the end so earlier offsets stay valid; at one position, earlier edits go first.
  edits.sort((a, b) => b.pos - a.pos || b.order - a.order);
  let body = code;
  for (const edit of edits) body = body.slice(0, edit.pos) + edit.text + body.slice(edit.end);

  const header = hoisted.map((name) => `globalThis.${name} = ${name};`).join(' ');
  const names = [...new Set(declared.map((d) => d.name))];
  return { ok: true, code: `(async function () {${header}${body}\n})()`, declared: names };
}

type AnyNode = acorn.Node & Record<string, unknown>;

function isFunction(node: AnyNode): node is AnyNode & acorn.Function {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/** Every AST node's child nodes (generic over node types: arrays and objects with a `type`). */
function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    if (Array.isArray(value)) for (const v of value) if (v && typeof v === 'object' && typeof v.type === 'string') out.push(v as AnyNode);
    if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') out.push(value as AnyNode);
  }
  return out;
}

/** Names the cell binds anywhere (declarations, parameters, catch clauses, function and class names). */
function bindsAnywhere(program: acorn.Program): Set<string> {
  const bound: Array<{ name: string; node: acorn.Node }> = [];
  const visit = (node: AnyNode): void => {
    if (node.type === 'VariableDeclarator') boundNames((node as unknown as acorn.VariableDeclarator).id, bound);
    else if (node.type === 'CatchClause' && (node as unknown as acorn.CatchClause).param) boundNames((node as unknown as acorn.CatchClause).param!, bound);
    else if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && (node as unknown as acorn.Class).id) bound.push({ name: (node as unknown as acorn.Class).id!.name, node });
    if (isFunction(node)) {
      if (node.id) bound.push({ name: node.id.name, node });
      for (const param of node.params) boundNames(param, bound);
    }
    for (const child of children(node)) visit(child);
  };
  visit(program as unknown as AnyNode);
  return new Set(bound.map((b) => b.name));
}

/**
 * Calls `name(...)` of a helper in `awaited` (a bare identifier the cell never rebinds) where `await` is allowed: at
 * the top of the cell or directly inside an async function, not in parameter defaults. Those run the helper's
 * asynchronous twin, so the host is not held while it works; anywhere else the synchronous helper answers as before.
 */
function awaitableCalls(program: acorn.Program, awaited: Readonly<Record<string, string>>): acorn.CallExpression[] {
  const names = Object.keys(awaited);
  if (names.length === 0) return [];
  const shadowed = bindsAnywhere(program);
  const wanted = new Set(names.filter((n) => !shadowed.has(n)));
  if (wanted.size === 0) return [];
  const found: acorn.CallExpression[] = [];
  const visit = (node: AnyNode, canAwait: boolean): void => {
    if (node.type === 'CallExpression') {
      const call = node as unknown as acorn.CallExpression;
      if (canAwait && !call.optional && call.callee.type === 'Identifier' && wanted.has(call.callee.name)) found.push(call);
    }
    if (isFunction(node)) {
      for (const param of node.params) visit(param as unknown as AnyNode, false);
      visit(node.body as AnyNode, node.async === true);
      return;
    }
    // Class bodies (field initializers, static blocks) never allow await.
    if (node.type === 'ClassBody') {
      for (const child of children(node)) visit(child, false);
      return;
    }
    for (const child of children(node)) visit(child, canAwait);
  };
  visit(program as unknown as AnyNode, true);
  return found;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
