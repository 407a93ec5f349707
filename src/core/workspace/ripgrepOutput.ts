import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where ripgrep writes what it finds. A pipe back to this process makes ripgrep wait on every 64 KiB it prints (its
 * threads share one stdout): on a common pattern that is a quarter of its time. So on POSIX it writes into a private
 * file (a folder made for this process, mode 0600, deleted right after the read), capped at OUTPUT_CAP by the file
 * size limit (`ulimit -f`: a larger output kills ripgrep, and the caller searches in-process, as with a pipe). On
 * Windows, or when the file cannot be made, the pipe as before.
 */

/** More output than this and the in-process search is the better way (the pattern is everywhere). */
export const OUTPUT_CAP = 64 * 1024 * 1024;

export interface RipgrepOutput {
  status: number | null;
  stdout: Buffer;
}

const SHELL = '/bin/sh';

let folder: string | null | undefined;
let serial = 0;

/** A fresh private file to write into, or undefined when files are not the way here. */
function outputFile(): string | undefined {
  if (process.platform === 'win32' || folder === null) return undefined;
  if (folder === undefined) {
    try {
      const made = fs.mkdtempSync(path.join(os.tmpdir(), 'recurse-rg-'));
      folder = made;
      process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
    } catch {
      folder = null;
      return undefined;
    }
  }
  return path.join(folder, `out-${process.pid}-${++serial}`);
}

/** ripgrep run through the shell that sets the size limit, then becomes ripgrep (`exec`: no process in between). */
function capped(rg: string, args: string[], cap: number): [string, string[]] {
  // POSIX `ulimit -f` counts 512-byte blocks (a shell counting 1 KiB ones only allows more).
  return [SHELL, ['-c', `ulimit -f ${Math.ceil(cap / 512) + 1} && exec "$0" "$@"`, rg, ...args]];
}

/** Reads what was written into the file open as `fd`, unless it exceeds the cap. */
function readBack(fd: number, cap: number): Buffer | undefined {
  const size = fs.fstatSync(fd).size;
  if (size > cap) return undefined;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = fs.readSync(fd, out, at, size - at, at);
    if (n === 0) return undefined;
    at += n;
  }
  return out;
}

/** ripgrep's exit status and output, waiting for it on this thread; undefined when it failed to run or printed too much. */
export function ripgrepOutputSync(rg: string, args: string[], cwd: string, timeoutMs: number, cap = OUTPUT_CAP): RipgrepOutput | undefined {
  const file = outputFile();
  let fd: number | undefined;
  try {
    if (file !== undefined) fd = fs.openSync(file, 'wx+', 0o600);
  } catch {
    fd = undefined;
  }
  if (fd === undefined) {
    const run = spawnSync(rg, args, { cwd, maxBuffer: cap, timeout: timeoutMs, windowsHide: true });
    return run.error ? undefined : { status: run.status, stdout: run.stdout };
  }
  try {
    const [cmd, argv] = capped(rg, args, cap);
    const run = spawnSync(cmd, argv, { cwd, stdio: ['ignore', fd, 'ignore'], timeout: timeoutMs });
    if (run.error) return undefined;
    const stdout = readBack(fd, cap);
    return stdout && { status: run.status, stdout };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file!, { force: true });
  }
}

/** ripgrep's exit status and output; undefined when it failed to run or printed too much. An abort kills it. */
export async function ripgrepOutput(rg: string, args: string[], cwd: string, signal?: AbortSignal, cap = OUTPUT_CAP): Promise<RipgrepOutput | undefined> {
  const file = outputFile();
  let fd: number | undefined;
  try {
    if (file !== undefined) fd = fs.openSync(file, 'wx+', 0o600);
  } catch {
    fd = undefined;
  }
  if (fd === undefined) return piped(rg, args, cwd, cap, signal);
  try {
    const [cmd, argv] = capped(rg, args, cap);
    const status = await new Promise<number | null | undefined>((resolve) => {
      const child = spawn(cmd, argv, { cwd, stdio: ['ignore', fd, 'ignore'], signal });
      child.on('error', () => resolve(undefined));
      child.on('close', (code) => resolve(code));
    });
    if (status === undefined) return undefined;
    const stdout = readBack(fd, cap);
    return stdout && { status, stdout };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file!, { force: true });
  }
}

function piped(rg: string, args: string[], cwd: string, cap: number, signal?: AbortSignal): Promise<RipgrepOutput | undefined> {
  return new Promise((resolve) => {
    const child = spawn(rg, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], signal, windowsHide: true });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) child.kill();
      else chunks.push(chunk);
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (status) => resolve(size > cap ? undefined : { status, stdout: Buffer.concat(chunks) }));
  });
}
