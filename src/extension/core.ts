/**
 * The engine as the extension uses it, bundled on its own into dist/core.js and required on first use
 * (see loadCore), so activating the extension does not parse the OpenAI SDK, QuickJS glue and file walker.
 */
export { ask } from '../core/workflows/ask';
export type { AskResult } from '../core/workflows/ask';
export { FileMap } from '../core/workspace/fileMap';
export { OpenAICompatibleModel } from '../core/llm/openAICompatibleModel';
export { ChatModelError, estimateTokens } from '../core/llm/chatModel';
export { RlmCancelledError } from '../core/rlm/rlm';
export { CodeIndex } from '../core/index/codeIndex';
export { trace, explainQuestion } from '../core/workflows/trace';
export type { TraceResult } from '../core/workflows/trace';
export { review } from '../core/workflows/review';
export { toMarkdown } from '../core/review/reviewReport';
export type { ReviewReport } from '../core/review/reviewReport';
export { verifyCitations } from '../core/citations/citations';
export { resolveScope } from '../core/index/scope';
export { prewarmQuickJS } from '../core/sandbox/quickjsModule';
export { resolveRunWindows } from '../core/llm/contextWindow';
export { listEndpointModels, testCompletion } from '../core/llm/endpointCheck';
export { SubCallCache, defaultSubCallCacheDir } from '../core/llm/subCallCache';
export { Conversation } from '../core/workflows/conversation';
export { markInvalidCitations } from '../core/citations/markUnverified';
export { RunProgress } from '../core/rlm/runProgress';
export { traceMarkdown, traceJson } from '../core/trace/traceFormat';
export { trajectoryPage } from '../core/rlm/trajectoryPage';
export { EndpointPool } from '../core/llm/endpointPool';
export { readSubEndpoints, sameServer } from '../core/llm/subEndpoints';
export { locatePack, readIndexPack } from '../core/index/pack/indexPack';
