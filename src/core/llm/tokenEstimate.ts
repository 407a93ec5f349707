// How many tokens a prompt will take, before it is sent. There is no tokenizer for every model, so this counts
// what BPE tokenizers do with text — words split at case changes, digits in threes, most punctuation alone,
// whitespace runs as one, anything beyond ASCII about a token per character — and errs on the high side: a prompt
// judged to fit must fit. The provider's own count (usage.prompt_tokens) then calibrates it per model.

/** Tokens a chat template adds around each message (role markers, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 6;

const PIECE = /[A-Za-z0-9]+|[ \t]+|\r?\n[ \t]*|[\u0021-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007e]+|[\ud800-\udbff][\udc00-\udfff]|[^\x00-\x7f]|[\x00-\x1f\x7f]/g;
const WORD_PART = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g;

/** A high estimate of the tokens of `text` for the common BPE vocabularies (cl100k, o200k, Llama 3, Qwen). */
export function countTokens(text: string): number {
  let tokens = 0;
  let afterSpace = false;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const c = piece.charCodeAt(0);
    // One space before a word merges into the word's token, not into a number's; indentation is a token per few spaces.
    if (afterSpace && c >= 48 && c <= 57) tokens++;
    afterSpace = c === 32 || c === 9;
    if (afterSpace) {
      if (piece.length > 1) tokens += Math.ceil(piece.length / 8);
    } else if (c === 10 || c === 13) tokens += 1 + Math.floor((piece.length - 1) / 16);
    else if (c < 128 && isAlphanumeric(c)) tokens += alphanumericTokens(piece);
    else if (c < 128 && c > 32) tokens += punctuationTokens(piece);
    else if (c >= 0xd800 && c <= 0xdbff) tokens += 4; // emoji and other astral characters: up to a token per UTF-8 byte
    else tokens += 1;
  }
  return tokens;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Words: short ones are one token, longer ones about four letters a token. Identifiers split at case changes and
 * digits (three digits a token). Long runs that switch case or digits every few characters (hashes, base64, keys)
 * are near-random for a tokenizer: a token per one or two characters.
 */
function alphanumericTokens(run: string): number {
  let tokens = 0;
  let parts = 0;
  for (const part of run.matchAll(WORD_PART)) {
    const p = part[0];
    parts++;
    const c = p.charCodeAt(0);
    if (c >= 48 && c <= 57) tokens += Math.ceil(p.length / 3);
    else tokens += p.length <= 7 ? 1 : Math.ceil(p.length / 5);
  }
  // Short parts on average (no camelCase identifier looks like this): a hash, base64, a key.
  if (run.length >= 10 && parts * 3 > run.length) return Math.max(tokens, Math.ceil(run.length / 1.3));
  return tokens;
}

/** Runs of one character (----, ====) merge a lot; mixed punctuation (`));`, `=>`) about two to a token. */
function punctuationTokens(run: string): number {
  if (run.length === 1) return 1;
  let uniform = true;
  for (let i = 1; i < run.length && uniform; i++) uniform = run[i] === run[0];
  return uniform ? Math.ceil(run.length / 8) : Math.ceil(run.length / 1.5);
}

/** Tokens of a chat request's messages, with the template's overhead per message and for the reply's start. */
export function countMessageTokens(messages: readonly { content: string }[]): number {
  let tokens = 3;
  for (const m of messages) tokens += MESSAGE_OVERHEAD_TOKENS + countTokens(m.content);
  return tokens;
}

/**
 * The estimate for one model, scaled by what the provider counted for the last prompt: up when its tokenizer counts
 * more (SentencePiece vocabularies of 32k tokens count about a third more than cl100k), down — never below 0.8 of
 * the raw estimate — when it counts less, so a small window is used rather than left a third empty. A 5% margin
 * covers the next prompt's new text tokenizing worse than the last one's.
 */
export class TokenEstimator {
  private factor = 1;

  count(text: string): number {
    return Math.ceil(countTokens(text) * this.factor);
  }

  /** A prompt of `rawEstimate` tokens (by the unscaled estimate) was counted as `actual` by the provider. */
  calibrate(rawEstimate: number, actual: number): void {
    if (rawEstimate <= 0 || actual <= 0) return;
    this.factor = Math.min(4, Math.max(0.8, (actual / rawEstimate) * 1.05));
  }

  /** Count higher from now on (the server found a prompt longer than estimated). */
  raise(by: number): void {
    this.factor = Math.min(4, this.factor * by);
  }

  get scale(): number {
    return this.factor;
  }
}
