/**
 * The Python layout (pythonRegions.ts `pythonLayout`) as a small WebAssembly function, assembled
 * here from its instructions (no toolchain, nothing downloaded or committed as a binary). A
 * lookup in a fresh process lays out megabytes of Python once: the JavaScript loop runs a few
 * times slower while V8 is still compiling it than once it is warm, whereas WebAssembly runs at
 * full speed from its first call. Same rules, same results (a test compares both on every line of
 * real trees); `pythonLayout` stays the reference and the fallback.
 *
 * The text goes in as UTF-16 code units, so every position is a string index, as in JavaScript.
 */

import type { Layout } from './pythonRegions';

// ---- A minimal assembler: expressions are byte arrays, composed.
type Code = number[];
const I32 = 0x7f;
const uleb = (n: number): Code => {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): Code => {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const name = (s: string): Code => vec([...s].map((ch) => [ch.charCodeAt(0)]));

const c = (n: number): Code => [0x41, ...sleb(n)];
const get = (l: number): Code => [0x20, ...uleb(l)];
const set = (l: number, v: Code): Code => [...v, 0x21, ...uleb(l)];
const gget = (g: number): Code => [0x23, ...uleb(g)];
const gset = (g: number, v: Code): Code => [...v, 0x24, ...uleb(g)];
const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, op];
const eq = bin(0x46);
const ne = bin(0x47);
const lts = bin(0x48);
const ltu = bin(0x49);
const ges = bin(0x4e);
const geu = bin(0x4f);
const add = bin(0x6a);
const sub = bin(0x6b);
const and = bin(0x71);
const or = bin(0x72);
const shl = bin(0x74);
const eqz = (a: Code): Code => [...a, 0x45];
const call = (f: number, ...args: Code[]): Code => [...args.flat(), 0x10, ...uleb(f)];
/** The text starts after a 128-byte table of the ASCII characters the layout acts on. */
const TEXT = 128;
const load16 = (addr: Code): Code => [...addr, 0x2f, 1, ...uleb(TEXT)];
const load8 = (addr: Code): Code => [...addr, 0x2d, 0, 0];
/** The code unit at x, read directly: x is below the length, or at most 3 past it (zeros there). */
const unit = (x: Code): Code => load16(shl(x, c(1)));
const store32 = (addr: Code, v: Code): Code => [...addr, ...v, 0x36, 2, 0];
const store8 = (addr: Code, v: Code): Code => [...addr, ...v, 0x3a, 0, 0];
const iff = (cond: Code, then: Code[], otherwise?: Code[]): Code =>
  [...cond, 0x04, 0x40, ...then.flat(), ...(otherwise ? [0x05, ...otherwise.flat()] : []), 0x0b];
/** while (cond) body — no break or continue inside. */
const whileDo = (cond: Code, body: Code[]): Code => [0x02, 0x40, 0x03, 0x40, ...eqz(cond), 0x0d, 1, ...body.flat(), 0x0c, 0, 0x0b, 0x0b];
const ret = (v: Code): Code => [...v, 0x0f];
const inc = (l: number, by = 1): Code => set(l, add(get(l), c(by)));

// Globals.
const G_LEN = 0, G_LS = 1, G_IND = 2, G_ST = 3, G_SP = 4, G_COUNT = 5, G_NSPANS = 6, G_MAXLINES = 7, G_MAXSPANS = 8, G_OVERFLOW = 9, G_BALANCED = 10;
const GLOBALS = 11;
// Functions: 0 cu(x), 1 rec(k), 2 mark(l), 3 span(from, end), 4 layout(...), 5 spans(), 6 balanced().
const F_CU = 0, F_REC = 1, F_MARK = 2, F_SPAN = 3;

/** The code unit at x, or -1 past the end. */
const cuBody = (): Code => {
  const X = 0;
  return [...iff(geu(get(X), gget(G_LEN)), [ret(c(-1))]), ...ret(unit(get(X)))];
};
const cu = (x: Code): Code => call(F_CU, x);

