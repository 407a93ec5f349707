import type { Skeleton } from './skeleton';

/**
 * The languages the symbol index parses: which grammar .wasm and tags.scm each uses, and the extra
 * definition patterns the shipped tags.scm lack (constants, macros, structs, enums, namespaces...).
 * Extra patterns come first: on a definition captured twice, the first (more specific) kind wins.
 */
export interface LanguageSpec {
  id: string;
  /** npm package and the .wasm file inside it. */
  pkg: string;
  wasm: string;
  /** Packages whose queries/tags.scm apply, in order (TypeScript builds on JavaScript's). */
  tags: string[];
  extra: string;
  /**
   * Where definitions can be (see skeleton.ts): the extractor walks these nodes instead of querying
   * every node of the tree. Languages without one (definitions deep inside expressions are common
   * in JavaScript, Ruby, Rust...) query the whole tree.
   */
  skeleton?: Skeleton;
}

const PYTHON_SKELETON: Skeleton = {
  // Expressions (lambdas included) cannot hold a def or a class: nothing else needs entering.
  descend: ['module', 'class_definition', 'function_definition', 'decorated_definition', 'block', 'if_statement', 'elif_clause', 'else_clause',
    'for_statement', 'while_statement', 'try_statement', 'except_clause', 'finally_clause', 'with_statement', 'match_statement', 'case_clause'],
  // Class-body assignments are matched by the query on the class itself; blocks hold nothing else without a def or a class.
  gate: {
    types: ['block', 'if_statement', 'elif_clause', 'else_clause', 'for_statement', 'while_statement', 'try_statement', 'except_clause',
      'finally_clause', 'with_statement', 'match_statement', 'case_clause'],
    pattern: '\\b(?:def|class)\\b',
  },
};

const GO_SKELETON: Skeleton = {
  descend: ['source_file', 'function_declaration', 'method_declaration', 'func_literal', 'block', 'statement_list', 'if_statement', 'for_statement',
    'expression_switch_statement', 'type_switch_statement', 'select_statement', 'expression_case', 'default_case', 'type_case', 'communication_case',
    'labeled_statement', 'type_declaration', 'type_spec', 'type_alias', 'interface_type', 'struct_type', 'field_declaration_list', 'field_declaration'],
  // A function literal inside an expression or a declaration may declare local types.
  hints: '\\bfunc\\b',
  // Top-level consts and vars are matched by the query on the file itself: a body matters only for a local type or a literal.
  gate: { types: ['block'], pattern: '\\b(?:type|func)\\b' },
};

const JAVA_SKELETON: Skeleton = {
  descend: ['program', 'class_declaration', 'class_body', 'interface_declaration', 'interface_body', 'enum_declaration', 'enum_body', 'enum_body_declarations',
    'enum_constant', 'record_declaration', 'annotation_type_declaration', 'annotation_type_body', 'method_declaration', 'constructor_declaration',
    'compact_constructor_declaration', 'constructor_body', 'block', 'static_initializer', 'if_statement', 'for_statement', 'enhanced_for_statement',
    'while_statement', 'do_statement', 'try_statement', 'try_with_resources_statement', 'catch_clause', 'finally_clause', 'switch_expression',
    'switch_block', 'switch_block_statement_group', 'switch_rule', 'synchronized_statement', 'labeled_statement'],
  // Anonymous classes (`new T(...) {`) and lambda bodies (`-> {`) inside expressions and field initializers.
  hints: '\\bnew\\s[^;{}]*\\{|->\\s*\\{',
  // A method body matters only for a local class, interface, enum or record, an anonymous class or a lambda body.
  gate: { types: ['block', 'constructor_body'], pattern: '\\b(?:class|interface|enum|record)\\b|\\bnew\\s[^;{}]*\\{|->\\s*\\{' },
};

