// The resolved import graph, kept on disk beside the import snapshot: when no file of the tree changed (same paths,
// sizes and modification times) the graph is restored edge for edge instead of resolving every import again (on a
// large tree that resolution is most of the graph's warm build). Anything different — a file added, removed or
// touched, another resolver — gives another fingerprint, and the graph is resolved afresh.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { RACY_MS } from '../../workspace/mapSnapshot';
import { readWholeFile } from '../../wholeFileRead';
import { writeFileAtomic } from '../../writeFileAtomic';
import { jsonMembers } from '../../jsonParts';
import type { ImportKind } from './importGraph';
import { ImportResolver } from './importResolver';
import { resolverKey } from './sourceKeys';
import { readWorkspaceConfig } from './workspaceConfig';
import { EventLoopSlices } from '../../eventLoopSlices';

/** One resolved import as stored: where it is, what it says, and where it leads. */
export interface StoredEdge {
  kind: ImportKind;
  line: number;
  specifier: string;
  to?: string;
  /** For a Go/Java package import: the package's directory. */
  packageDir?: string;
}

/** A file's identity for the fingerprint. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs?: number;
}

const KINDS: ImportKind[] = ['import', 'export', 'require', 'dynamic', 'include', 'use', 'mod'];
/** The code that decides resolutions: another version of it must not reuse these. */
const RESOLVER = resolverKey(ImportResolver, readWorkspaceConfig);

interface Stored {
  fingerprint: string;
  /** Per importing file: one line per edge, `kind TAB line TAB to TAB packageDir TAB specifier` (`to` an index into the sorted paths, -1 for external). */
  files: Record<string, string>;
}

export function resolvedSnapshotFile(dir: string, realRoot: string): string {
  return path.join(dir, `${createHash('sha256').update(realRoot).digest('hex').slice(0, 32)}.resolved.json`);
}

/**
 * What the resolutions depend on: every file's path, size and mtime (sources, manifests and the rest of the list),
 * and the resolver's code. Undefined when a file has no mtime (a virtual map) or was modified too recently for its
 * mtime to tell a later change apart.
 */
export async function graphFingerprint(files: readonly FileStamp[], takenAt: number): Promise<string | undefined> {
  // The hash of RESOLVER and one line per file, joined with newlines — fed in runs, a slice of milliseconds at a time.
  const hash = createHash('sha256').update(RESOLVER);
  const slices = new EventLoopSlices();
  for (let i = 0; i < files.length; i += FINGERPRINT_RUN) {
    let run = '';
    for (const f of files.slice(i, i + FINGERPRINT_RUN)) {
      if (f.mtimeMs === undefined || f.mtimeMs >= takenAt - RACY_MS) return undefined;
      run += `\n${f.path}\0${f.size}\0${f.mtimeMs}`;
    }
    hash.update(run);
    await slices.yield();
  }
  return hash.digest('hex');
}

const FINGERPRINT_RUN = 1024;

/**
 * The stored edges of every importing file, still packed (see `unpackEdges`), when the snapshot is there and has this
 * fingerprint; undefined otherwise (no snapshot, another tree or resolver, unreadable).
 */
export async function readResolvedSnapshot(file: string, fingerprint: string): Promise<Record<string, string> | undefined> {
  try {
    // Decoded whole: readFile's own decoding goes through a StringDecoder chunk by chunk, several times slower.
    const stored = JSON.parse((await readWholeFile(file)).toString('utf8')) as Stored;
    if (stored.fingerprint !== fingerprint || typeof stored.files !== 'object' || stored.files === null) return undefined;
    return stored.files;
  } catch {
    return undefined;
  }
}

/**
 * A file's packed edges (`kind TAB line TAB to TAB packageDir TAB specifier` per line, `to` an index into `paths`, -1
 * for none; packageDir empty for none), each handed to `edge` as it is read; false when the text is not such a list
 * (nothing is handed after the bad line).
 */
export function unpackEdges(packed: string, paths: readonly string[], edge: (kind: ImportKind, line: number, specifier: string, to: string | undefined, packageDir: string | undefined) => void): boolean {
  if (typeof packed !== 'string') return false;
  let at = 0;
  while (at < packed.length) {
    let end = packed.indexOf('\n', at);
    if (end === -1) end = packed.length;
    const t1 = packed.indexOf('\t', at);
    const t2 = t1 === -1 ? -1 : packed.indexOf('\t', t1 + 1);
    const t3 = t2 === -1 ? -1 : packed.indexOf('\t', t2 + 1);
    const t4 = t3 === -1 ? -1 : packed.indexOf('\t', t3 + 1);
    if (t4 === -1 || t4 >= end) return false;
    const kind = KINDS[Number(packed.slice(at, t1))];
    const line = Number(packed.slice(t1 + 1, t2));
    const target = Number(packed.slice(t2 + 1, t3));
    if (kind === undefined || !Number.isInteger(line) || !Number.isInteger(target) || target >= paths.length) return false;
    edge(kind, line, packed.slice(t4 + 1, end), target >= 0 ? paths[target] : undefined, t4 > t3 + 1 ? packed.slice(t3 + 1, t4) : undefined);
    at = end + 1;
  }
  return true;
}

/** Writes the edges, packed a slice of milliseconds at a time so a kernel's graph never holds the event loop. */
export async function writeResolvedSnapshot(file: string, fingerprint: string, paths: readonly string[], edges: Iterable<[string, StoredEdge[]]>): Promise<void> {
  const slices = new EventLoopSlices();
  const index = new Map<string, number>();
  for (let i = 0; i < paths.length; i++) {
    index.set(paths[i]!, i);
    await slices.yield();
  }
  // The JSON of a `Stored`, member by member (what JSON.stringify gives, without one long encode at the end).
  const members: string[] = [];
  for (const [from, list] of edges) {
    const packed = pack(list, index);
    if (packed === undefined) return; // a specifier with a tab or newline: not worth a format of its own
    members.push(`${JSON.stringify(from)}:${JSON.stringify(packed)}`);
    await slices.yield();
  }
  const parts = [`{"fingerprint":${JSON.stringify(fingerprint)},"files":{`, ...await jsonMembers(members, slices), '}}'];
  // A cache that cannot be written only costs the next build its speed.
  await writeFileAtomic(file, parts).catch(() => undefined);
}

function pack(list: StoredEdge[], index: Map<string, number>): string | undefined {
  const lines: string[] = [];
  for (const e of list) {
    if (/[\t\n]/.test(e.specifier) || (e.packageDir !== undefined && /[\t\n]/.test(e.packageDir))) return undefined;
    const to = e.to === undefined ? -1 : index.get(e.to);
    if (to === undefined) return undefined;
    lines.push(`${KINDS.indexOf(e.kind)}\t${e.line}\t${to}\t${e.packageDir ?? ''}\t${e.specifier}`);
  }
  return lines.join('\n');
}

