// Review fan-out: a scripted root model reviews a real git diff by sending one sub-call per changed file through
// llm_query_batched; the sub-model answers each after a fixed delay. The floor for that fan-out is
// ceil(n / concurrency) × delay — the goal is a wall time within 1.1× of it, i.e. the engine adds at most 10% to
// what the model's latency forces. `node out/bench/reviewFanout.js [--quick]` runs it alone; run.ts includes it.
import { rmSync } from 'node:fs';
import type { RlmEvent } from '../src/core/rlm/events';
import { review } from '../src/core/workflows/review';
import { Worker } from 'node:worker_threads';
import { OpenAICompatibleModel } from '../src/core/llm/openAICompatibleModel';
import { commit, initRepo, write } from '../test/support/gitRepo';
import { js } from '../test/support/scriptedModels';

export interface FanoutCase {
  files: number;
  linesPerFile: number;
  concurrency: number;
  delayMs: number;
}

export interface FanoutResult extends FanoutCase {
  diffLines: number;
  subCalls: number;
  /** ceil(files / concurrency) × delayMs */
  floorMs: number;
  /** The cell that ran llm_query_batched, from its start to its output. */
  fanoutMs: number;
  /** The whole review: git diff, file map, index start, both root turns, the fan-out, findings checked. */
  totalMs: number;
  fanoutRatio: number;
  totalRatio: number;
  /** Most sub-calls the model server saw in flight at once. */
  peakInFlight: number;
  reviewed: number;
  unreviewed: number;
}

export const FANOUT_CASES: FanoutCase[] = [
  { files: 300, linesPerFile: 17, concurrency: 8, delayMs: 250 },
  { files: 300, linesPerFile: 17, concurrency: 16, delayMs: 250 },
  { files: 40, linesPerFile: 20, concurrency: 4, delayMs: 500 },
];
export const QUICK_CASES: FanoutCase[] = [{ files: 40, linesPerFile: 20, concurrency: 8, delayMs: 250 }];

/** A repository whose last commit changes `linesPerFile` lines in each of `files` files. */
function makeRepo(c: FanoutCase): string {
  const dir = initRepo('recurse-bench-fanout-');
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  for (let i = 0; i < c.files; i++) {
    const path = `src/module${String(i).padStart(3, '0')}/service${i}.ts`;
    const lines = Array.from({ length: c.linesPerFile * 2 }, (_, l) => `export const value${l} = ${l}; // module ${i}`);
    before[path] = `${lines.join('\n')}\n`;
    // Every other line changes: linesPerFile one-line hunks' worth of additions and deletions per file.
    after[path] = `${lines.map((line, l) => (l % 2 === 0 ? line.replace('= ', '= 1 + ') : line)).join('\n')}\n`;
  }
  write(dir, before);
  commit(dir, 'base');
  write(dir, after);
  commit(dir, 'change every module');
  return dir;
}

/**
 * The model server runs on its own thread, as a real endpoint runs on its own machine: its HTTP and JSON work must
 * not share the engine's event loop, or the bench would charge the engine for the test server's CPU time.
 * Root turns are answered in order from `rootReplies`; every sub-model request after `delayMs`.
 */
