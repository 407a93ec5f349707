/**
 * JavaScript regex → ripgrep (Rust regex) pattern that matches at least every line the JavaScript one matches.
 *
 * A grep match is a line (without its terminator) that the JavaScript pattern matches; ripgrep only proposes
 * lines, and each is judged by the JavaScript pattern, so the translation may over-match but must never miss.
 * Every construct becomes its Rust equivalent or something wider: \d \w as Unicode classes, \s with U+FEFF added,
 * \b as an ASCII boundary, anchors widened to JavaScript's other line terminators, and wherever JavaScript may
 * match a character Rust would not (`.`, negated classes, \S \W \D) an alternative of 1–4 bytes ≥ 0x80, which
 * covers any non-ASCII character and any invalid byte (U+FFFD to JavaScript) — a JavaScript `.` may even match half
 * of a surrogate pair. Lookarounds, back-references and the u/v flags are not translated (undefined: the caller
 * falls back to a required literal).
 */
export function rgPattern(source: string, flags: string): string | undefined {
  if (/[uv]/.test(flags)) return undefined;
  const ignoreCase = flags.includes('i');
  try {
    const body = new Translator(source, ignoreCase).pattern();
    return ignoreCase ? `(?i)${body}` : body;
  } catch (error) {
    if (error instanceof Untranslatable) return undefined;
    throw error;
  }
}

class Untranslatable extends Error {}

const LINE_BREAKS = '[\\r\\x{2028}\\x{2029}]';
/** Any non-ASCII character, or up to 4 bytes that are not UTF-8: what JavaScript may match where Rust may not. */
const NON_ASCII = '(?-u:[\\x80-\\xFF]){1,4}';
/** Class escapes as Rust class members that match at least as much (on ASCII exactly as much). */
const CLASS_ESCAPES: Record<string, string> = { d: '\\d', w: '\\w', s: '\\s\\x{feff}' };
/** Negated class escapes: the same on ASCII; anything else is left to the NON_ASCII alternative. */
const NEGATED_ESCAPES = new Set(['D', 'W', 'S']);
/** Exact equivalents for members of a negated class (widening there would narrow the class). */
const EXACT_CLASS_ESCAPES: Record<string, string> = {
  d: '0-9',
  w: 'A-Za-z0-9_',
  s: '\\t\\n\\x{b}\\x{c}\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}',
};

class Translator {
  private at = 0;

  constructor(
    private readonly source: string,
    private readonly ignoreCase: boolean,
  ) {}

  pattern(): string {
    let out = '';
    let depth = 0;
    while (this.at < this.source.length) {
      const c = this.source[this.at++];
      switch (c) {
        case '\\':
          out += this.escape();
          break;
        case '[':
          out += this.characterClass();
          break;
        case '(':
          out += this.groupOpening();
          depth++;
          break;
        case ')':
          if (depth-- === 0) throw new Untranslatable();
          out += ')';
          break;
        case '|':
          out += '|';
          break;
        case '^':
          out += `(?:^|${LINE_BREAKS})`;
          break;
        case '$':
          out += `(?:$|${LINE_BREAKS})`;
          break;
        case '*':
        case '+':
        case '?':
          out += c;
          break;
        case '{':
          out += this.braces();
          break;
        case '.':
          out += `(?:.|${NON_ASCII})`;
          break;
        default:
          out += this.literal(c.codePointAt(0)!, c);
      }
    }
    if (depth !== 0) throw new Untranslatable();
    return out;
  }

