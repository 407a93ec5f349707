import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package's version (dist/ sits beside package.json, in the repository and in the installed package alike). */
export function recurseVersion(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
}
