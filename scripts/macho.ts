// Ad-hoc code signing of a thin 64-bit Mach-O executable, and an independent structural check.
// macOS on Apple Silicon kills unsigned arm64 binaries, and injecting the single-executable blob
// removes Node's own signature; no npm or Debian tool signs Mach-O on Linux, so we do it here.
// Format: Apple's cs_blobs.h (SuperBlob → CodeDirectory v0x20400 with SHA-256 page hashes, an
// empty requirement set and an empty CMS wrapper). Mach-O headers are little-endian, code-signing
// blobs big-endian.

import { createHash } from 'node:crypto';

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSMAGIC_REQUIREMENTS = 0xfade0c01;
const CSMAGIC_BLOBWRAPPER = 0xfade0b01;
const CSSLOT_CODEDIRECTORY = 0;
const CSSLOT_REQUIREMENTS = 2;
const CSSLOT_SIGNATURESLOT = 0x10000;
const CS_ADHOC = 0x2;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const CD_HEADER = 88; // CodeDirectory v0x20400 fixed fields

interface Segment {
  name: string;
  cmdOffset: number;
  vmsize: bigint;
  fileoff: bigint;
  filesize: bigint;
}

interface Parsed {
  ncmds: number;
  sizeofcmds: number;
  segments: Segment[];
  firstSectionOffset: number;
  codeSignature?: { cmdOffset: number; dataoff: number; datasize: number };
}

