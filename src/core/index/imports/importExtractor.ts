/** One import statement as written, before resolution. */
export interface RawImport {
  /** ImportKind. */
  k: 'import' | 'export' | 'require' | 'dynamic' | 'include' | 'use' | 'mod';
  /** The specifier as written: a module path, a dotted Python/Java name, a Rust path, a header name. */
  s: string;
  l: number;
  /** Python `from X import a, b`: the imported names; C: '<' for an angle-bracket include. */
  n?: string[];
}

export type ImportLanguage = 'js' | 'py' | 'go' | 'rs' | 'java' | 'c';

export interface ImportExtractorKit {
  languageOf(path: string): ImportLanguage | undefined;
  extract(text: string, language: ImportLanguage): RawImport[];
  /** `extract` on raw bytes, decoded as latin1 (several times faster than UTF-8 at kernel scale; see below). */
  extractBytes(buf: Buffer, length: number, language: ImportLanguage): RawImport[];
}

/**
 * Lexical import extraction, one regex scan per file: each language's pattern alternates comments,
 * string literals and import forms, so leftmost matching consumes a comment or a string before an
 * import-looking text inside it can match — commented-out imports never count, and no parse is needed.
 * Shared by the main thread and the extraction workers, which evaluate this function's source text
 * (IMPORT_EXTRACTOR_SOURCE); hence one self-contained function referring to nothing outside itself.
 */
