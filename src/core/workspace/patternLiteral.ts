/**
 * The longest run of characters every match of a regular expression must contain, or undefined
 * when none can be proven (alternation at the top, nothing but classes, ...). Grep looks for it in
 * raw bytes before decoding a file, which is how most files are dismissed without running the regex.
 * Deliberately conservative: groups, classes and escapes other than escaped punctuation end a run.
 */
export function requiredLiteral(source: string, flags = ''): string | undefined {
  const all = requiredLiterals(source, flags);
  let best = '';
  for (const run of all) if (run.length > best.length) best = run;
  return best.length > 0 ? best : undefined;
}

/** Every maximal literal run a match must contain (all of them, in pattern order); empty when none. */
export function requiredLiterals(source: string, flags = ''): string[] {
  const sets = flags.includes('v');
  const runs: string[] = [];
  let run = '';
  let lastWasLiteral = false;
  const endRun = (): void => {
    if (run.length > 0) runs.push(run);
    run = '';
    lastWasLiteral = false;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '|') return [];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) return [];
      if (/[A-Za-z0-9]/.test(next)) {
        endRun();
        i += 2;
        // Skip an escape's argument (\x41, \u0041, \u{1F600}, \p{L}, \cJ, \k<name>, \12) so it
        // isn't taken for literal text.
        if ((next === 'p' || next === 'P' || next === 'u') && source[i] === '{') i = skipPast(source, i, '}');
        else if (next === 'k' && source[i] === '<') i = skipPast(source, i, '>');
        else if (next === 'x') i += /^[0-9A-Fa-f]{2}/.test(source.slice(i, i + 2)) ? 2 : 0;
        else if (next === 'u') i += /^[0-9A-Fa-f]{4}/.test(source.slice(i, i + 4)) ? 4 : 0;
        else if (next === 'c') i += /^[A-Za-z]/.test(source[i] ?? '') ? 1 : 0;
        else if (/[0-9]/.test(next)) while (/[0-9]/.test(source[i] ?? '')) i++;
        continue;
      }
      run += next;
      lastWasLiteral = true;
      i += 2;
      continue;
    }
    if (c === '[') {
      endRun();
      i = skipClass(source, i, sets);
      continue;
    }
    if (c === '(') {
      endRun();
      i = skipGroup(source, i, sets);
      if (i < 0) return [];
      continue;
    }
    if (c === '*' || c === '?' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)))) {
      const quant = c === '{' ? /^\{\d+(,\d*)?\}/.exec(source.slice(i))![0] : c;
      const optional = c === '*' || c === '?' || /^\{0[,}]/.test(quant);
      // The quantifier binds to the last character of the run only.
      if (lastWasLiteral && optional) run = run.slice(0, -1);
      endRun();
      i += quant.length;
      if (source[i] === '?') i++;
      continue;
    }
    if (c === '.' || c === '^' || c === '$' || c === ')' || c === ']' || c === '{' || c === '}') {
      endRun();
      i++;
      continue;
    }
    // Keep surrogate pairs together so a quantifier can't split one.
    const code = source.codePointAt(i)!;
    const ch = String.fromCodePoint(code);
    if (ch.length === 2 && /[*?{]/.test(source[i + 2] ?? '')) {
      endRun();
      i += 2;
      continue;
    }
    run += ch;
    lastWasLiteral = true;
    i += ch.length;
  }
  endRun();
  return runs;
}

// Rough byte frequency in source code, most common first (the scan workers rank bytes the same way).
const COMMON_BYTES = ' \n\te_tsrianoldc;(),.=pu*fm>-hgxb{}/0"1[]SARENITOLCDP2:kvwy\'3&48!+<FMU#G6H5B9|7?%YzVWKXjqZJQ@$~^';

/**
 * How unlikely `literal` is to occur in source code, from its bytes alone (higher is rarer): when
 * several literals are required, the rarest makes the best prefilter — `_init(` over `static`.
 */
export function literalRarity(literal: string): number {
  let score = 0;
  for (const ch of literal) {
    const rank = COMMON_BYTES.indexOf(ch);
    score += Math.log2((rank === -1 ? COMMON_BYTES.length : rank) + 2);
  }
  return score;
}

function skipPast(source: string, i: number, close: string): number {
  const j = source.indexOf(close, i);
  return j < 0 ? source.length : j + 1;
}

/** Index after the class starting at `i`; only the v flag allows nested classes. */
function skipClass(source: string, i: number, nested: boolean): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    const c = source[j];
    if (c === '\\') j++;
    else if (c === '[' && (nested || depth === 0)) depth++;
    else if (c === ']' && --depth === 0) return j + 1;
  }
  return source.length;
}

/** Index after the group starting at `i`, or -1 when unbalanced. */
function skipGroup(source: string, i: number, sets: boolean): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    const c = source[j];
    if (c === '\\') j++;
    else if (c === '[') j = skipClass(source, j, sets) - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return -1;
}