function parse(buf: Buffer): Parsed {
  if (buf.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a thin 64-bit little-endian Mach-O file');
  const ncmds = buf.readUInt32LE(16);
  const sizeofcmds = buf.readUInt32LE(20);
  const out: Parsed = { ncmds, sizeofcmds, segments: [], firstSectionOffset: buf.length };
  let off = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(off);
    const cmdsize = buf.readUInt32LE(off + 4);
    if (cmd === LC_SEGMENT_64) {
      const name = buf.toString('latin1', off + 8, off + 24).replace(/\0.*$/s, '');
      const seg: Segment = {
        name,
        cmdOffset: off,
        vmsize: buf.readBigUInt64LE(off + 32),
        fileoff: buf.readBigUInt64LE(off + 40),
        filesize: buf.readBigUInt64LE(off + 48),
      };
      out.segments.push(seg);
      const nsects = buf.readUInt32LE(off + 64);
      for (let s = 0; s < nsects; s++) {
        const sect = off + 72 + s * 80;
        const fileOffset = buf.readUInt32LE(sect + 48);
        const size = buf.readBigUInt64LE(sect + 40);
        if (fileOffset > 0 && size > 0n) out.firstSectionOffset = Math.min(out.firstSectionOffset, fileOffset);
      }
    } else if (cmd === LC_CODE_SIGNATURE) {
      out.codeSignature = { cmdOffset: off, dataoff: buf.readUInt32LE(off + 8), datasize: buf.readUInt32LE(off + 12) };
    }
    off += cmdsize;
  }
  return out;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

function superBlob(blobs: [number, Buffer][]): Buffer {
  const header = 12 + blobs.length * 8;
  const total = header + blobs.reduce((n, [, b]) => n + b.length, 0);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(CSMAGIC_EMBEDDED_SIGNATURE, 0);
  out.writeUInt32BE(total, 4);
  out.writeUInt32BE(blobs.length, 8);
  let pos = header;
  blobs.forEach(([type, blob], i) => {
    out.writeUInt32BE(type, 12 + i * 8);
    out.writeUInt32BE(pos, 16 + i * 8);
    blob.copy(out, pos);
    pos += blob.length;
  });
  return out;
}

/** Returns a copy of `input` with an ad-hoc signature for `identifier`. */
export function adhocSign(input: Buffer, identifier: string): Buffer {
  const p = parse(input);
  const linkedit = p.segments.find((s) => s.name === '__LINKEDIT');
  const text = p.segments.find((s) => s.name === '__TEXT');
  if (!linkedit || !text) throw new Error('no __LINKEDIT or __TEXT segment');

  let body: Buffer;
  let cmdOffset: number;
  if (p.codeSignature) {
    // Re-sign: drop the old signature, keep its load command slot.
    body = Buffer.from(input.subarray(0, p.codeSignature.dataoff));
    cmdOffset = p.codeSignature.cmdOffset;
  } else {
    cmdOffset = 32 + p.sizeofcmds;
    if (cmdOffset + 16 > p.firstSectionOffset) throw new Error('no room for LC_CODE_SIGNATURE in the load commands');
    body = Buffer.from(input);
  }
  const codeLimit = align(body.length, 16);
  if (body.length < codeLimit) body = Buffer.concat([body, Buffer.alloc(codeLimit - body.length)]);

  const ident = Buffer.from(identifier + '\0', 'utf8');
  const nCodeSlots = Math.ceil(codeLimit / PAGE);
  const nSpecialSlots = 2;
  const hashOffset = CD_HEADER + ident.length + nSpecialSlots * 32;
  const cdLength = hashOffset + nCodeSlots * 32;
  const requirements = Buffer.alloc(12);
  requirements.writeUInt32BE(CSMAGIC_REQUIREMENTS, 0);
  requirements.writeUInt32BE(12, 4);
  const cms = Buffer.alloc(8);
  cms.writeUInt32BE(CSMAGIC_BLOBWRAPPER, 0);
  cms.writeUInt32BE(8, 4);
  const sigSize = align(12 + 3 * 8 + cdLength + requirements.length + cms.length, 16);

  // Header edits come first: the page hashes cover them.
  if (!p.codeSignature) {
    body.writeUInt32LE(p.ncmds + 1, 16);
    body.writeUInt32LE(p.sizeofcmds + 16, 20);
  }
  body.writeUInt32LE(LC_CODE_SIGNATURE, cmdOffset);
  body.writeUInt32LE(16, cmdOffset + 4);
  body.writeUInt32LE(codeLimit, cmdOffset + 8);
  body.writeUInt32LE(sigSize, cmdOffset + 12);
  const linkeditSize = BigInt(codeLimit + sigSize) - linkedit.fileoff;
  body.writeBigUInt64LE(linkeditSize, linkedit.cmdOffset + 48);
  body.writeBigUInt64LE(BigInt(align(Number(linkeditSize), 0x4000)), linkedit.cmdOffset + 32);

  const cd = Buffer.alloc(cdLength);
  cd.writeUInt32BE(CSMAGIC_CODEDIRECTORY, 0);
  cd.writeUInt32BE(cdLength, 4);
  cd.writeUInt32BE(0x20400, 8);
  cd.writeUInt32BE(CS_ADHOC, 12);
  cd.writeUInt32BE(hashOffset, 16);
  cd.writeUInt32BE(CD_HEADER, 20);
  cd.writeUInt32BE(nSpecialSlots, 24);
  cd.writeUInt32BE(nCodeSlots, 28);
  cd.writeUInt32BE(codeLimit, 32);
  cd.writeUInt8(32, 36); // hashSize
  cd.writeUInt8(2, 37); // CS_HASHTYPE_SHA256
  cd.writeUInt8(0, 38); // platform
  cd.writeUInt8(PAGE_BITS, 39);
  // spare2, scatterOffset, teamOffset, spare3 and codeLimit64 stay 0
  cd.writeBigUInt64BE(text.fileoff, 64); // execSegBase
  cd.writeBigUInt64BE(text.filesize, 72); // execSegLimit
  cd.writeBigUInt64BE(BigInt(CS_EXECSEG_MAIN_BINARY), 80);
  ident.copy(cd, CD_HEADER);
  // Special slot -2 (requirements) sits just before slot 0; slot -1 (Info.plist) stays zero.
  createHash('sha256')
    .update(requirements)
    .digest()
    .copy(cd, hashOffset - 2 * 32);
  for (let i = 0; i < nCodeSlots; i++) {
    createHash('sha256')
      .update(body.subarray(i * PAGE, Math.min(codeLimit, (i + 1) * PAGE)))
      .digest()
      .copy(cd, hashOffset + i * 32);
  }
  const sig = superBlob([
    [CSSLOT_CODEDIRECTORY, cd],
    [CSSLOT_REQUIREMENTS, requirements],
    [CSSLOT_SIGNATURESLOT, cms],
  ]);
  return Buffer.concat([body, sig, Buffer.alloc(sigSize - sig.length)]);
}

export interface SignatureCheck {
  ok: boolean;
  problems: string[];
  identifier?: string;
  pages?: number;
}

/** Re-reads a signed file and recomputes everything; shares no code path with adhocSign's writer. */
export function verifySignature(buf: Buffer): SignatureCheck {
  const problems: string[] = [];
  let p: Parsed;
  try {
    p = parse(buf);
  } catch (e) {
    return { ok: false, problems: [(e as Error).message] };
  }
  const cs = p.codeSignature;
  if (!cs) return { ok: false, problems: ['no LC_CODE_SIGNATURE'] };
  if (cs.dataoff + cs.datasize !== buf.length) problems.push(`signature ends at ${cs.dataoff + cs.datasize}, file at ${buf.length}`);
  const linkedit = p.segments.find((s) => s.name === '__LINKEDIT');
  if (!linkedit || linkedit.fileoff + linkedit.filesize !== BigInt(buf.length))
    problems.push('__LINKEDIT does not end at the end of the file');
  if (linkedit && linkedit.vmsize < linkedit.filesize) problems.push('__LINKEDIT vmsize is smaller than its filesize');
  const sb = buf.subarray(cs.dataoff);
  if (sb.readUInt32BE(0) !== CSMAGIC_EMBEDDED_SIGNATURE) return { ok: false, problems: [...problems, 'no embedded-signature SuperBlob'] };
  const count = sb.readUInt32BE(8);
  let cdOff = -1;
  const types: number[] = [];
  for (let i = 0; i < count; i++) {
    const type = sb.readUInt32BE(12 + i * 8);
    types.push(type);
    if (type === CSSLOT_CODEDIRECTORY) cdOff = sb.readUInt32BE(16 + i * 8);
  }
  if (!types.includes(CSSLOT_REQUIREMENTS)) problems.push('no requirements blob');
  if (cdOff < 0) return { ok: false, problems: [...problems, 'no CodeDirectory'] };
  const cd = sb.subarray(cdOff);
  if (cd.readUInt32BE(0) !== CSMAGIC_CODEDIRECTORY) return { ok: false, problems: [...problems, 'bad CodeDirectory magic'] };
  const flags = cd.readUInt32BE(12);
  if ((flags & CS_ADHOC) === 0) problems.push('not an ad-hoc signature');
  const hashOffset = cd.readUInt32BE(16);
  const identOffset = cd.readUInt32BE(20);
  const nSpecial = cd.readUInt32BE(24);
  const nCode = cd.readUInt32BE(28);
  const codeLimit = cd.readUInt32BE(32);
  const hashSize = cd.readUInt8(36);
  const pageSize = 1 << cd.readUInt8(39);
  if (hashSize !== 32 || cd.readUInt8(37) !== 2) problems.push('not SHA-256');
  if (codeLimit !== cs.dataoff) problems.push(`codeLimit ${codeLimit} != dataoff ${cs.dataoff}`);
  if (nCode !== Math.ceil(codeLimit / pageSize)) problems.push('wrong number of code slots');
  const identifier = cd.toString('utf8', identOffset, cd.indexOf(0, identOffset));
  let bad = 0;
  for (let i = 0; i < nCode; i++) {
    const want = cd.subarray(hashOffset + i * 32, hashOffset + (i + 1) * 32);
    const got = createHash('sha256')
      .update(buf.subarray(i * pageSize, Math.min(codeLimit, (i + 1) * pageSize)))
      .digest();
    if (!got.equals(want)) bad++;
  }
  if (bad > 0) problems.push(`${bad} of ${nCode} page hashes do not match`);
  if (nSpecial >= 2) {
    const reqIndex = types.indexOf(CSSLOT_REQUIREMENTS);
    const reqOff = sb.readUInt32BE(16 + reqIndex * 8);
    const req = sb.subarray(reqOff, reqOff + sb.readUInt32BE(reqOff + 4));
    const want = cd.subarray(hashOffset - 2 * 32, hashOffset - 32);
    if (!createHash('sha256').update(req).digest().equals(want)) problems.push('requirements hash (special slot -2) does not match');
  }
  return { ok: problems.length === 0, problems, identifier, pages: nCode };
}
