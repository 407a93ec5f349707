// Mocha entry for the extension-host tests: the runner (test/vscode/runExtensionTests.mjs, or runElectron.ts)
// loads this inside VS Code's extension host and awaits run().
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface Options {
  grep?: string | null;
  /** The window is a multi-root workspace: only multiRoot.test.js runs there, and only there. */
  multiRoot?: boolean;
  /** A benchmark window (`npm run bench`): only the *.bench.js suites run, and only there. */
  bench?: { out: string };
}

const MULTI_ROOT_SUITE = 'multiRoot.test.js';

export function run(): Promise<void> {
  const options: Options = (globalThis as { __recurseTestOptions?: Options }).__recurseTestOptions ?? {};
  const grep = options.grep ?? process.env.RECURSE_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  const multiRoot = options.multiRoot ?? process.env.RECURSE_TEST_MULTI_ROOT === '1';
  const files = options.bench
    ? fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js'))
    : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (f === MULTI_ROOT_SUITE) === multiRoot).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
      const activation = (globalThis as { __recurseActivation?: unknown }).__recurseActivation;
      // The launcher reads this line to print "N passed, N failed" and to save the activation measurement.
      console.log(`RECURSE_MOCHA_RESULT ${JSON.stringify({ passed: stats.passes, failed: stats.failures, pending: stats.pending, activation })}`);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
