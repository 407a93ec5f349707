// The parser's floor: every file the symbol index would parse, parsed with web-tree-sitter on N worker
// threads, with no queries, no symbol extraction and no cache — what a complete cold index cannot beat.
//   node out/bench/parseFloor.js <root> <workers> <maxParseBytes>
// Prints one JSON line: { event: 'floor', ms, files, bytes, byLanguage, skippedTooLarge, failed, peakRssMB }.
// `ms` runs from just before the workers are spawned (they pay wasm start-up and grammar loading, as the
// index's workers do) until the last file is parsed; the file map load before it is not counted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LANGUAGES, indexedLanguage } from '../src/core/index/symbols/languages';
import { FileMap } from '../src/core/workspace/fileMap';
import { peakRssMB } from './probe';

interface Job {
  abs: string;
  language: string;
}

/** Messages worker → main: 'ready' asks for work; 'done' reports the batch. */
type FromWorker = { type: 'more'; failed: number };

const BATCH = 32;

function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

async function workerMain(): Promise<void> {
  // web-tree-sitter ships CommonJS and ESM builds; require picks the .cjs one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Parser, Language } = require('web-tree-sitter') as typeof import('web-tree-sitter');
  await Parser.init();
  const parser = new Parser();
  const loaded = new Map<string, InstanceType<typeof Language>>();
  let failed = 0;
  const port = parentPort!;
  port.on('message', async (batch: Job[] | null) => {
    if (batch === null) {
      parser.delete();
      port.close();
      return;
    }
    for (const job of batch) {
      let lang = loaded.get(job.language);
      if (!lang) {
        const spec = LANGUAGES[job.language];
        lang = await Language.load(path.join(packageDir(spec.pkg), spec.wasm));
        loaded.set(job.language, lang);
      }
      parser.setLanguage(lang);
      try {
        const tree = parser.parse(fs.readFileSync(job.abs, 'utf8'));
        if (tree) tree.delete();
        else failed++;
      } catch {
        failed++;
        parser.reset();
      }
    }
    port.postMessage({ type: 'more', failed } satisfies FromWorker);
  });
  port.postMessage({ type: 'more', failed: 0 } satisfies FromWorker);
}

async function main(root: string, workers: number, maxParseBytes: number): Promise<void> {
  const map = await FileMap.load(root);
  const jobs: Job[] = [];
  const byLanguage: Record<string, number> = {};
  let bytes = 0;
  let skippedTooLarge = 0;
  for (const entry of map.files()) {
    const language = indexedLanguage(entry.path);
    if (!language || !LANGUAGES[language]) continue;
    if (entry.size > maxParseBytes) {
      skippedTooLarge++;
      continue;
    }
    jobs.push({ abs: map.absolutePath(entry.path), language });
    byLanguage[language] = (byLanguage[language] ?? 0) + 1;
    bytes += entry.size;
  }
  // Largest first, so no worker is left parsing one big file at the end while the others idle.
  const sizes = new Map(map.files().map((e) => [map.absolutePath(e.path), e.size]));
  jobs.sort((a, b) => (sizes.get(b.abs) ?? 0) - (sizes.get(a.abs) ?? 0));

  const start = performance.now();
  let next = 0;
  let bytesDone = 0;
  let lastProgress = start;
  const failures = await Promise.all(
    Array.from({ length: workers }, () =>
      new Promise<number>((resolve, reject) => {
        const w = new Worker(__filename, { workerData: { worker: true } });
        let failed = 0;
        w.on('message', (m: FromWorker) => {
          failed = m.failed;
          if (next >= jobs.length) {
            w.postMessage(null);
            return;
          }
          const batch = jobs.slice(next, next + BATCH);
          w.postMessage(batch);
          next += BATCH;
          for (const j of batch) bytesDone += sizes.get(j.abs) ?? 0;
          const now = performance.now();
          if (now - lastProgress > 5000) {
            lastProgress = now;
            // Handed out, not finished: at most one batch per worker ahead of the parses.
            process.stdout.write(JSON.stringify({ event: 'progress', done: Math.min(next, jobs.length), total: jobs.length, bytes: bytesDone, ms: now - start, peakRssMB: peakRssMB() }) + '\n');
          }
        });
        w.on('error', reject);
        w.on('exit', () => resolve(failed));
      }),
    ),
  );
  const ms = performance.now() - start;
  process.stdout.write(
    JSON.stringify({ event: 'floor', ms, files: jobs.length, bytes, byLanguage, skippedTooLarge, failed: failures.reduce((a, b) => a + b, 0), workers, peakRssMB: peakRssMB() }) + '\n',
  );
}

if (!isMainThread && (workerData as { worker?: boolean })?.worker) {
  void workerMain();
} else if (require.main === module) {
  const [root, workers, maxBytes] = process.argv.slice(2);
  if (!root || !workers) {
    console.error('usage: node out/bench/parseFloor.js <root> <workers> <maxParseBytes>');
    process.exit(2);
  }
  main(root, Number(workers), Number(maxBytes || Infinity)).then(
    () => process.exit(0),
    (e: Error) => {
      process.stdout.write(JSON.stringify({ event: 'error', message: e.stack ?? e.message }) + '\n');
      process.exit(1);
    },
  );
}
