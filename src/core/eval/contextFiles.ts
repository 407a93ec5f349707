/**
 * A LongBench-v2 context as files: code-repository contexts concatenate a repository's files, each after a marker
 * line naming it (`## File: src/a.py`, `--- src/a.py ---`, `File: a.py`, `<file path="a.py">`, `[file name]: a.py`).
 * With at least two such markers the context splits into those files (text before the first one, if any, goes to
 * `preamble.txt`); otherwise it is one file, `context.txt`.
 */
const MARKER = /^(?:#{1,6}\s*(?:File:\s*)?|File:\s*|-{3,}\s*|={3,}\s*|<file\s+(?:path|name)=["']|\[file name\]:\s*)([\w@+\-./]*\w\.[A-Za-z0-9_+\-]{1,12})(?:["']>|\s*-{3,}|\s*={3,})?\s*$/;

export function contextFiles(context: string): Record<string, string> {
  const lines = context.split('\n');
  const marks: { line: number; path: string }[] = [];
  lines.forEach((text, i) => {
    const m = MARKER.exec(text.trim());
    if (m && !m[1].startsWith('/') && !m[1].split('/').includes('..')) marks.push({ line: i, path: m[1].replace(/^\.\//, '') });
  });
  if (marks.length < 2) return { 'context.txt': context };
  const files: Record<string, string> = {};
  const preamble = lines.slice(0, marks[0].line).join('\n');
  if (preamble.trim()) files['preamble.txt'] = preamble;
  marks.forEach((mark, k) => {
    const end = k + 1 < marks.length ? marks[k + 1].line : lines.length;
    let name = mark.path;
    for (let n = 2; name in files; n++) name = `${mark.path}.${n}`;
    files[name] = lines.slice(mark.line + 1, end).join('\n').replace(/\s*(?:<\/file>)?\s*$/, '\n');
  });
  return files;
}
