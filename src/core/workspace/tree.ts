import type { FileEntry, FileMap } from './fileMap';

export const TREE_MAX_LINES = 300;

interface Node {
  files: number;
  dirs: Map<string, Node>;
  names: string[];
}

function node(): Node {
  return { files: 0, dirs: new Map(), names: [] };
}

/**
 * Renders the files under `dir` as an indented tree `depth` levels deep: directories first, each with
 * its recursive file count, then files. Deeper directories collapse into their count, and output
 * stops at `maxLines` with a '… N more' line, so the result stays small on any repository.
 */
export function renderTree(source: FileMap | readonly FileEntry[], dir = '', depth = 2, maxLines = TREE_MAX_LINES): string {
  // A map normalizes `dir` (user/model input) first, then comes back here with its entries.
  if (!Array.isArray(source)) return (source as FileMap).tree(dir, depth);
  const entries = source as readonly FileEntry[];
  const levels = Math.max(1, Math.floor(Number.isFinite(depth) ? depth : 2));
  const prefix = dir === '' ? '' : dir + '/';
  const top = node();
  for (const entry of entries) {
    if (!entry.path.startsWith(prefix)) continue;
    const segments = entry.path.slice(prefix.length).split('/');
    let at = top;
    at.files++;
    // Directories deeper than `levels` are never shown, so their subtrees need no nodes.
    const shownDirs = Math.min(segments.length - 1, levels);
    for (let i = 0; i < shownDirs; i++) {
      let child = at.dirs.get(segments[i]);
      if (!child) at.dirs.set(segments[i], (child = node()));
      at = child;
      at.files++;
    }
    if (segments.length <= levels) at.names.push(segments[segments.length - 1]);
  }
  if (top.files === 0) throw new Error(`not a directory in workspace: ${dir}`);

  const lines: string[] = [`${dir === '' ? '.' : dir}/ (${plural(top.files)})`];
  let hidden = 0;
  const emit = (text: string): void => {
    if (lines.length < maxLines) lines.push(text);
    else hidden++;
  };
  const visit = (at: Node, indent: string, level: number): void => {
    for (const name of [...at.dirs.keys()].sort()) {
      const child = at.dirs.get(name)!;
      emit(`${indent}${name}/ (${plural(child.files)})`);
      if (level < levels) visit(child, indent + '  ', level + 1);
    }
    for (const name of at.names.sort()) emit(indent + name);
  };
  visit(top, '  ', 1);
  if (hidden > 0) lines.push(`… ${hidden} more`);
  return lines.join('\n');
}

function plural(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
