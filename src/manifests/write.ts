// Writing edited manifests back (annotate --local --in-place): each file is replaced atomically, by a
// temporary file in its own directory renamed over it, with the original's mode; a symlink is
// followed, so the file it points to is replaced and the link stays.

import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class NotReplaceable extends Error {}

/** 8 random hex digits; node:crypto is loaded here only (it costs every command's start-up ~5 ms when imported). */
const randomHex = () => process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex');

/** Refuses a file whose bytes are no longer the text that was edited (or were not UTF-8). */
function checkUnchanged(real: string, original: string) {
  const bytes = readFileSync(real);
  if (bytes.equals(Buffer.from(original, 'utf8'))) return;
  throw new NotReplaceable(
    bytes.toString('utf8') === original
      ? 'it is not valid UTF-8, so it cannot be written back byte for byte'
      : 'it changed since it was read; run the command again',
  );
}

/** The file a path names, after symlinks; throws (ENOENT, EACCES…, NotReplaceable) when it cannot be replaced. */
export function checkReplaceable(path: string, original: string): string {
  const real = realpathSync(path);
  if (!statSync(real).isFile()) throw new NotReplaceable('not a regular file');
  accessSync(real, constants.W_OK);
  accessSync(dirname(real), constants.W_OK);
  checkUnchanged(real, original);
  return real;
}

/** Replaces `real` (resolved by checkReplaceable) with `text`, or leaves it as it was. */
export function replaceFile(real: string, text: string, original: string): void {
  const st = statSync(real);
  const tmp = join(dirname(real), `.${basename(real)}.ark-hooks-${process.pid}-${randomHex()}.tmp`);
  const fd = openSync(tmp, 'wx', st.mode & 0o7777);
  try {
    try {
      const buf = Buffer.from(text, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      fchmodSync(fd, st.mode & 0o7777);
      try {
        fchownSync(fd, st.uid, st.gid);
      } catch {
        // only root may give a file away; the new file is then the user's own, as with any editor
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    checkUnchanged(real, original);
    renameSync(tmp, real);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
