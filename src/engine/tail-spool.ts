// The tails of hook output (up to 64 KiB per stream) that the report prints at the end: kept in a
// private temporary file instead of memory, so that 1,000 chatty hooks cost a few MB, not 125 (#18).
// The file is created 0600 in a 0700 folder of its own and unlinked at once (the folder too): it has
// no name from then on, so nothing is left behind whatever ends the process (a signal, a crash,
// SIGKILL). Where the system cannot unlink an open file (Windows), it is removed when the spool is
// closed or the process exits. A spool that cannot be created or written keeps the text in memory:
// the run never depends on it.
//
// A stashed field stays an enumerable property at its place in the object, read back from the file
// each time it is read, so every renderer (json, yaml, jsonpath, custom-columns) sees the same object,
// in the same key order, as before, and holds one hook's output at a time.

import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Texts shorter than this stay in memory: a file write and read would cost more than they hold. */
export const SPOOL_MIN_BYTES = 256;

export class TailSpool {
  private fd: number | null;
  private size = 0;
  private readonly leftover: string | null;
  private readonly removeAtExit = () => this.remove();

  private constructor(fd: number, leftover: string | null) {
    this.fd = fd;
    this.leftover = leftover;
    if (leftover) process.once('exit', this.removeAtExit);
  }

  /** A spool in a new private folder of `dir` (default: the system's temporary folder), or null when it cannot be made. */
  // node:os is loaded here, not at start (every command would load it; list -f's start-up is measured).
  static open(dir: string = process.getBuiltinModule('node:os').tmpdir()): TailSpool | null {
    let folder: string;
    try {
      folder = mkdtempSync(join(dir, 'ark-hooks-tails-')); // mode 0700
    } catch {
      return null;
    }
    const file = join(folder, 'tails');
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    } catch {
      rmSync(folder, { recursive: true, force: true });
      return null;
    }
    try {
      unlinkSync(file);
      rmSync(folder, { recursive: true, force: true });
      return new TailSpool(fd, null);
    } catch {
      return new TailSpool(fd, folder); // an open file cannot be unlinked here: removed at close or exit
    }
  }

  /** Bytes written to the file so far. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Moves the string `obj[key]` to the file; reading the property reads it back (assigning it keeps
   * the new value in memory). Short texts, and any text when the file cannot be written, stay as they are.
   */
  stash<T extends object>(obj: T, key: keyof T & string): void {
    const text = (obj as Record<string, unknown>)[key];
    if (typeof text !== 'string' || text.length < SPOOL_MIN_BYTES || this.fd === null) return;
    const bytes = Buffer.from(text, 'utf8');
    const at = this.size;
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, at + off);
    } catch {
      return; // a full disk: the text stays in memory
    }
    this.size += bytes.length;
    const length = bytes.length;
    Object.defineProperty(obj, key, {
      enumerable: true,
      configurable: true,
      get: () => this.read(at, length),
      set: (value: unknown) => Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true }),
    });
  }

  private read(at: number, length: number): string {
    if (this.fd === null) throw new Error('the hook output spool is closed');
    const buf = Buffer.allocUnsafe(length);
    for (let off = 0; off < length; ) {
      const n = readSync(this.fd, buf, off, length - off, at + off);
      if (n === 0) throw new Error('the hook output spool is shorter than written');
      off += n;
    }
    return buf.toString('utf8');
  }

  /** Closes the file (stashed fields can no longer be read) and removes what is left of it. */
  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
    this.remove();
  }

  private remove(): void {
    if (!this.leftover) return;
    process.off('exit', this.removeAtExit);
    try {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    } catch {
      // closed
    }
    try {
      rmSync(this.leftover, { recursive: true, force: true });
    } catch {
      // nothing more can be done; the folder is private (0700)
    }
  }
}