export function importExtractorKit(): ImportExtractorKit {
  const BY_EXT: Record<string, ImportLanguage> = {
    ts: 'js', tsx: 'js', mts: 'js', cts: 'js', js: 'js', jsx: 'js', mjs: 'js', cjs: 'js',
    py: 'py', pyi: 'py',
    go: 'go',
    rs: 'rs',
    java: 'java',
    c: 'c', h: 'c', cc: 'c', cpp: 'c', cxx: 'c', 'c++': 'c', hh: 'c', hpp: 'c', hxx: 'c', ipp: 'c', inl: 'c', m: 'c', mm: 'c',
  };

  function languageOf(path: string): ImportLanguage | undefined {
    const slash = path.lastIndexOf('/');
    const dot = path.lastIndexOf('.');
    if (dot <= slash + 1) return undefined;
    return BY_EXT[path.slice(dot + 1).toLowerCase()];
  }

  /** Line numbers for increasing offsets, counting newlines only once overall. */
  function lineCounter(text: string): (offset: number) => number {
    let at = 0;
    let line = 1;
    return (offset: number) => {
      for (let i = text.indexOf('\n', at); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
      at = Math.max(at, offset);
      return line;
    };
  }

  // Groups: 1 quote, 2 spec (import/export … from); 3 quote, 4 spec (side-effect import);
  // 5 require|import, 6 quote, 7 spec (call forms). The export form is told apart by its text.
  const JS =
    /\/\*[\s\S]*?\*\/|\/\/[^\n]*|(?<![.\w$])(?:import\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\*\s*as\s+[\w$]+|\{[^{}]*\})?|export\s+(?:type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^{}]*\}))\s*from\s*(['"])([^'"\n]*)\1|(?<![.\w$])import\s*(['"])([^'"\n]*)\3|(?<![.\w$])(require|import)\s*\(\s*(['"])([^'"\n]*)\6\s*\)|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\[\s\S])*`/g;

  function extractJs(text: string): RawImport[] {
    const out: RawImport[] = [];
    const lineAt = lineCounter(text);
    JS.lastIndex = 0;
    for (let m = JS.exec(text); m; m = JS.exec(text)) {
      if (m[2] !== undefined) out.push({ k: m[0].startsWith('export') ? 'export' : 'import', s: m[2], l: lineAt(m.index) });
      else if (m[4] !== undefined) out.push({ k: 'import', s: m[4], l: lineAt(m.index) });
      else if (m[7] !== undefined) out.push({ k: m[5] === 'require' ? 'require' : 'dynamic', s: m[7], l: lineAt(m.index) });
    }
    return out;
  }

  // Groups: 1 from-module, 2 names; 3 import list.
  const PY =
    /#[^\n]*|[rRbBuUfF]{0,2}(?:'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n#;\\]|\\\r?\n)*)|^[ \t]*import[ \t]+((?:[^\n#;\\]|\\\r?\n)*)/gm;

  function pyNames(list: string): string[] {
    const names: string[] = [];
    for (const part of list.replace(/#[^\n]*/g, '').replace(/[()\\]/g, ' ').split(',')) {
      const name = part.trim().split(/\s+/)[0];
      if (name && /^[\w.*]+$/.test(name)) names.push(name);
    }
    return names;
  }

  function extractPy(text: string): RawImport[] {
    const out: RawImport[] = [];
    const lineAt = lineCounter(text);
    PY.lastIndex = 0;
    for (let m = PY.exec(text); m; m = PY.exec(text)) {
      if (m[1] !== undefined) out.push({ k: 'import', s: m[1], l: lineAt(m.index + m[0].length - m[0].trimStart().length), n: pyNames(m[2]) });
      else if (m[3] !== undefined) {
        const line = lineAt(m.index + m[0].length - m[0].trimStart().length);
        for (const name of pyNames(m[3])) out.push({ k: 'import', s: name, l: line });
      }
    }
    return out;
  }

  // Groups: 1 single import path; 2 the body of an import block.
  const GO = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|`[^`]*`|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\bimport\s*(?:[\w.]+\s+)?"([^"\n]*)"|\bimport\s*\(([^)]*)\)/g;
  const GO_BLOCK = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"([^"\n]*)"/g;

  function extractGo(text: string): RawImport[] {
    const out: RawImport[] = [];
    const lineAt = lineCounter(text);
    GO.lastIndex = 0;
    for (let m = GO.exec(text); m; m = GO.exec(text)) {
      if (m[1] !== undefined) out.push({ k: 'import', s: m[1], l: lineAt(m.index) });
      else if (m[2] !== undefined) {
        const base = m.index + m[0].indexOf('(') + 1;
        GO_BLOCK.lastIndex = 0;
        for (let b = GO_BLOCK.exec(m[2]); b; b = GO_BLOCK.exec(m[2])) {
          if (b[1] !== undefined) out.push({ k: 'import', s: b[1], l: lineAt(base + b.index) });
        }
      }
    }
    return out;
  }

  // Groups: 1 raw-string hashes; 2 `mod x;` name; 3 use tree.
  const RS =
    /\/\/[^\n]*|\/\*[\s\S]*?\*\/|\bb?r(#*)"[\s\S]*?"\1|b?"(?:[^"\\]|\\[\s\S])*"|b?'(?:[^'\\\n]|\\.)'|^[ \t]*(?:#\[[^\]\n]*\][ \t]*)*(?:pub(?:\([^)]*\))?[ \t]+)?mod[ \t]+(\w+)[ \t]*;|(?<![\w:])use\s+([^;{}]*(?:\{[^;]*\})?)\s*;/gm;

  /** `a::{b::{c, d}, e as f, self}` → ['a::b::c', 'a::b::d', 'a::e', 'a']. */
  function useTree(tree: string, prefix: string, out: string[]): void {
    const t = tree.trim();
    const open = t.indexOf('{');
    if (open === -1) {
      const p = t.replace(/\s+as\s+\w+$/, '').replace(/\s+/g, '');
      if (p === 'self') out.push(prefix.replace(/::$/, ''));
      else if (p) out.push(prefix + p);
      return;
    }
    const head = prefix + t.slice(0, open).replace(/\s+/g, '');
    const body = t.slice(open + 1, t.lastIndexOf('}'));
    let depth = 0;
    let start = 0;
    for (let i = 0; i <= body.length; i++) {
      const c = body[i];
      if (c === '{') depth++;
      else if (c === '}') depth--;
      else if ((c === ',' || i === body.length) && depth === 0) {
        if (body.slice(start, i).trim()) useTree(body.slice(start, i), head, out);
        start = i + 1;
      }
    }
  }

  function extractRs(text: string): RawImport[] {
    const out: RawImport[] = [];
    const lineAt = lineCounter(text);
    RS.lastIndex = 0;
    for (let m = RS.exec(text); m; m = RS.exec(text)) {
      if (m[2] !== undefined) out.push({ k: 'mod', s: m[2], l: lineAt(m.index + m[0].length - m[0].trimStart().length) });
      else if (m[3] !== undefined) {
        const paths: string[] = [];
        useTree(m[3].replace(/^::/, ''), '', paths);
        const line = lineAt(m.index);
        for (const p of paths) out.push({ k: 'use', s: p, l: line });
      }
    }
    return out;
  }

  // Groups: 1 `static `; 2 the imported name (possibly ending in .*).
  const JAVA =
    /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|^[ \t]*import[ \t]+(static[ \t]+)?([\w.]+(?:[ \t]*\.[ \t]*\*)?)[ \t]*;/gm;

  function extractJava(text: string): RawImport[] {
    const out: RawImport[] = [];
    const lineAt = lineCounter(text);
    JAVA.lastIndex = 0;
    for (let m = JAVA.exec(text); m; m = JAVA.exec(text)) {
      if (m[2] !== undefined) out.push({ k: 'import', s: m[2].replace(/\s+/g, ''), l: lineAt(m.index + m[0].length - m[0].trimStart().length), n: m[1] ? ['static'] : undefined });
    }
    return out;
  }

  // C is the kernel-scale case, so no full scan: find directive lines, then drop those inside a block comment.
  const C_INCLUDE = /^[ \t]*#[ \t]*(?:include|include_next|import)[ \t]*([<"])([^>"\n]*)[>"]/gm;

  function insideBlockComment(text: string, at: number): boolean {
    const open = text.lastIndexOf('/*', at);
    if (open === -1 || text.lastIndexOf('*/', at) > open) return false;
    // An opener inside a line comment does not open anything.
    const lineStart = text.lastIndexOf('\n', open) + 1;
    return text.lastIndexOf('//', open) < lineStart;
  }

  const C_IF_ZERO = /^[ \t]*#[ \t]*if[ \t]+0+\b/m;
  const C_CONDITIONAL = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b/gm;

  /**
   * Offset ranges compiled out by `#if 0` (up to its `#else`, `#elif` or `#endif`, nested conditionals included).
   * Only files that have an `#if 0` pay for the scan.
   */
  function deadRanges(text: string): [number, number][] {
    if (!C_IF_ZERO.test(text)) return [];
    const ranges: [number, number][] = [];
    // Per open conditional: whether it is an `#if 0` whose dead branch is still running, and where that began.
    const stack: { dead: boolean; from: number }[] = [];
    C_CONDITIONAL.lastIndex = 0;
    for (let m = C_CONDITIONAL.exec(text); m; m = C_CONDITIONAL.exec(text)) {
      if (insideBlockComment(text, m.index)) continue;
      const directive = m[1];
      if (directive === 'if' || directive === 'ifdef' || directive === 'ifndef') {
        const zero = directive === 'if' && /^[ \t]*0+\b/.test(text.slice(C_CONDITIONAL.lastIndex, C_CONDITIONAL.lastIndex + 40));
        // Inside a dead branch every nested conditional is dead anyway; only the outermost `#if 0` opens a range.
        const outerDead = stack.some((c) => c.dead);
        stack.push({ dead: zero && !outerDead, from: m.index });
      } else {
        const top = stack[stack.length - 1];
        if (!top) continue;
        if (top.dead) {
          ranges.push([top.from, m.index]);
          top.dead = false;
        }
        if (directive === 'endif') stack.pop();
      }
    }
    for (const open of stack) if (open.dead) ranges.push([open.from, text.length]);
    return ranges;
  }

  function extractC(text: string): RawImport[] {
    const out: RawImport[] = [];
    if (text.indexOf('#') === -1) return out;
    const lineAt = lineCounter(text);
    const dead = deadRanges(text);
    C_INCLUDE.lastIndex = 0;
    for (let m = C_INCLUDE.exec(text); m; m = C_INCLUDE.exec(text)) {
      if (insideBlockComment(text, m.index)) continue;
      if (dead.some(([from, to]) => m.index > from && m.index < to)) continue;
      out.push({ k: 'include', s: m[2].trim(), l: lineAt(m.index + m[0].length - m[0].trimStart().length), n: m[1] === '<' ? ['<'] : undefined });
    }
    return out;
  }

  function extract(text: string, language: ImportLanguage): RawImport[] {
    switch (language) {
      case 'js':
        return extractJs(text);
      case 'py':
        return extractPy(text);
      case 'go':
        return extractGo(text);
      case 'rs':
        return extractRs(text);
      case 'java':
        return extractJava(text);
      case 'c':
        return extractC(text);
    }
  }

  // Every pattern is ASCII and latin1 maps each byte to one char, so scanning a latin1 view finds the same
  // imports on the same lines; only the few specifiers with non-ASCII bytes are re-decoded as UTF-8.
  function utf8(text: string): string {
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
  }

  function extractBytes(buf: Buffer, length: number, language: ImportLanguage): RawImport[] {
    const found = extract(buf.toString('latin1', 0, length), language);
    for (const r of found) {
      r.s = utf8(r.s);
      if (r.n) r.n = r.n.map(utf8);
    }
    return found;
  }

  return { languageOf, extract, extractBytes };
}

export const IMPORT_EXTRACTOR_SOURCE = importExtractorKit.toString();