const SERVER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { ModelServer } = require(workerData.modelServer);
(async () => {
  const server = await ModelServer.start();
  let inFlight = 0;
  let peak = 0;
  server.setHandler(async (ctx) => {
    if (ctx.model === 'sub-model') {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, workerData.delayMs));
      inFlight--;
      return 'No problems found.';
    }
    const turn = ctx.messages.filter((m) => m.role === 'assistant').length;
    return workerData.rootReplies[turn] ?? { fault: 'auth' };
  });
  parentPort.on('message', async (m) => {
    if (m === 'peak') parentPort.postMessage({ peak });
    if (m === 'close') { await server.close(); parentPort.close(); }
  });
  parentPort.postMessage({ url: server.url });
})();
`;

export async function startServerThread(delayMs: number, rootReplies: string[]): Promise<{ url: string; peak(): Promise<number>; close(): Promise<void> }> {
  const worker = new Worker(SERVER_THREAD, {
    eval: true,
    workerData: { delayMs, rootReplies, modelServer: require.resolve('../test/support/modelServer') },
  });
  const next = () => new Promise<any>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const { url } = await next();
  return {
    url,
    peak: async () => {
      worker.postMessage('peak');
      return (await next()).peak;
    },
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

export async function measureFanout(c: FanoutCase): Promise<FanoutResult> {
  const dir = makeRepo(c);
  const finding = { summary: 'Constants shifted by one.', findings: [{ severity: 'info', path: 'src/module000/service0.ts', line: 1, title: 'Shifted constant', detail: 'value0 is now 1 + 0' }] };
  const server = await startServerThread(c.delayMs, [
    js(
      'const prompts = diff.files.map((f) => `Review this change to ${f.path}:\\n${hunks(f.path)}`);\n' +
        'const replies = await llm_query_batched(prompts);\n' +
        'print(`${replies.length} files reviewed`);',
    ),
    js(`finish(${JSON.stringify('Review done.\n```json\n' + JSON.stringify(finding) + '\n```')})`),
  ]);
  const model = (name: string) => new OpenAICompatibleModel({ baseURL: server.url, apiKey: 'bench', model: name, retryBaseMs: 5, maxRetries: 0 });
  let cellStart = 0;
  let fanoutMs = 0;
  const onEvent = (e: RlmEvent) => {
    if (e.depth !== 0) return;
    if (e.type === 'cell-start' && e.turn === 1) cellStart = performance.now();
    if (e.type === 'cell-output' && e.turn === 1) fanoutMs = performance.now() - cellStart;
  };
  try {
    const started = performance.now();
    const report = await review({
      workspace: dir,
      source: { kind: 'commit', ref: 'HEAD' },
      rootModel: model('root-model'),
      subModel: model('sub-model'),
      concurrency: c.concurrency,
      limits: { maxSubCalls: c.files + 10, maxIterations: 4 },
      code: false,
      onEvent,
    });
    const totalMs = performance.now() - started;
    if (report.forced) throw new Error(`the review was forced to finish (${report.reason})`);
    if (report.usage.subCalls !== c.files) throw new Error(`expected ${c.files} sub-calls, got ${report.usage.subCalls}`);
    const floorMs = Math.ceil(c.files / c.concurrency) * c.delayMs;
    return {
      ...c,
      diffLines: report.diff.additions + report.diff.deletions,
      subCalls: report.usage.subCalls,
      floorMs,
      fanoutMs,
      totalMs,
      fanoutRatio: fanoutMs / floorMs,
      totalRatio: totalMs / floorMs,
      peakInFlight: await server.peak(),
      reviewed: report.reviewed.length,
      unreviewed: report.unreviewed.length,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fanoutTable(rows: FanoutResult[]): string {
  const out = [
    '| files | diff lines | concurrency | delay | floor ceil(n/c)×delay | fan-out cell | ratio | whole review | ratio | peak in flight | reviewed / unreviewed |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.files} | ${r.diffLines} | ${r.concurrency} | ${r.delayMs} ms | ${r.floorMs} ms | ${r.fanoutMs.toFixed(0)} ms | ${r.fanoutRatio.toFixed(3)}× | ` +
        `${r.totalMs.toFixed(0)} ms | ${r.totalRatio.toFixed(3)}× | ${r.peakInFlight} | ${r.reviewed} / ${r.unreviewed} |`,
    );
  }
  return out.join('\n');
}

export async function runFanoutBench(quick: boolean): Promise<FanoutResult[]> {
  const rows: FanoutResult[] = [];
  for (const c of quick ? QUICK_CASES : FANOUT_CASES) {
    const r = await measureFanout(c);
    console.log(
      `review fan-out: ${r.files} files (${r.diffLines} diff lines), concurrency ${r.concurrency}, delay ${r.delayMs} ms: ` +
        `fan-out ${r.fanoutMs.toFixed(0)} ms vs floor ${r.floorMs} ms = ${r.fanoutRatio.toFixed(3)}× (goal ≤ 1.1×); ` +
        `whole review ${r.totalMs.toFixed(0)} ms = ${r.totalRatio.toFixed(3)}×; peak in flight ${r.peakInFlight}`,
    );
    rows.push(r);
  }
  return rows;
}

if (require.main === module) {
  runFanoutBench(process.argv.includes('--quick')).then(
    (rows) => {
      console.log(`\n${fanoutTable(rows)}`);
    },
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exitCode = 1;
    },
  );
}
