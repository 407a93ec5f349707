import type * as TreeSitter from 'web-tree-sitter';
// require, not import: bundlers then pick the CommonJS build, which finds nothing through import.meta.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Language, Query } = require('web-tree-sitter') as typeof TreeSitter;
import { SCOPE_TYPES } from './extractSymbols';
import { DefinitionPlan, Skeleton, definitionPlan } from './skeleton';

/** A language ready to extract definitions: its grammar, its definition query and where to run it. */
export interface Grammar {
  language: TreeSitter.Language;
  query: TreeSitter.Query;
  plan?: DefinitionPlan;
}

export interface GrammarSpec {
  wasm: string;
  query: string;
  skeleton?: Skeleton;
}

/**
 * Loads a grammar and its tags query with only the definition patterns enabled (reference
 * patterns of the shipped tags.scm cost time and give nothing here). `Parser.init` must have run.
 */
export async function loadGrammar(spec: GrammarSpec): Promise<Grammar> {
  const language = await Language.load(spec.wasm);
  const query = new Query(language, spec.query);
  const defs = query.captureNames.map((n) => n.startsWith('definition.'));
  const enabled = query.captureQuantifiers.map((quantifiers) => quantifiers.some((q, capture) => q !== 0 && defs[capture]));
  enabled.forEach((on, pattern) => on || query.disablePattern(pattern));
  return { language, query, plan: definitionPlan(language, query, spec.query, spec.skeleton, (p) => enabled[p], SCOPE_TYPES) };
}
