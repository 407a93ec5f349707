// Child-process probe: loads one file map in a fresh process so its time and memory are not blurred by
// whatever the benchmark loaded before. Run as `node --expose-gc out/bench/loadProbe.js <root>`;
// prints one JSON line (LoadProbeResult).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FileMap } from '../src/core/workspace/fileMap';

export interface LoadProbeResult {
  ms: number;
  files: number;
  skipped: Record<string, number>;
  /** Peak resident set during the load, minus the resident set just before it. */
  peakRssDeltaMB: number;
  /** Heap still used with the map alive, after a full GC, minus the same before the load. */
  heapRetainedMB: number;
  /** Memory outside the JS heap (typed-array backing stores such as trigram signatures, read pools) still held after the load. */
  externalRetainedMB: number;
}

const MB = 1024 * 1024;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

async function probe(root: string): Promise<LoadProbeResult> {
  gc();
  const before = process.memoryUsage();
  const start = performance.now();
  const map = await FileMap.load(root);
  const ms = performance.now() - start;
  // maxRSS is the process's lifetime peak in KiB; nothing before the load comes close in a fresh process.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc();
  const after = process.memoryUsage();
  const result: LoadProbeResult = {
    ms,
    files: map.size,
    skipped: map.skipped.counts as Record<string, number>,
    peakRssDeltaMB: (peakRss - before.rss) / MB,
    heapRetainedMB: (after.heapUsed - before.heapUsed) / MB,
    externalRetainedMB: (after.external - before.external) / MB,
  };
  // Keep the map reachable until after the measurement.
  if (map.size < 0) console.error(map.root);
  return result;
}

/** Runs the probe in a fresh node process. */
export function runLoadProbe(root: string): Promise<LoadProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'loadProbe.js'), root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load probe for ${root} exited with ${code}: ${err.trim().slice(0, 1000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadProbeResult);
      } catch {
        reject(new Error(`load probe for ${root} printed no result: ${out.slice(0, 500)} ${err.slice(0, 500)}`));
      }
    });
  });
}

if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: node --expose-gc out/bench/loadProbe.js <root>');
    process.exit(2);
  }
  probe(root).then(
    (r) => console.log(JSON.stringify(r)),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
