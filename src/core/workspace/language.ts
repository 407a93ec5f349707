/** Language of a file, from its name alone (content sniffing would cost a read per file at load). */

const BY_EXTENSION: Record<string, string> = {
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  py: 'python', pyi: 'python', pyw: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', 'c++': 'cpp', hh: 'cpp', hpp: 'cpp', hxx: 'cpp', ipp: 'cpp', inl: 'cpp',
  cs: 'csharp', csx: 'csharp',
  rb: 'ruby', rake: 'ruby', gemspec: 'ruby',
  php: 'php', phtml: 'php',
  swift: 'swift',
  kt: 'kotlin', kts: 'kotlin',
  scala: 'scala', sc: 'scala',
  sh: 'shell', bash: 'shell', zsh: 'shell', fish: 'shell', ksh: 'shell',
  ps1: 'powershell', psm1: 'powershell',
  md: 'markdown', markdown: 'markdown', mdx: 'markdown',
  rst: 'restructuredtext',
  json: 'json', jsonc: 'json', json5: 'json',
  yaml: 'yaml', yml: 'yaml',
  toml: 'toml',
  html: 'html', htm: 'html', xhtml: 'html',
  xml: 'xml', xsd: 'xml', xsl: 'xml', svg: 'xml', plist: 'xml',
  css: 'css', scss: 'scss', sass: 'scss', less: 'less',
  sql: 'sql',
  mk: 'makefile', mak: 'makefile',
  dockerfile: 'dockerfile',
  txt: 'text', text: 'text', log: 'text',
  vue: 'vue', svelte: 'svelte',
  dart: 'dart', lua: 'lua', pl: 'perl', pm: 'perl', r: 'r', jl: 'julia',
  ex: 'elixir', exs: 'elixir', erl: 'erlang', hs: 'haskell', ml: 'ocaml', mli: 'ocaml',
  clj: 'clojure', cljs: 'clojure', fs: 'fsharp', fsx: 'fsharp', zig: 'zig', nim: 'nim',
  m: 'objective-c', mm: 'objective-cpp', s: 'assembly', asm: 'assembly',
  proto: 'protobuf', graphql: 'graphql', gql: 'graphql', tf: 'terraform', hcl: 'hcl',
  ini: 'ini', cfg: 'ini', conf: 'ini', properties: 'ini',
  gradle: 'groovy', groovy: 'groovy', cmake: 'cmake', bat: 'batch', cmd: 'batch',
  tex: 'latex', csv: 'csv', tsv: 'csv', dts: 'devicetree', dtsi: 'devicetree', kconfig: 'kconfig',
};

const BY_NAME: Record<string, string> = {
  makefile: 'makefile', gnumakefile: 'makefile', kbuild: 'makefile',
  dockerfile: 'dockerfile', containerfile: 'dockerfile',
  'cmakelists.txt': 'cmake',
  gemfile: 'ruby', rakefile: 'ruby', podfile: 'ruby',
  jenkinsfile: 'groovy',
  kconfig: 'kconfig',
  'readme': 'text', license: 'text', copying: 'text', authors: 'text', changelog: 'text',
  '.bashrc': 'shell', '.zshrc': 'shell', '.profile': 'shell',
  '.gitignore': 'ignore', '.dockerignore': 'ignore', '.recurseignore': 'ignore', '.npmignore': 'ignore',
  '.editorconfig': 'ini', '.gitattributes': 'ini',
};

/** e.g. 'src/a.ts' → 'typescript'; 'Makefile' → 'makefile'; unknown → 'other'. */
export function detectLanguage(filePath: string): string {
  const slash = filePath.lastIndexOf('/');
  const name = filePath.slice(slash + 1).toLowerCase();
  const byName = BY_NAME[name];
  if (byName) return byName;
  if (name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'dockerfile';
  if (name.startsWith('makefile.')) return 'makefile';
  if (name.startsWith('kconfig.')) return 'kconfig';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'other';
  return BY_EXTENSION[name.slice(dot + 1)] ?? 'other';
}
