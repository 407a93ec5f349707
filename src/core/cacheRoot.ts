import * as os from 'node:os';
import * as path from 'node:path';

/** The user's cache folder for Recurse: $XDG_CACHE_HOME/recurse, ~/Library/Caches/recurse, %LOCALAPPDATA%\\recurse. */
export function recurseCacheRoot(): string {
  const home = os.homedir();
  const base = process.platform === 'win32' ? process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local')
    : process.platform === 'darwin' ? path.join(home, 'Library', 'Caches')
    : process.env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(base, 'recurse');
}
