import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where ripgrep writes what it finds. A pipe back to this process makes ripgrep wait on every 64 KiB it prints (its
 * threads share one stdout): on a common pattern that is a quarter of its time. So on POSIX it writes into a private
 * file (a folder made for this process, mode 0600, deleted right after the read), capped at OUTPUT_CAP by the file
 * size limit (`ulimit -f`: a larger output kills ripgrep, and the caller searches in-process, as with a pipe). On
 * Windows, or when the file cannot be made, the pipe as before. The file is read back in pieces through one buffer
 * kept for the purpose: a fresh multi-megabyte buffer costs more in page faults than the read itself.
 */

/** More output than this and the in-process search is the better way (the pattern is everywhere). */
export const OUTPUT_CAP = 64 * 1024 * 1024;

/**
 * Takes the whole lines of `out[from, to)` (the rest comes again with the next piece): the offset after the last line
 * taken, or -1 when the output makes no sense. `out` is only valid during the call.
 */
export type OutputParser = (out: Buffer, from: number, to: number) => number;

const PIECE_BYTES = 1 << 20;
let piece: Buffer | undefined;

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

/** A fresh private file, open for ripgrep to write into; undefined when the output is to come through a pipe. */
function openOutput(): { file: string; fd: number } | undefined {
  const file = outputFile();
  if (file === undefined) return undefined;
  try {
    return { file, fd: fs.openSync(file, 'wx+', 0o600) };
  } catch {
    return undefined;
  }
}

/** Closes and deletes an output file once read. */
function closeOutput(out: { file: string; fd: number }): void {
  fs.closeSync(out.fd);
  fs.rmSync(out.file, { force: true });
}

/** ripgrep run through the shell that sets the size limit, then becomes ripgrep (`exec`: no process in between). */
function capped(rg: string, args: string[], cap: number): [string, string[]] {
  // POSIX `ulimit -f` counts 512-byte blocks (a shell counting 1 KiB ones only allows more).
  return [SHELL, ['-c', `ulimit -f ${Math.ceil(cap / 512) + 1} && exec "$0" "$@"`, rg, ...args]];
}

/** Hands what was written into the file open as `fd` to `parse`, in pieces; false when over the cap, or refused. */
function readBack(fd: number, cap: number, parse: OutputParser): boolean {
  const size = fs.fstatSync(fd).size;
  if (size > cap) return false;
  // Taken while in use: a parse that started another ripgrep (it never does) would get a buffer of its own.
  let buf = piece ?? Buffer.allocUnsafe(PIECE_BYTES);
  piece = undefined;
  try {
    let filled = 0;
    let at = 0;
    while (at < size) {
      if (filled === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]); // one line longer than the buffer
      const n = fs.readSync(fd, buf, filled, Math.min(buf.length - filled, size - at), at);
      if (n === 0) return false;
      at += n;
      filled += n;
      const taken = parse(buf, 0, filled);
      if (taken < 0) return false;
      buf.copy(buf, 0, taken, filled);
      filled -= taken;
    }
    return filled === 0;
  } finally {
    if (buf.length === PIECE_BYTES) piece = buf;
  }
}

/** A whole output (a pipe's) to `parse`. */
function parseAll(status: number | null, stdout: Buffer, parse: OutputParser): boolean {
  return normalEnd(status) && parse(stdout, 0, stdout.length) === stdout.length;
}

/** ripgrep's exit status when it ran to the end: 0 (lines found) or 1 (none); 2 is an error (bad pattern, unreadable file). */
function normalEnd(status: number | null): boolean {
  return status === 0 || status === 1;
}

/** Runs ripgrep, waiting for it on this thread, and parses its output: false when it failed, or printed too much. */
export function ripgrepOutputSync(rg: string, args: string[], cwd: string, timeoutMs: number, parse: OutputParser, cap = OUTPUT_CAP): boolean {
  const out = openOutput();
  if (!out) {
    const run = spawnSync(rg, args, { cwd, maxBuffer: cap, timeout: timeoutMs, windowsHide: true });
    return !run.error && parseAll(run.status, run.stdout, parse);
  }
  try {
    const [cmd, argv] = capped(rg, args, cap);
    const run = spawnSync(cmd, argv, { cwd, stdio: ['ignore', out.fd, 'ignore'], timeout: timeoutMs });
    return !run.error && normalEnd(run.status) && readBack(out.fd, cap, parse);
  } finally {
    closeOutput(out);
  }
}

/** Runs ripgrep and parses its output: false when it failed, or printed too much. An abort kills it. */
export async function ripgrepOutput(rg: string, args: string[], cwd: string, parse: OutputParser, signal?: AbortSignal, cap = OUTPUT_CAP): Promise<boolean> {
  const out = openOutput();
  if (!out) {
    const run = await piped(rg, args, cwd, cap, signal);
    return run !== undefined && parseAll(run.status, run.stdout, parse);
  }
  try {
    const [cmd, argv] = capped(rg, args, cap);
    const status = await new Promise<number | null | undefined>((resolve) => {
      const child = spawn(cmd, argv, { cwd, stdio: ['ignore', out.fd, 'ignore'], signal });
      child.on('error', () => resolve(undefined));
      child.on('close', (code) => resolve(code));
    });
    return status !== undefined && normalEnd(status) && readBack(out.fd, cap, parse);
  } finally {
    closeOutput(out);
  }
}

function piped(rg: string, args: string[], cwd: string, cap: number, signal?: AbortSignal): Promise<{ status: number | null; stdout: Buffer } | undefined> {
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