const C_SKELETON: Skeleton = {
  descend: ['translation_unit', 'function_definition', 'compound_statement', 'declaration', 'type_definition', 'struct_specifier', 'union_specifier',
    'enum_specifier', 'field_declaration_list', 'field_declaration', 'enumerator_list', 'if_statement', 'else_clause', 'for_statement', 'while_statement',
    'do_statement', 'switch_statement', 'case_statement', 'labeled_statement', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif',
    'preproc_elifdef', 'linkage_specification', 'declaration_list', 'attributed_statement'],
  // GNU statement expressions; struct, union and enum bodies in an expression (a macro's argument, a cast).
  hints: '\\(\\{|\\b(?:struct|union|enum)(?:\\s+\\w+){1,2}\\s*\\{',
  // A function body matters only for a macro, a typedef, a struct, union or enum body, or a statement expression;
  // a declaration, a field or a typedef only for a struct, union or enum body.
  gate: { types: ['compound_statement', 'declaration', 'field_declaration', 'type_definition'], pattern: '#\\s*define\\b|\\btypedef\\b|\\b(?:struct|union|enum)(?:\\s+\\w+){0,2}\\s*\\{|\\(\\{' },
};

const C_EXTRA = `
(preproc_def name: (identifier) @name) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
(enumerator name: (identifier) @name) @definition.constant
(type_definition declarator: (type_identifier) @name) @definition.type
(type_definition declarator: (pointer_declarator declarator: (type_identifier) @name)) @definition.type
(type_definition declarator: (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name)))) @definition.type
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(function_definition declarator: (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))) @definition.function
(translation_unit (declaration declarator: [
  (identifier) @name
  (init_declarator declarator: (identifier) @name)
  (init_declarator declarator: (array_declarator declarator: (identifier) @name))
  (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
  (array_declarator declarator: (identifier) @name)
  (pointer_declarator declarator: (identifier) @name)
]) @definition.variable)
`;

const CPP_EXTRA = `${C_EXTRA}
(declaration_list (declaration declarator: [
  (identifier) @name
  (init_declarator declarator: (identifier) @name)
]) @definition.variable)
(namespace_definition name: (namespace_identifier) @name) @definition.module
(class_specifier name: (type_identifier) @name body: (_)) @definition.class
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (identifier) @name))) @definition.method
(function_definition declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method
(function_definition declarator: (reference_declarator (function_declarator declarator: [(identifier) (field_identifier) (qualified_identifier name: (identifier))] @name))) @definition.function
(alias_declaration name: (type_identifier) @name) @definition.type
`;

const JS_EXTRA = `
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @definition.variable)
(program (variable_declaration (variable_declarator name: (identifier) @name)) @definition.variable)
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name)) @definition.variable))
(program (export_statement declaration: (variable_declaration (variable_declarator name: (identifier) @name)) @definition.variable))
`;

const TS_EXTRA = `${JS_EXTRA}
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: (identifier) @name) @definition.module
(interface_declaration name: (type_identifier) @name) @definition.interface
`;

