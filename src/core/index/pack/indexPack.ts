import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { RawImport } from '../imports/importExtractor';
import { EXTRACTOR, packRaws, unpackRaws } from '../imports/importSnapshot';
import { grammarVersion } from '../symbols/grammarAssets';

/**
 * A portable index: symbols and imports keyed by file content (git blob ids), so another clone, another path, another
 * machine reuses them. Built once (a CI job on the main branch), imported by everyone: only files whose content is
 * not in the pack are parsed.
 *
 * The file: a magic line, a JSON header line (format, what made it, counts, the body's length and SHA-256), then the
 * body — gzip of JSON lines, one entry each: ["s", blob, language, grammar version, count, symbols JSON] or
 * ["i", blob, imports]. Read in full and checked before anything uses it: a corrupt, truncated or foreign pack is
 * refused whole, so nothing of a local cache is touched by it.
 */

const MAGIC = 'RECURSE-INDEX-PACK';
export const PACK_FORMAT = 1;

export interface PackSymbols {
  language: string;
  version: string;
  count: number;
  /** Symbols as JSON of SymbolRecord[] (the symbol cache's encoding). */
  data: string;
}

export interface IndexPack {
  file: string;
  createdAt: string;
  /** Symbol records by content key, those made by this version's grammars only. */
  symbols: Map<string, PackSymbols>;
  /** Extracted imports by content key; empty when the pack's extractor is not this one. */
  imports: Map<string, RawImport[]>;
  /** What was left out of it, and why (another grammar or extractor version). */
  notes: string[];
}

interface PackHeader {
  format: number;
  createdAt: string;
  grammars: Record<string, string>;
  importExtractor: string;
  symbols: number;
  imports: number;
  bytes: number;
  sha256: string;
}

export class PackError extends Error {
  constructor(file: string, reason: string) {
    super(`index pack ${file} refused: ${reason}`);
    this.name = 'PackError';
  }
}

/** What an export takes: each indexed file's content key with its symbols, and its imports. */
export interface PackContents {
  symbols: Iterable<[string, PackSymbols]>;
  imports: Iterable<[string, RawImport[]]>;
}

/** Writes a pack atomically (body to a temporary file, hashed as it is written; then header and body renamed in). */
export async function writeIndexPack(file: string, contents: PackContents): Promise<{ symbols: number; imports: number; bytes: number }> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const bodyFile = `${file}.${process.pid}.body.tmp`;
  const counts = { symbols: 0, imports: 0 };
  const grammars: Record<string, string> = {};
  const digest = createHash('sha256');
  let bytes = 0;
  try {
    const lines = (function* (): Generator<string> {
      for (const [blob, s] of contents.symbols) {
        counts.symbols++;
        grammars[s.language] ??= s.version;
        yield `${JSON.stringify(['s', blob, s.language, s.version, s.count, s.data])}\n`;
      }
      for (const [blob, raws] of contents.imports) {
        counts.imports++;
        yield `${JSON.stringify(['i', blob, packRaws(raws) ?? raws])}\n`;
      }
    })();
    const gzip = createGzip({ level: 6 });
    gzip.on('data', (chunk: Buffer) => {
      digest.update(chunk);
      bytes += chunk.length;
    });
    await pipeline(Readable.from(lines), gzip, fs.createWriteStream(bodyFile));
    const header: PackHeader = {
      format: PACK_FORMAT, createdAt: new Date().toISOString(), grammars, importExtractor: EXTRACTOR,
      symbols: counts.symbols, imports: counts.imports, bytes, sha256: digest.digest('hex'),
    };
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, `${MAGIC} ${PACK_FORMAT}\n${JSON.stringify(header)}\n`);
    await pipeline(fs.createReadStream(bodyFile), fs.createWriteStream(tmp, { flags: 'a' }));
    await fs.promises.rename(tmp, file);
    return { ...counts, bytes };
  } finally {
    await fs.promises.rm(bodyFile, { force: true });
  }
}

/** Reads and checks a whole pack; a PackError says why it is refused. */
export async function readIndexPack(file: string): Promise<IndexPack> {
  let buf: Buffer;
  try {
    buf = await fs.promises.readFile(file);
  } catch (err) {
    throw new PackError(file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const first = buf.indexOf(10);
  const second = first === -1 ? -1 : buf.indexOf(10, first + 1);
  const magic = buf.toString('utf8', 0, first === -1 ? Math.min(buf.length, 64) : first);
  if (!magic.startsWith(`${MAGIC} `)) throw new PackError(file, 'not a Recurse index pack (made by `recurse index --export`)');
  const format = Number(magic.slice(MAGIC.length + 1));
  if (format > PACK_FORMAT) throw new PackError(file, `it is format ${format}, written by a newer Recurse; this one reads format ${PACK_FORMAT}`);
  if (format !== PACK_FORMAT || second === -1) throw new PackError(file, 'its header is damaged');
  let header: PackHeader;
  try {
    header = JSON.parse(buf.toString('utf8', first + 1, second)) as PackHeader;
  } catch {
    throw new PackError(file, 'its header is damaged');
  }
  const body = buf.subarray(second + 1);
  if (body.length !== header.bytes) throw new PackError(file, `it is truncated or padded (${body.length} bytes of body, the header says ${header.bytes})`);
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) throw new PackError(file, 'its contents do not match their checksum (corrupted)');
  return decodeBody(file, header, body);
}

async function decodeBody(file: string, header: PackHeader, body: Buffer): Promise<IndexPack> {
  const symbols = new Map<string, PackSymbols>();
  const imports = new Map<string, RawImport[]>();
  const stale = new Map<string, number>();
  const importsUsable = header.importExtractor === EXTRACTOR;
  const lines = createInterface({ input: Readable.from([body]).pipe(createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line === '') continue;
      const entry = JSON.parse(line) as unknown[];
      if (entry[0] === 's') {
        const [, blob, language, version, count, data] = entry as [string, string, string, string, number, string];
        if (version !== grammarVersion(language)) stale.set(language, (stale.get(language) ?? 0) + 1);
        else symbols.set(blob, { language, version, count, data });
      } else if (entry[0] === 'i' && importsUsable) {
        const [, blob, raws] = entry as [string, string, string | RawImport[]];
        imports.set(blob, typeof raws === 'string' ? unpackRaws(raws) : raws);
      }
    }
  } catch (err) {
    throw new PackError(file, `its contents cannot be read (${(err as Error).message})`);
  }
  const notes = [...stale].map(([language, n]) => `${n} ${language} entries were made with another ${language} grammar: those files are parsed`);
  if (!importsUsable && header.imports > 0) notes.push('its imports were extracted by another version of Recurse: they are extracted again');
  return { file, createdAt: header.createdAt, symbols, imports, notes };
}

/** `recurse.sharedIndex` may name a directory (a shared drive, an unpacked CI artifact): its newest `*.rpack`. */
export async function locatePack(where: string): Promise<string | undefined> {
  const st = await fs.promises.stat(where).catch(() => undefined);
  if (!st) return undefined;
  if (st.isFile()) return where;
  const names = (await fs.promises.readdir(where).catch(() => [] as string[])).filter((n) => n.endsWith('.rpack'));
  const dated = await Promise.all(names.map(async (n) => ({ file: path.join(where, n), at: (await fs.promises.stat(path.join(where, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  return dated.sort((a, b) => b.at - a.at)[0]?.file;
}
