import { EventLoopSlices } from '../eventLoopSlices';
import type { FileEntry, FileMap, SkipReason } from './fileMap';
import { describeRenames } from './folderLabels';

export interface LanguageStat {
  language: string;
  files: number;
  lines: number;
}

export interface WorkspaceMetadata {
  root: string;
  files: number;
  bytes: number;
  lines: number;
  languages: LanguageStat[];
  outline: string;
  skipped: Partial<Record<SkipReason, number>>;
  /** A multi-root workspace's folders: every path starts with one of them (`folder/path`). */
  folders?: string[];
  /** Why some folders are listed under another name than their own. */
  foldersNote?: string;
  /** Said while the files are still being measured (a provisional map): bytes and lines are then unknown. */
  measuring?: string;
}

const TOP_LANGUAGES = 15;
const MEASURING_NOTE = 'The workspace was just opened: its files are listed (the same files the helpers search) but not measured yet, so bytes and lines are -1 here and in files(); read() and grep() work as usual.';
const OUTLINE_ENTRIES = 40;
/** Hard bound on the outline text, whatever the directory names look like. */
const OUTLINE_CHARS = 2000;
const NAME_CHARS = 48;

/**
 * What the root model is told about the workspace up front. Its size is bounded regardless of the
 * repository (languages capped, outline capped by entries and characters, no file lists), because
 * the whole point is that the workspace stays outside the model's context.
 */
export function buildMetadata(map: FileMap): WorkspaceMetadata {
  const tally = new Tally();
  for (const entry of map.files()) tally.add(entry);
  return tally.metadata(map);
}

/** `buildMetadata`, giving the event loop a turn every few milliseconds (a kernel's 83k files). */
export async function buildMetadataInSlices(map: FileMap): Promise<WorkspaceMetadata> {
  const tally = new Tally();
  const slices = new EventLoopSlices();
  for (const entry of map.files()) {
    tally.add(entry);
    await slices.yield();
  }
  return tally.metadata(map);
}

/** The counts metadata is made of, one file at a time. */
class Tally {
  private bytes = 0;
  private lines = 0;
  private readonly byLanguage = new Map<string, LanguageStat>();
  private readonly topDirs = new Map<string, number>();
  private rootFiles = 0;

  add(entry: FileEntry): void {
    this.bytes += entry.size;
    this.lines += entry.lines;
    const stat = this.byLanguage.get(entry.language) ?? { language: entry.language, files: 0, lines: 0 };
    stat.files++;
    stat.lines += entry.lines;
    this.byLanguage.set(entry.language, stat);
    const slash = entry.path.indexOf('/');
    if (slash === -1) this.rootFiles++;
    else {
      const dir = entry.path.slice(0, slash);
      this.topDirs.set(dir, (this.topDirs.get(dir) ?? 0) + 1);
    }
  }

  metadata(map: FileMap): WorkspaceMetadata {
    const ranked = [...this.byLanguage.values()].sort((a, b) => b.files - a.files || b.lines - a.lines || (a.language < b.language ? -1 : 1));
    const languages = ranked.slice(0, TOP_LANGUAGES);
    const rest = ranked.slice(TOP_LANGUAGES);
    if (rest.length) {
      const existing = languages.find((l) => l.language === 'other');
      const other = existing ?? { language: 'other', files: 0, lines: 0 };
      for (const l of rest) {
        other.files += l.files;
        other.lines += l.lines;
      }
      if (!existing) languages.push(other);
    }
    // A provisional map has not measured its files: sizes and line counts are unknown (-1), and the model is told why.
    const measuring = map.measuring;
    return {
      root: shorten(map.name, 100),
      files: map.size,
      bytes: measuring ? -1 : this.bytes,
      lines: measuring ? -1 : this.lines,
      ...(measuring ? { measuring: MEASURING_NOTE } : {}),
      languages: measuring ? languages.map(({ language, files }) => ({ language, files, lines: -1 })) : languages,
      outline: outline(this.topDirs, this.rootFiles),
      skipped: { ...map.skipped.counts },
      ...folderMetadata(map),
    };
  }
}

function folderMetadata(map: FileMap): Pick<WorkspaceMetadata, 'folders' | 'foldersNote'> {
  const folders = map.folders;
  if (!folders) return {};
  const note = describeRenames(folders);
  return { folders: folders.map((f) => shorten(f.label, NAME_CHARS)).slice(0, OUTLINE_ENTRIES), ...(note ? { foldersNote: shorten(note, 500) } : {}) };
}

/** Top-level directories with file counts; past the cap, the biggest are kept (listed by name). */
function outline(topDirs: Map<string, number>, rootFiles: number): string {
  let dirs = [...topDirs.entries()];
  if (dirs.length > OUTLINE_ENTRIES) dirs = dirs.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, OUTLINE_ENTRIES);
  dirs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const [name, count] of dirs) {
    const line = `${shorten(name, NAME_CHARS)}/ (${count})`;
    if (used + line.length + 1 > OUTLINE_CHARS) break;
    lines.push(line);
    used += line.length + 1;
    shown++;
  }
  const hidden = topDirs.size - shown;
  if (hidden > 0) lines.push(`… ${hidden} more`);
  if (rootFiles > 0) lines.push(`(root files: ${rootFiles})`);
  return lines.join('\n');
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
