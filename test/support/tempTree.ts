import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];
let cleanupRegistered = false;

/**
 * Writes `files` (relative path → content) under a new temporary folder and returns it; every such folder is removed
 * when the test process exits. Each directory is created once, so trees of thousands of files are quick.
 */
export function tempTree(files: Record<string, string | Buffer>, prefix = 'recurse-tree-'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(root);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('exit', () => {
      for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  for (const dir of new Set(Object.keys(files).map((rel) => path.dirname(path.join(root, rel))))) fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(root, rel), content);
  return root;
}
