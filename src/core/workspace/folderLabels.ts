/**
 * The top-level directory names of a combined multi-folder map. A label has to survive being written by a model
 * as the first segment of a `folder/path:line` citation, so characters a citation path cannot hold become '-';
 * two folders with the same name must still get distinct labels, and the same folders always get the same ones.
 */

export interface FolderLabel {
  label: string;
  /** The folder's own name, when the label differs from it (sanitized or de-duplicated). */
  renamedFrom?: string;
}

export function folderLabels(names: readonly string[]): FolderLabel[] {
  const bases = names.map(sanitize);
  // A suffixed label must not take the plain name of another folder (e.g. a real folder named "api-2").
  const reserved = new Set(bases);
  const used = new Set<string>();
  return names.map((name, i) => {
    let label = bases[i];
    if (used.has(label)) {
      let n = 2;
      while (used.has(`${bases[i]}-${n}`) || reserved.has(`${bases[i]}-${n}`)) n++;
      label = `${bases[i]}-${n}`;
    }
    used.add(label);
    return label === name ? { label } : { label, renamedFrom: name };
  });
}

/** What the model reads about renamed folders, or undefined when every label is the folder's name. */
export function describeRenames(labels: readonly FolderLabel[]): string | undefined {
  const renamed = labels.filter((l) => l.renamedFrom !== undefined);
  if (renamed.length === 0) return undefined;
  return `Workspace folders renamed to stay distinct and citable: ${renamed.map((l) => `"${l.renamedFrom}" → ${l.label}/`).join(', ')}.`;
}

function sanitize(name: string): string {
  const s = name.trim().replace(/[^\w@.+~-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^\.*$/.test(s) ? 'folder' : s;
}
