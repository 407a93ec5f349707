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
}

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
  },
  c: { id: 'c', pkg: 'tree-sitter-c', wasm: 'tree-sitter-c.wasm', tags: [], extra: C_EXTRA },
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