  /** A `{n}`, `{n,}` or `{n,m}` quantifier, or (Annex B) a literal brace. */
  private braces(): string {
    const rest = this.source.slice(this.at);
    const quantifier = /^(\d{1,4})(,(\d{0,4}))?\}/.exec(rest);
    if (!quantifier) return this.literal(0x7b, '{');
    this.at += quantifier[0].length;
    return `{${quantifier[0]}`;
  }

  private groupOpening(): string {
    if (this.source[this.at] !== '?') return '(';
    const rest = this.source.slice(this.at);
    if (rest.startsWith('?:')) {
      this.at += 2;
      return '(?:';
    }
    const named = /^\?<([A-Za-z_$][\w$]*)>/.exec(rest);
    if (named) {
      this.at += named[0].length;
      return '(';
    }
    throw new Untranslatable(); // lookarounds
  }

  /** An escape outside a class. */
  private escape(): string {
    const c = this.source[this.at++];
    if (c === undefined) throw new Untranslatable();
    if (c === 'b') return '(?-u:\\b)';
    if (c === 'B') return '(?-u:\\B)';
    if (c in CLASS_ESCAPES) return `[${CLASS_ESCAPES[c]}]`;
    if (NEGATED_ESCAPES.has(c)) return `(?:\\${c}|${NON_ASCII})`;
    const code = this.escapedCode(c);
    return this.literal(code, String.fromCharCode(code));
  }

  /** The character an escape stands for (inside or outside a class), or Untranslatable. */
  private escapedCode(c: string): number {
    switch (c) {
      case 't':
        return 9;
      case 'v':
        return 11;
      case 'f':
        return 12;
      case 'x': {
        const hex = /^[0-9a-fA-F]{2}/.exec(this.source.slice(this.at));
        if (!hex) return 0x78; // Annex B: `\x` not followed by two hex digits is 'x'
        this.at += 2;
        return parseInt(hex[0], 16);
      }
      case 'u': {
        const hex = /^[0-9a-fA-F]{4}/.exec(this.source.slice(this.at));
        if (!hex) return 0x75;
        this.at += 4;
        return parseInt(hex[0], 16);
      }
    }
    // \n \r, back-references, \0, \c, \k, \p: no translation that is sure to be wider.
    if (/[nrsSDWcpPk0-9]/.test(c)) throw new Untranslatable();
    return c.charCodeAt(0); // an identity escape: the character itself
  }

  /**
   * A class. Positive: its members, class escapes widened, and the NON_ASCII alternative when a negated escape is
   * among them. Negated: its members exactly (escapes as their ranges, \s as JavaScript's whitespace), with the
   * NON_ASCII alternative beside it for everything outside ASCII.
   */
  private characterClass(): string {
    const negated = this.source[this.at] === '^';
    if (negated) this.at++;
    if (this.source[this.at] === ']') throw new Untranslatable(); // [] and [^]: no Rust spelling
    const items: string[] = [];
    let wide = negated;
    for (;;) {
      const first = this.classAtom(negated);
      if (first === 'end') break;
      if (typeof first === 'number' && this.source[this.at] === '-' && this.source[this.at + 1] !== ']') {
        this.at++;
        const last = this.classAtom(negated);
        if (typeof last !== 'number' || last < first) throw new Untranslatable();
        if (this.ignoreCase && last > 0x7f) throw new Untranslatable();
        items.push(`${hexChar(first)}-${hexChar(last)}`);
        continue;
      }
      if (typeof first === 'string' && first.startsWith('!')) {
        wide = true;
        items.push(first.slice(1));
        continue;
      }
      items.push(typeof first === 'number' ? this.classChar(first) : first);
    }
    if (items.length === 0) throw new Untranslatable();
    const cls = `[${negated ? '^' : ''}${items.join('')}]`;
    return wide ? `(?:${cls}|${NON_ASCII})` : cls;
  }

  /**
   * The next class member: a character code, a class escape as Rust text (prefixed with '!' when the class then
   * needs the NON_ASCII alternative), or 'end' at `]`.
   */
  private classAtom(negated: boolean): number | string | 'end' {
    const c = this.source[this.at++];
    if (c === undefined) throw new Untranslatable();
    if (c === ']') return 'end';
    if (c !== '\\') return this.classCode(c.charCodeAt(0), negated);
    const e = this.source[this.at++];
    if (e === undefined) throw new Untranslatable();
    if (e in CLASS_ESCAPES) return negated ? EXACT_CLASS_ESCAPES[e] : CLASS_ESCAPES[e];
    if (NEGATED_ESCAPES.has(e)) {
      if (negated) throw new Untranslatable(); // [^\S]: a double negation, rare enough
      return `!\\${e}`;
    }
    if (e === 'b') return 8; // backspace inside a class
    if (e === '-') return 0x2d;
    if (negated && (e === 'n' || e === 'r')) return e === 'n' ? 10 : 13;
    return this.classCode(this.escapedCode(e), negated);
  }

  /** A class member character: surrogates (halves of a pair in the source) are refused. */
  private classCode(code: number, negated: boolean): number {
    if (code >= 0xd800 && code <= 0xdfff) throw new Untranslatable();
    // A negated class may list \n, \r or non-ASCII characters: excluding them is exact, and NON_ASCII is beside it.
    if (negated && (code === 10 || code === 13 || code > 0x7f)) return code;
    return this.checked(code);
  }

  private classChar(code: number): string {
    return hexChar(code);
  }

  /** A literal character, written so Rust reads it as itself whatever it is. */
  private literal(code: number, text: string): string {
    this.checked(code);
    // A UTF-16 surrogate pair in the source is one character to Rust.
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = this.source.charCodeAt(this.at);
      if (!(low >= 0xdc00 && low <= 0xdfff)) throw new Untranslatable();
      this.at++;
      const point = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
      if (this.ignoreCase) throw new Untranslatable();
      return hexChar(point);
    }
    return /^[A-Za-z0-9_ ]$/.test(text) ? text : hexChar(code);
  }

  /** Refuses what a line search cannot see or what may fold differently. */
  private checked(code: number): number {
    if (code === 10 || code === 13 || code === 0xfffd) throw new Untranslatable();
    if (code >= 0xdc00 && code <= 0xdfff) throw new Untranslatable(); // a lone low surrogate
    if (this.ignoreCase && code > 0x7f) throw new Untranslatable();
    return code;
  }
}

function hexChar(code: number): string {
  return `\\x{${code.toString(16)}}`;
}
