export { FileMap, DEFAULT_MAX_FILE_BYTES } from './fileMap';
export type { FileEntry, FileMapOptions, LineRange, SkipReason, SkippedSummary } from './fileMap';
export { grep, grepSync, grepText, compilePattern } from './grep';
export type { GrepMatch, GrepOptions, GrepResult } from './grep';
export { buildMetadata } from './metadata';
export type { WorkspaceMetadata, LanguageStat } from './metadata';
export { SECRET_PATTERNS, isSecretPath } from './secrets';
export { detectLanguage } from './language';
export { ContentCache } from './contentCache';