/** A newline at k: the line after it starts at k + 1, unless that is the end. */
const recBody = (): Code => {
  const K = 0;
  const at = (base: number, scale: number): Code => add(gget(base), shl(gget(G_COUNT), c(scale)));
  return [
    ...iff(ltu(add(get(K), c(1)), gget(G_LEN)), [
      iff(geu(gget(G_COUNT), gget(G_MAXLINES)), [gset(G_OVERFLOW, c(1))], [
        store32(at(G_LS, 2), add(get(K), c(1))),
        store32(at(G_IND, 2), c(0)),
        store8(add(gget(G_ST), gget(G_COUNT)), c(0)),
        gset(G_COUNT, add(gget(G_COUNT), c(1))),
      ]),
    ]),
  ];
};

/** Marks line l: a logical line starts there (with its indentation) unless blank or a comment; -1 for a tab or a form feed. */
const markBody = (): Code => {
  const L = 0, I = 1, CH = 2, AT = 3;
  return [
    ...set(AT, [...add(gget(G_LS), shl(get(L), c(2))), 0x28, 2, 0]),
    ...set(I, get(AT)),
    ...whileDo(eq(cu(get(I)), c(32)), [inc(I)]),
    ...set(CH, cu(get(I))),
    ...iff(or(eq(get(CH), c(9)), eq(get(CH), c(12))), [store32(add(gget(G_IND), shl(get(L), c(2))), c(-1)), [0x0f]]),
    ...iff(or(or(eq(get(CH), c(-1)), eq(get(CH), c(10))), or(eq(get(CH), c(13)), eq(get(CH), c(35)))), [[0x0f]]),
    ...store8(add(gget(G_ST), get(L)), c(1)),
    ...store32(add(gget(G_IND), shl(get(L), c(2))), sub(get(I), get(AT))),
  ];
};

const spanBody = (): Code => {
  const FROM = 0, END = 1;
  const at = (k: number): Code => add(gget(G_SP), shl(add(shl(gget(G_NSPANS), c(1)), c(k)), c(2)));
  return [
    ...iff(geu(gget(G_NSPANS), gget(G_MAXSPANS)), [gset(G_OVERFLOW, c(1))], [
      store32(at(0), get(FROM)),
      store32(at(1), get(END)),
      gset(G_NSPANS, add(gget(G_NSPANS), c(1))),
    ]),
  ];
};

