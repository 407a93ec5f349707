import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { CodeIndex, prefetchIndexCaches } from '../core/index/codeIndex';
import { inScopeDir, resolveScope, scopeInfo, scopeLabel } from '../core/index/scope';
import { readIndexPack } from '../core/index/pack/indexPack';
import { indexedLanguage } from '../core/index/symbols/languages';
import { FileMap } from '../core/workspace/fileMap';
import type { CliArgs } from './args';
import { checkWorkspace, err, EXIT } from './cliCommon';

/** `recurse index`: the workspace's map, symbols and import graph built (or brought up to date) and summarised. */
export async function runIndex(args: CliArgs): Promise<number> {
  const root = await checkWorkspace(args.workspace);
  // A pack is read and checked whole before anything is built or cached: a refused one changes nothing.
  const pack = args.importPack ? await readIndexPack(args.importPack) : undefined;
  const started = Date.now();
  const mapOptions = { exclude: args.exclude, maxFileBytes: args.maxFileSizeKB ? args.maxFileSizeKB * 1024 : undefined };
  // Without a pack the symbol cache, map snapshot and resolved graph are what a warm open reads: read them meanwhile.
  if (!pack) prefetchIndexCaches(root, mapOptions);
  const map = await FileMap.load(root, { ...mapOptions, snapshot: true });
  const loadMs = Date.now() - started;
  const code = new CodeIndex(map, {
    ...(pack ? { pack: () => Promise.resolve(pack) } : {}),
    symbols: {
      onProgress: args.quiet || args.json ? undefined : throttledProgress((done, total) => err(`indexing: ${done}/${total} files`)),
    },
  });
  try {
    // The index is built over the whole workspace (its cache stays whole); a scope limits what is reported.
    const scope = args.scope ? await resolveScope(map, args.scope, () => code.graph()) : undefined;
    const indexStarted = Date.now();
    let symbolsMs = 0;
    const [stats, graph] = await Promise.all([
      code.symbolIndex.whenComplete().then((s) => ((symbolsMs = Date.now() - indexStarted), s)),
      code.graph(),
    ]);
    const inScope = (path: string) => !scope || inScopeDir(scope.dir, path);
    const symbols = scope ? (await code.symbolIndex.allSymbols()).filter((s) => inScope(s.path)) : undefined;
    const graphStats = graph.stats; // counted over every edge: once
    const summary = {
      files: scope ? scope.map.size : map.size,
      symbols: symbols ? symbols.length : stats.symbols,
      languages: scope ? scopedLanguages(scope.map) : stats.languages,
      packages: graph.packages().filter((p) => inScope(p.path)).length,
      imports: scope ? scope.map.files().reduce((n, f) => n + graph.imports(f.path).length, 0) : graphStats.edges,
      ms: Date.now() - started,
      loadMs,
      // Inner steps: the map (files read vs taken from its snapshot), then symbols and imports side by side.
      mapFiles: map.loadStats,
      symbolsMs,
      graphMs: graphStats.ms,
      importsExtracted: graphStats.extracted,
      importsRestored: graph.fromSnapshot,
      cachedFiles: stats.cachedFiles,
      parsedFiles: stats.parsedFiles,
      ...(pack ? { imported: { file: pack.file, createdAt: pack.createdAt, seededFiles: stats.seededFiles, seededImports: graphStats.seeded, notes: pack.notes } } : {}),
      skipped: map.skipped.counts,
      indexSkipped: stats.skipped,
      ...(scope ? { scope: scopeInfo(scope) } : {}),
    };
    if (args.exportPack) {
      const written = await code.exportPack(args.exportPack);
      Object.assign(summary, { exported: { file: args.exportPack, ...written } });
    }
    if (args.dump) {
      const out = createWriteStream(args.dump);
      for (const s of symbols ?? (await code.symbolIndex.allSymbols())) {
        const line = { path: s.path, name: s.name, kind: s.kind, line: s.line, endLine: s.endLine, ...(s.container ? { container: s.container } : {}) };
        if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const langs = Object.entries(summary.languages)
        .sort((a, b) => b[1] - a[1])
        .map(([l, n]) => `${l} ${n}`)
        .join(', ');
      const where = scope ? `${root} — scope ${scopeLabel(scope)}` : root;
      process.stdout.write(
        `${where}: ${summary.files} files, ${summary.symbols} symbols (${langs || 'no indexed languages'}), ` +
          `${summary.packages} packages, ${summary.imports} imports — ${summary.ms} ms, ${stats.cachedFiles} files from cache\n`,
      );
      for (const [reason, count] of Object.entries(map.skipped.counts)) {
        const examples = map.skipped.examples[reason as keyof typeof map.skipped.examples] ?? [];
        process.stdout.write(`  skipped ${count} ${reason}${examples.length ? ` (e.g. ${examples.slice(0, 3).join(', ')})` : ''}\n`);
      }
      for (const [reason, count] of Object.entries(stats.skipped)) process.stdout.write(`  not indexed: ${count} ${reason}\n`);
      if (pack) {
        process.stdout.write(`  from the pack ${pack.file}: ${stats.seededFiles} files' symbols, ${graphStats.seeded} files' imports; ${stats.parsedFiles} files parsed\n`);
        for (const note of pack.notes) process.stdout.write(`  note: ${note}\n`);
      }
      if (args.exportPack) process.stdout.write(`  exported the index to ${args.exportPack}\n`);
    }
    return EXIT.ok;
  } finally {
    code.dispose();
  }
}

/**
 * Indexed files per language inside a scope. The index counts languages over the whole workspace only, so
 * here a file counts when its language is indexed; files the index skipped (too large, parse errors) are
 * reported for the whole workspace under "not indexed".
 */
function scopedLanguages(map: FileMap): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of map.files()) {
    const language = indexedLanguage(f.path);
    if (language) out[language] = (out[language] ?? 0) + 1;
  }
  return out;
}

/** At most one progress line per second. */
function throttledProgress(write: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last >= 1000 || done === total) {
      last = now;
      write(done, total);
    }
  };
}
