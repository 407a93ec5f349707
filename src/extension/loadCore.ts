import type * as Core from './core';

let loaded: typeof Core | undefined;

/**
 * The engine, loaded on first use. In the packaged extension it is dist/core.js next to dist/extension.js;
 * esbuild leaves this require alone (it is marked external), so the module is read only when a question is asked.
 */
export function loadCore(): typeof Core {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./core.js') as typeof Core;
  return loaded;
}