/** layout(len, ls, ind, st, sp, maxLines, maxSpans) → line count, or -1 when an output area was too small. */
const layoutBody = (): Code => {
  // Params 0..6, then locals.
  const LEN = 0, AT = 7, CH = 8, DEPTH = 9, END = 10, FROM = 11, BODY = 12, K = 13, J = 14, S = 15, SEARCH = 16, TRIPLE = 17, NEXT = 18;
  const isPrefix = (x: Code): Code => {
    const codes = [114, 82, 98, 66, 117, 85, 102, 70];
    return codes.slice(1).reduce((acc, code) => or(acc, eq(x, c(code))), eq(x, c(codes[0])));
  };
  /** slashes = backslashes right before position `from` (down to BODY). */
  const countSlashes = (from: Code): Code => [
    ...set(S, c(0)),
    ...set(J, from),
    ...whileDo(and(ges(get(J), get(BODY)), eq(cu(get(J)), c(92))), [inc(S), inc(J, -1)]),
  ];
  const isQuote = (k: Code): Code => eq(unit(k), get(CH));
  const triple = (): Code[] => [
    set(SEARCH, c(1)),
    set(END, get(BODY)),
    whileDo(get(SEARCH), [
      set(K, get(END)),
      whileDo(and(ltu(get(K), get(LEN)), eqz(and(and(isQuote(get(K)), isQuote(add(get(K), c(1)))), isQuote(add(get(K), c(2)))))), [inc(K)]),
      iff(geu(get(K), gget(G_LEN)), [set(END, gget(G_LEN)), gset(G_BALANCED, c(0)), set(SEARCH, c(0))], [
        countSlashes(sub(get(K), c(1))),
        iff(eqz(and(get(S), c(1))), [set(END, add(get(K), c(3))), set(SEARCH, c(0))], [set(END, add(get(K), c(1)))]),
      ]),
    ]),
  ];
  const single = (): Code[] => [
    set(END, get(BODY)),
    set(SEARCH, c(1)),
    whileDo(and(get(SEARCH), ltu(get(END), gget(G_LEN))), [
      set(K, unit(get(END))),
      iff(eq(get(K), c(92)), [inc(END, 2)], [
        iff(eq(get(K), c(10)), [set(SEARCH, c(0))], [
          iff(eq(get(K), get(CH)), [inc(END), set(SEARCH, c(0))], [inc(END)]),
        ]),
      ]),
    ]),
    iff(geu(get(END), gget(G_LEN)), [set(END, gget(G_LEN))]),
    countSlashes(sub(get(END), c(2))),
    iff(or(or(lts(sub(get(END), c(1)), get(BODY)), ne(cu(sub(get(END), c(1))), get(CH))), and(get(S), c(1))), [gset(G_BALANCED, c(0))]),
  ];
  const string = (): Code[] => [
    set(TRIPLE, and(isQuote(add(get(AT), c(1))), isQuote(add(get(AT), c(2))))),
    set(FROM, get(AT)),
    whileDo(and(and(lts(sub(get(AT), c(2)), get(FROM)), lts(c(0), get(FROM))), isPrefix(cu(sub(get(FROM), c(1))))), [inc(FROM, -1)]),
    iff(get(TRIPLE), [set(BODY, add(get(AT), c(3))), ...triple()], [set(BODY, add(get(AT), c(1))), ...single()]),
    call(F_SPAN, get(FROM), get(END)),
    // Lines inside the string start nothing, but they are lines.
    set(K, get(AT)),
    whileDo(ltu(get(K), get(END)), [iff(eq(unit(get(K)), c(10)), [call(F_REC, get(K))]), inc(K)]),
    set(AT, get(END)),
  ];
  const comment = (): Code[] => [
    set(END, get(AT)),
    whileDo(and(ltu(get(END), get(LEN)), ne(unit(get(END)), c(10))), [inc(END)]),
    call(F_SPAN, get(AT), get(END)),
    set(AT, get(END)),
  ];
  const newline = (): Code[] => [
    iff(ltu(add(get(AT), c(1)), gget(G_LEN)), [
      call(F_REC, get(AT)),
      iff(eqz(get(DEPTH)), [call(F_MARK, sub(gget(G_COUNT), c(1)))]),
    ]),
    inc(AT),
  ];
  const other = (): Code[] => [
    iff(or(or(eq(get(CH), c(40)), eq(get(CH), c(91))), eq(get(CH), c(123))), [inc(DEPTH)], [
      iff(or(or(eq(get(CH), c(41)), eq(get(CH), c(93))), eq(get(CH), c(125))), [
        iff(eqz(get(DEPTH)), [gset(G_BALANCED, c(0))], [inc(DEPTH, -1)]),
      ], [
        iff(eq(get(CH), c(92)), [
          // A backslash before the newline: the next line continues this logical line.
          set(NEXT, add(get(AT), c(1))),
          iff(eq(cu(get(NEXT)), c(13)), [inc(NEXT)]),
          iff(eq(cu(get(NEXT)), c(10)), [call(F_REC, get(NEXT)), set(AT, get(NEXT))]),
        ]),
      ]),
    ]),
    inc(AT),
  ];
  return [
    ...gset(G_LEN, get(0)),
    ...gset(G_LS, get(1)),
    ...gset(G_IND, get(2)),
    ...gset(G_ST, get(3)),
    ...gset(G_SP, get(4)),
    ...gset(G_MAXLINES, get(5)),
    ...gset(G_MAXSPANS, get(6)),
    ...gset(G_NSPANS, c(0)),
    ...gset(G_OVERFLOW, c(0)),
    ...gset(G_BALANCED, c(1)),
    ...iff(eqz(get(5)), [ret(c(-1))]),
    ...store32(gget(G_LS), c(0)),
    ...store32(gget(G_IND), c(0)),
    ...store8(gget(G_ST), c(0)),
    ...gset(G_COUNT, c(1)),
    ...call(F_MARK, c(0)),
    ...whileDo(ltu(get(AT), get(LEN)), [
      set(CH, unit(get(AT))),
      // Most characters are none of the tokens: one table lookup.
      iff(or(geu(get(CH), c(128)), eqz(load8(get(CH)))), [inc(AT)], [
      iff(eq(get(CH), c(10)), newline(), [
        iff(eq(get(CH), c(35)), comment(), [
          iff(or(eq(get(CH), c(34)), eq(get(CH), c(39))), string(), other()),
        ]),
      ]),
      ]),
    ]),
    ...iff(get(DEPTH), [gset(G_BALANCED, c(0))]),
    ...iff(gget(G_OVERFLOW), [ret(c(-1))]),
    ...gget(G_COUNT),
  ];
};

