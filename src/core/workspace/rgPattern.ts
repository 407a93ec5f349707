/**
 * JavaScript regex → ripgrep (Rust regex) pattern that matches at least every line the JavaScript one matches.
 *
 * ripgrep only picks candidate files; the in-process search then decides every match, so the translation
 * may over-match but must never miss. Only constructs whose Rust meaning is the same or wider are
 * translated (literals, \d \w, ASCII word boundaries, positive classes, groups, alternation, quantifiers,
 * anchors widened to JavaScript's line terminators); anything else (`.`, negated classes, \s, lookarounds,
 * back-references, the u/v flags) returns undefined and the caller falls back to a required literal.
 * None of the translated constructs can match a newline, so a line-by-line ripgrep sees every match.
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
/** Class escapes whose Rust (Unicode) meaning includes the JavaScript (ASCII) one. */
const WIDER_CLASS_ESCAPES = new Set(['d', 'w']);

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
          throw new Untranslatable();
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
    if (WIDER_CLASS_ESCAPES.has(c)) return `\\${c}`;
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
    // \n \r, \s \S \D \W, back-references, \0, \c, \k, \p: no translation that is sure to be wider.
    if (/[nrsSDWcpPk0-9]/.test(c)) throw new Untranslatable();
    return c.charCodeAt(0); // an identity escape: the character itself
  }

  /** A positive class of literal characters, ranges, \d and \w. */
  private characterClass(): string {
    if (this.source[this.at] === '^' || this.source[this.at] === ']') throw new Untranslatable();
    const items: string[] = [];
    for (;;) {
      const first = this.classAtom();
      if (first === 'end') break;
      if (typeof first === 'number' && this.source[this.at] === '-' && this.source[this.at + 1] !== ']') {
        this.at++;
        const last = this.classAtom();
        if (typeof last !== 'number' || last < first) throw new Untranslatable();
        if (this.ignoreCase && last > 0x7f) throw new Untranslatable();
        items.push(`${hexChar(first)}-${hexChar(last)}`);
        continue;
      }
      items.push(typeof first === 'number' ? this.classChar(first) : first);
    }
    if (items.length === 0) throw new Untranslatable();
    return `[${items.join('')}]`;
  }

  /** The next class member: a character code, a class escape (as Rust text), or 'end' at `]`. */
  private classAtom(): number | string | 'end' {
    const c = this.source[this.at++];
    if (c === undefined) throw new Untranslatable();
    if (c === ']') return 'end';
    if (c !== '\\') return this.classCode(c.charCodeAt(0));
    const e = this.source[this.at++];
    if (e === undefined) throw new Untranslatable();
    if (WIDER_CLASS_ESCAPES.has(e)) return `\\${e}`;
    if (e === 'b') return 8; // backspace inside a class
    if (e === '-') return 0x2d;
    return this.classCode(this.escapedCode(e));
  }

  /** A class member character: surrogates (halves of a pair in the source) are refused. */
  private classCode(code: number): number {
    if (code >= 0xd800 && code <= 0xdfff) throw new Untranslatable();
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