export const LANGUAGES: Record<string, LanguageSpec> = {
  typescript: { id: 'typescript', pkg: 'tree-sitter-typescript', wasm: 'tree-sitter-typescript.wasm', tags: ['tree-sitter-javascript', 'tree-sitter-typescript'], extra: TS_EXTRA },
  tsx: { id: 'tsx', pkg: 'tree-sitter-typescript', wasm: 'tree-sitter-tsx.wasm', tags: ['tree-sitter-javascript', 'tree-sitter-typescript'], extra: TS_EXTRA },
  javascript: { id: 'javascript', pkg: 'tree-sitter-javascript', wasm: 'tree-sitter-javascript.wasm', tags: ['tree-sitter-javascript'], extra: JS_EXTRA },
  python: {
    id: 'python', pkg: 'tree-sitter-python', wasm: 'tree-sitter-python.wasm', tags: ['tree-sitter-python'],
    extra: `
(class_definition body: (block (expression_statement (assignment left: (identifier) @name)) @definition.variable))
(module (expression_statement (assignment left: (identifier) @name) @definition.variable))
`,
    skeleton: PYTHON_SKELETON,
  },
  go: {
    id: 'go', pkg: 'tree-sitter-go', wasm: 'tree-sitter-go.wasm', tags: ['tree-sitter-go'],
    extra: `
(package_clause (package_identifier) @name) @definition.module
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_alias name: (type_identifier) @name) @definition.type
(method_elem name: (field_identifier) @name) @definition.method
(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @definition.variable))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @definition.variable)))
`,
    skeleton: GO_SKELETON,
  },
  rust: {
    id: 'rust', pkg: 'tree-sitter-rust', wasm: 'tree-sitter-rust.wasm', tags: ['tree-sitter-rust'],
    extra: `
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(type_item name: (type_identifier) @name) @definition.type
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.variable
(function_signature_item name: (identifier) @name) @definition.method
`,
  },
  java: {
    id: 'java', pkg: 'tree-sitter-java', wasm: 'tree-sitter-java.wasm', tags: ['tree-sitter-java'],
    extra: `
(package_declaration [(identifier) (scoped_identifier)] @name) @definition.module
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(annotation_type_declaration name: (identifier) @name) @definition.interface
(constructor_declaration name: (identifier) @name) @definition.method
(enum_constant name: (identifier) @name) @definition.constant
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.variable
(constant_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.constant
`,
    skeleton: JAVA_SKELETON,
  },
  c: { id: 'c', pkg: 'tree-sitter-c', wasm: 'tree-sitter-c.wasm', tags: [], extra: C_EXTRA, skeleton: C_SKELETON },
  cpp: { id: 'cpp', pkg: 'tree-sitter-cpp', wasm: 'tree-sitter-cpp.wasm', tags: [], extra: CPP_EXTRA },
  csharp: {
    id: 'csharp', pkg: 'tree-sitter-c-sharp', wasm: 'tree-sitter-c_sharp.wasm', tags: ['tree-sitter-c-sharp'],
    extra: `
(struct_declaration name: (identifier) @name) @definition.struct
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(delegate_declaration name: (identifier) @name) @definition.type
(constructor_declaration name: (identifier) @name) @definition.method
(property_declaration name: (identifier) @name) @definition.variable
(file_scoped_namespace_declaration name: [(identifier) (qualified_name)] @name) @definition.module
(namespace_declaration name: (qualified_name) @name) @definition.module
(enum_member_declaration name: (identifier) @name) @definition.constant
`,
  },
  ruby: {
    id: 'ruby', pkg: 'tree-sitter-ruby', wasm: 'tree-sitter-ruby.wasm', tags: ['tree-sitter-ruby'],
    extra: `
(assignment left: (constant) @name) @definition.constant
`,
  },
};

const BY_EXTENSION: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'tsx',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  py: 'python', pyi: 'python', pyw: 'python',
  go: 'go', rs: 'rust', java: 'java',
  c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', 'c++': 'cpp', hh: 'cpp', hpp: 'cpp', hxx: 'cpp', ipp: 'cpp', inl: 'cpp',
  cs: 'csharp',
  rb: 'ruby', rake: 'ruby', gemspec: 'ruby',
};

/** The grammar a file is indexed with ('typescript', 'tsx', 'c'...), or undefined if none. */
export function indexedLanguage(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return name === 'rakefile' || name === 'gemfile' ? 'ruby' : undefined;
  if (name.endsWith('.d.ts')) return 'typescript';
  return BY_EXTENSION[name.slice(dot + 1)];
}

/** Glob of every file extension indexed as one of `languages`. */
export function extensionGlob(languages: readonly string[]): string {
  const exts = Object.keys(BY_EXTENSION).filter((e) => languages.includes(BY_EXTENSION[e]));
  // A brace list of one is not an alternation to the glob matcher.
  return exts.length === 1 ? `**/*.${exts[0]}` : `**/*.{${exts.join(',')}}`;
}