function assemble(): Uint8Array {
  const fn = (params: number, results: number): Code => [0x60, ...vec(Array(params).fill([I32])), ...vec(Array(results).fill([I32]))];
  const types = [fn(1, 1), fn(1, 0), fn(2, 0), fn(7, 1), fn(0, 1)];
  const funcs = [0, 1, 1, 2, 3, 4, 4];
  const body = (locals: number, code: Code): Code => {
    const b = [...(locals > 0 ? vec([[...uleb(locals), I32]]) : [0]), ...code, 0x0b];
    return [...uleb(b.length), ...b];
  };
  const bodies = [
    body(0, cuBody()),
    body(0, recBody()),
    body(3, markBody()),
    body(0, spanBody()),
    body(12, layoutBody()),
    body(0, gget(G_NSPANS)),
    body(0, gget(G_BALANCED)),
  ];
  const globals = Array.from({ length: GLOBALS }, () => [I32, 1, ...c(0), 0x0b]);
  const exports = [[...name('memory'), 2, 0], [...name('layout'), 0, 4], [...name('spans'), 0, 5], [...name('balanced'), 0, 6]];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((t) => uleb(t)))),
    ...section(5, vec([[0x00, 1]])),
    ...section(6, vec(globals)),
    ...section(7, vec(exports)),
    ...section(10, [...uleb(bodies.length), ...bodies.flat()]),
  ]);
}

interface Exports {
  memory: WebAssembly.Memory;
  layout: (len: number, ls: number, ind: number, st: number, sp: number, maxLines: number, maxSpans: number) => number;
  spans: () => number;
  balanced: () => number;
}

let instance: Exports | undefined | null;

function exportsOf(): Exports | undefined {
  if (instance === undefined) {
    try {
      const wasm = new WebAssembly.Instance(new WebAssembly.Module(assemble().buffer as ArrayBuffer)).exports as unknown as Exports;
      const table = new Uint8Array(wasm.memory.buffer, 0, TEXT);
      for (const ch of '\n#"\'()[]{}\\') table[ch.charCodeAt(0)] = 1;
      instance = wasm;
    } catch {
      instance = null;
    }
  }
  return instance ?? undefined;
}

const PAGE = 65536;

/**
 * `text`'s line starts and layout, as `lineStarts` and `pythonLayout` give them, or undefined
 * (no WebAssembly here, or more lines or strings than a text this size has but in pathological
 * files: the caller then uses the JavaScript).
 */
export function pythonLayoutFast(text: string): { lineStarts: Int32Array; layout: Layout } | undefined {
  const wasm = exportsOf();
  if (!wasm) return undefined;
  const len = text.length;
  const maxLines = (len >> 3) + 64;
  const maxSpans = (len >> 3) + 64;
  // Zeros after the text: reads up to 3 units past its end see no token.
  const inBytes = TEXT + ((len * 2 + 8 + 7) & ~7);
  const ls = inBytes;
  const ind = ls + maxLines * 4;
  const sp = ind + maxLines * 4;
  const st = sp + maxSpans * 8;
  const need = st + maxLines;
  const memory = wasm.memory;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  const buffer = Buffer.from(memory.buffer);
  if (buffer.write(text, TEXT, 'utf16le') !== len * 2) return undefined;
  buffer.fill(0, TEXT + len * 2, TEXT + len * 2 + 8);
  const n = wasm.layout(len, ls, ind, st, sp, maxLines, maxSpans);
  if (n < 0) return undefined;
  const spans = wasm.spans();
  const mem = memory.buffer;
  return {
    lineStarts: new Int32Array(mem, ls, n).slice(),
    layout: {
      starts: new Uint8Array(mem, st, n).slice(),
      indent: new Int32Array(mem, ind, n).slice(),
      spans: new Int32Array(mem, sp, spans * 2).slice(),
      balanced: wasm.balanced() === 1,
    },
  };
}
