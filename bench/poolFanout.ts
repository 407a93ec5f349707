// Sub-calls over a pool of endpoints (issue 23): a root cell fans 300 prompts out through llm_query_batched to a pool
// of 1, 2 and 4 endpoints, each a model server on its own thread answering after a fixed delay, with 4 calls in flight
// per endpoint. The ideal is ceil(300 / (4 × endpoints)) × delay; the bench reports the cell's wall time beside it, the
// most calls any endpoint had in flight (never above its limit), and the calls each endpoint answered.
// `node out/bench/poolFanout.js [--quick]` runs it alone; run.ts includes it.
import { EndpointPool } from '../src/core/llm/endpointPool';
import { OpenAICompatibleModel } from '../src/core/llm/openAICompatibleModel';
import type { RlmEvent } from '../src/core/rlm/events';
import { ask } from '../src/core/workflows/ask';
import { FileMap } from '../src/core/workspace/fileMap';
import { js } from '../test/support/scriptedModels';
import { startServerThread } from './reviewFanout';

export interface PoolFanoutRow {
  endpoints: number;
  calls: number;
  perEndpoint: number;
  delayMs: number;
  idealMs: number;
  fanoutMs: number;
  ratio: number;
  /** Most calls in flight on any one endpoint, as the servers saw it. */
  peakInFlight: number;
  answeredBy: number[];
}

export async function measurePoolFanout(endpoints: number, calls = 300, perEndpoint = 4, delayMs = 100): Promise<PoolFanoutRow> {
  const root = await startServerThread(0, [
    js(`const replies = await llm_query_batched(Array.from({ length: ${calls} }, (_, i) => "part " + i));\nprint(replies.length + " answered")`),
    js('finish("Done.")'),
  ]);
  const subs = await Promise.all(Array.from({ length: endpoints }, () => startServerThread(delayMs, [])));
  try {
    const pool = new EndpointPool({ model: 'sub-model', endpoints: subs.map((s) => ({ baseUrl: s.url, concurrency: perEndpoint })) });
    let cellStart = 0;
    let fanoutMs = 0;
    const onEvent = (e: RlmEvent): void => {
      if (e.depth !== 0) return;
      if (e.type === 'cell-start' && e.turn === 1) cellStart = performance.now();
      if (e.type === 'cell-output' && e.turn === 1) fanoutMs = performance.now() - cellStart;
    };
    const result = await ask({
      workspace: 'bench', question: 'Fan out.', map: FileMap.fromTexts({ 'a.txt': 'x\n' }), code: false,
      rootModel: new OpenAICompatibleModel({ baseURL: root.url, apiKey: 'bench', model: 'root-model', maxRetries: 0 }),
      subModel: pool,
      // The pool's limits are what binds, not the REPL's batch parallelism.
      concurrency: calls, limits: { maxSubCalls: calls + 10, maxIterations: 3 },
      onEvent,
    });
    if (!/Done/.test(result.answer)) throw new Error(`the fan-out did not finish: ${result.answer}`);
    const idealMs = Math.ceil(calls / (perEndpoint * endpoints)) * delayMs;
    const peaks = await Promise.all(subs.map((s) => s.peak()));
    return {
      endpoints, calls, perEndpoint, delayMs, idealMs, fanoutMs, ratio: fanoutMs / idealMs,
      peakInFlight: Math.max(...peaks), answeredBy: pool.stats().map((s) => s.answered),
    };
  } finally {
    await Promise.all([root.close(), ...subs.map((s) => s.close())]);
  }
}

export async function runPoolFanoutBench(quick: boolean): Promise<PoolFanoutRow[]> {
  const rows: PoolFanoutRow[] = [];
  for (const n of [1, 2, 4]) rows.push(await measurePoolFanout(n, quick ? 60 : 300));
  return rows;
}

export function poolFanoutTable(rows: PoolFanoutRow[]): string {
  return [
    '| endpoints | sub-calls | in flight per endpoint | delay | ideal | fan-out wall time | ÷ ideal | peak in flight | answered by endpoint |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.endpoints} | ${r.calls} | ${r.perEndpoint} | ${r.delayMs} ms | ${(r.idealMs / 1000).toFixed(2)} s | ${(r.fanoutMs / 1000).toFixed(2)} s | ` +
      `${r.ratio.toFixed(2)}× | ${r.peakInFlight} | ${r.answeredBy.join(' / ')} |`),
  ].join('\n');
}

if (require.main === module) {
  runPoolFanoutBench(process.argv.includes('--quick')).then((rows) => {
    console.log(poolFanoutTable(rows));
    process.exit(0);
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}
