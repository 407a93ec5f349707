// Memoized sub-calls: an llm_query answer is a function of (endpoint, model, exact prompt, sampling parameters), so
// asking it again — later in the run, in a follow-up question, in tomorrow's session — is answered from here at no
// cost. Entries live in memory and, per workspace, on disk: one small JSON file each, written to a temporary name
// and renamed into place (a crash leaves a stray temporary file, never a torn entry), the whole folder held under
// a size cap by evicting the least recently used entries (a hit refreshes the file's modification time).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { recurseCacheRoot } from '../cacheRoot';
import { writeFileAtomic } from '../writeFileAtomic';
import type { TokenUsage } from './chatModel';

export interface SubCallKey {
  /** Where the model is served (base URL, or `vscode-lm`). */
  endpoint: string;
  model: string;
  prompt: string;
  /** undefined: the endpoint's default. */
  temperature?: number;
  maxTokens?: number;
}

export interface CachedAnswer {
  text: string;
  /** What the original call cost: a hit saves exactly this. */
  usage: TokenUsage;
  /** The model that answered (as the endpoint reported it). */
  model: string;
}

export interface SubCallCacheOptions {
  /** Folder for the entries on disk; undefined keeps them in memory only. */
  dir?: string;
  /** Cap for the folder; default 64 MiB. */
  maxBytes?: number;
  /** Cache sub-calls sampled at a temperature above 0 too (their answers vary by design). Default false. */
  cacheNonZeroTemperature?: boolean;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const MEMORY_ENTRIES = 2_000;

/** Default folder for one workspace: $XDG_CACHE_HOME/recurse/subcalls/<hash of the workspace root>. */
export function defaultSubCallCacheDir(workspaceRoot: string): string {
  const id = createHash('sha1').update(path.resolve(workspaceRoot)).digest('hex').slice(0, 20);
  return path.join(recurseCacheRoot(), 'subcalls', id);
}

export class SubCallCache {
  private readonly memory = new Map<string, CachedAnswer>();
  private readonly maxBytes: number;
  /** Bytes on disk, known after the first write scanned the folder. */
  private diskBytes: number | undefined;
  private evicting: Promise<void> | undefined;

  constructor(private readonly options: SubCallCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Whether a call with these sampling parameters may be answered from the cache at all. */
  cacheable(key: SubCallKey): boolean {
    return key.temperature === undefined || key.temperature === 0 || !!this.options.cacheNonZeroTemperature;
  }

  async get(key: SubCallKey): Promise<CachedAnswer | undefined> {
    if (!this.cacheable(key)) return undefined;
    const id = hashKey(key);
    const hit = this.memory.get(id);
    if (hit) return this.remember(id, hit);
    const file = this.file(id);
    if (!file) return undefined;
    const stored = await readEntry(file, id);
    if (!stored) return undefined;
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => {});
    return this.remember(id, stored);
  }

  async put(key: SubCallKey, answer: CachedAnswer): Promise<void> {
    if (!this.cacheable(key)) return;
    const id = hashKey(key);
    this.remember(id, answer);
    const file = this.file(id);
    if (!file) return;
    const body = JSON.stringify({ id, answer });
    try {
      await writeFileAtomic(file, body);
    } catch {
      return; // a cache that cannot write is only a slower cache
    }
    await this.account(Buffer.byteLength(body));
  }

  /** Keeps the memory map bounded, most recently used last. */
  private remember(id: string, answer: CachedAnswer): CachedAnswer {
    this.memory.delete(id);
    this.memory.set(id, answer);
    if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value as string);
    return answer;
  }

  private file(id: string): string | undefined {
    return this.options.dir ? path.join(this.options.dir, id.slice(0, 2), `${id}.json`) : undefined;
  }

  /** Adds a write to the folder's size; over the cap, evicts the least recently used entries (one eviction at a time). */
  private async account(bytes: number): Promise<void> {
    if (this.diskBytes === undefined) this.diskBytes = (await this.entries()).reduce((n, e) => n + e.size, 0);
    else this.diskBytes += bytes;
    if (this.diskBytes <= this.maxBytes || this.evicting) return this.evicting;
    this.evicting = this.evict().finally(() => (this.evicting = undefined));
    return this.evicting;
  }

  private async evict(): Promise<void> {
    const entries = (await this.entries()).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = entries.reduce((n, e) => n + e.size, 0);
    // Down to 80% of the cap, so the next writes do not evict again at once.
    for (const e of entries) {
      if (total <= this.maxBytes * 0.8) break;
      await fs.rm(e.path, { force: true });
      total -= e.size;
    }
    this.diskBytes = total;
  }

  private async entries(): Promise<{ path: string; size: number; mtimeMs: number }[]> {
    const dir = this.options.dir;
    if (!dir) return [];
    const out: { path: string; size: number; mtimeMs: number }[] = [];
    for (const sub of await fs.readdir(dir).catch(() => [] as string[])) {
      for (const name of await fs.readdir(path.join(dir, sub)).catch(() => [] as string[])) {
        const p = path.join(dir, sub, name);
        const st = await fs.stat(p).catch(() => undefined);
        if (st?.isFile()) out.push({ path: p, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
    return out;
  }
}

function hashKey(key: SubCallKey): string {
  const canonical = JSON.stringify([key.endpoint.replace(/\/+$/, ''), key.model, key.prompt, key.temperature ?? null, key.maxTokens ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** An entry as written by put(); anything else (a foreign or damaged file) is a miss. */
async function readEntry(file: string, id: string): Promise<CachedAnswer | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8'));
    const a = parsed?.answer;
    if (parsed?.id !== id || typeof a?.text !== 'string' || typeof a?.model !== 'string' || typeof a?.usage?.totalTokens !== 'number') return undefined;
    return a as CachedAnswer;
  } catch {
    return undefined;
  }
}
