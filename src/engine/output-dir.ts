// --output-dir: each hook's full stdout and stderr, in FOLDER/<namespace>/<pod>/<phase>-<n>-<container>.
// Every part of those paths comes from the cluster, so each is sanitised (no separators, no `..`,
// no control characters, bounded length; a changed name gets a hash of the original, so distinct
// names never share a file), no symlink found in the folder is followed (folders are checked with
// lstat, files are created with O_EXCL|O_NOFOLLOW), and every path is checked to stay inside the
// folder. A write that fails (full disk, a removed folder) is reported and never stops the run.

import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { UsageError } from '../errors.ts';

const MAX_PART = 80;

/**
 * A file or folder name made from an untrusted string: safe characters only, never `.` or `..`.
 * node:crypto is loaded here, when a name needs its hash, not at the start of every command.
 */
export function safeName(raw: string): string {
  let s = raw.replace(/[^A-Za-z0-9._-]/g, '_');
  if (s === '' || /^\.+$/.test(s)) s = `_${s}`;
  if (s.length > MAX_PART) s = s.slice(0, MAX_PART);
  return s === raw ? s : `${s}~${process.getBuiltinModule('node:crypto').createHash('sha256').update(raw).digest('hex').slice(0, 10)}`;
}

export interface HookFiles {
  write(stream: 1 | 2, chunk: Buffer): void;
  close(): void;
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export class OutputDir {
  readonly root: string;
  private readonly warn: (message: string) => void;

  /** Creates the folder if needed; a path that is not a usable folder is a usage error (exit 2). */
  constructor(path: string, warn: (message: string) => void) {
    try {
      mkdirSync(path, { recursive: true });
      this.root = realpathSync(path);
      if (!lstatSync(this.root).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new UsageError(
        `invalid --output-dir "${path}": ${err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'it is not a folder' : (err.code ?? err.message)}`,
      );
    }
    this.warn = warn;
  }

  /** FOLDER/<ns>/<pod>, created one level at a time; a symlink on the way is refused. */
  private folder(parts: string[]): string {
    let dir = this.root;
    for (const part of parts) {
      dir = join(dir, part);
      try {
        mkdirSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) throw new Error(`${dir} is a symbolic link; not followed`);
      if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
    }
    return dir;
  }

  private create(file: string): number {
    if (!resolve(file).startsWith(this.root + sep)) throw new Error(`${file} is outside the folder`);
    let existing: ReturnType<typeof lstatSync> | null;
    try {
      existing = lstatSync(file);
    } catch {
      existing = null;
    }
    if (existing?.isSymbolicLink()) throw new Error(`${file} is a symbolic link; not followed`);
    if (existing?.isFile()) unlinkSync(file); // a previous run's output
    return openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o644);
  }

  /** Opens the two files of one hook; on failure warns and returns files that discard. */
  open(namespace: string, pod: string, phase: string, index: number, container: string | null): HookFiles {
    const fds: (number | null)[] = [null, null];
    const names: string[] = [];
    try {
      const dir = this.folder([safeName(namespace), safeName(pod)]);
      const base = `${phase}-${index}-${safeName(container ?? 'none')}`;
      for (const [i, ext] of ['stdout', 'stderr'].entries()) {
        names[i] = join(dir, `${base}.${ext}`);
        fds[i] = this.create(names[i] as string);
      }
    } catch (e) {
      this.fail(join(this.root, safeName(namespace), safeName(pod)), e);
    }
    const self = this;
    return {
      write(stream, chunk) {
        const fd = fds[stream - 1];
        if (fd === null || fd === undefined) return;
        try {
          for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
        } catch (e) {
          self.fail(names[stream - 1] as string, e);
          try {
            closeSync(fd);
          } catch {
            // already failing
          }
          fds[stream - 1] = null;
        }
      },
      close() {
        for (const [i, fd] of fds.entries()) {
          if (fd === null || fd === undefined) continue;
          fds[i] = null;
          try {
            closeSync(fd);
          } catch (e) {
            self.fail(names[i] as string, e);
          }
        }
      },
    };
  }

  private warned = 0;
  private fail(what: string, e: unknown) {
    const err = e as NodeJS.ErrnoException;
    this.warned++;
    if (this.warned <= 10) this.warn(`warning: --output-dir: ${what}: ${err?.message ?? String(e)}`);
    else if (this.warned === 11) this.warn('warning: --output-dir: further write failures are not shown');
  }
}
