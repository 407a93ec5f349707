// The index built once (issue 23): on a corpus, the whole `recurse index` process with an empty cache (the cold
// build), then `recurse index --export` from that cache, then `recurse index --import PACK` with another empty cache
// — what a teammate waits for when the CI's pack seeds their index. Reported beside each other, with the files the
// import parsed (none, on an unchanged tree) and took from the pack.
// `node out/bench/packImport.js DIR` runs it alone; run.ts runs it on the kernel.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

export interface PackImportRow {
  corpus: string;
  files: number;
  coldMs: number;
  exportMs: number;
  packBytes: number;
  importMs: number;
  importParsed: number;
  importSeeded: number;
  /** importMs ÷ coldMs */
  ratio: number;
}

function indexRun(args: string[], cache: string): Promise<{ ms: number; json: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'index', ...args, '--json'], { env: { ...process.env, XDG_CACHE_HOME: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`recurse index ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve({ ms: performance.now() - started, json: JSON.parse(out) });
    });
  });
}

export async function measurePackImport(root: string, corpus: string): Promise<PackImportRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-bench-pack-'));
  try {
    const pack = path.join(dir, `${corpus}.rpack`);
    const cold = await indexRun([root], path.join(dir, 'cache-a'));
    const exported = await indexRun([root, '--export', pack], path.join(dir, 'cache-a'));
    const imported = await indexRun([root, '--import', pack], path.join(dir, 'cache-b'));
    return {
      corpus, files: cold.json.files, coldMs: cold.ms, exportMs: exported.ms, packBytes: fs.statSync(pack).size,
      importMs: imported.ms, importParsed: imported.json.parsedFiles, importSeeded: imported.json.imported.seededFiles, ratio: imported.ms / cold.ms,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function packImportTable(rows: PackImportRow[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    '| corpus | files | cold build (empty cache) | export | pack | import (empty cache) | ÷ cold | parsed on import | from the pack |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.corpus} | ${r.files} | ${s(r.coldMs)} | ${s(r.exportMs)} | ${(r.packBytes / 1048576).toFixed(1)} MB | ${s(r.importMs)} | ${r.ratio.toFixed(2)}× | ${r.importParsed} | ${r.importSeeded} |`),
  ].join('\n');
}

if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: node out/bench/packImport.js DIR');
    process.exit(2);
  }
  measurePackImport(path.resolve(root), path.basename(root)).then((row) => {
    console.log(packImportTable([row]));
    process.exit(0);
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}
