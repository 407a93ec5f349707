import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileMap } from '../../src/core/workspace/fileMap';
import { js, type Step } from './scriptedModels';

/**
 * A workspace of a few large generated modules and a root model that reads one whole module per turn, as models do
 * when they explore: the run's outputs add up to many times an 8k window. The first turn keeps a marker found in
 * one module in a variable; the last turn answers from that variable.
 */
export const MARKER = 'RELEASE_KEY_7f3a9c';

export function longRunWorkspace(modules = 6): FileMap {
  return FileMap.fromTexts(longRunTexts(modules), 'orders');
}

/** The same workspace on disk, for the CLI and the extension. */
export function writeLongRunWorkspace(dir: string, modules = 6): void {
  for (const [path, text] of Object.entries(longRunTexts(modules))) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function longRunTexts(modules: number): Record<string, string> {
  const texts: Record<string, string> = {};
  for (let m = 0; m < modules; m++) {
    const lines: string[] = [`// Module ${m}: order handling, part ${m}.`, `import { Order, Ledger } from './types';`, ''];
    for (let f = 0; f < 90; f++) {
      lines.push(
        `/** Applies rule ${f} of module ${m} to an order and records the result in the ledger. */`,
        `export function applyRule${m}_${f}(order: Order, ledger: Ledger): number {`,
        `  const subtotal = order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);`,
        `  const adjusted = subtotal * ${(1 + f / 100).toFixed(2)} - ${f};`,
        `  ledger.record('rule-${m}-${f}', adjusted);`,
        `  return Math.max(0, Math.round(adjusted * 100) / 100);`,
        '}',
        '',
      );
    }
    if (m === 3) lines.splice(40, 0, `export const releaseKey = '${MARKER}';`);
    texts[`src/module${m}.ts`] = lines.join('\n');
  }
  return texts;
}

/** `turns` root steps: the first keeps the marker and prints a module, the middle ones print modules, the last finishes. */
export function longRunSteps(turns: number, modules = 6): Step[] {
  const steps: Step[] = [
    'I will find the release key first and keep it, then read the modules.\n' +
      js(`const releaseKey = read('src/module3.ts').match(/RELEASE_KEY_\\w+/)[0];\nprint(read('src/module0.ts'));`),
  ];
  for (let t = 1; t < turns - 1; t++) {
    steps.push(`Reading module ${t % modules} in full to see its rules.\n` + js(`print(read('src/module${t % modules}.ts'));`));
  }
  steps.push('I have what I need.\n' + js('finish(`The release key is ${releaseKey} (src/module3.ts:41).`)'));
  return steps;
}
