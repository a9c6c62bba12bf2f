// The run report's memory bounds (#18): hook tails stashed in an unlinked temporary file and read
// back in place, the JSON writer that waits for a slow reader, and jsonpath's lazy copy.
import { mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { SPOOL_MIN_BYTES, TailSpool } from '../../src/engine/tail-spool.ts';
import { lazyPlain, plain } from '../../src/output/formats.ts';
import { jsonChunks, writeChunks } from '../../src/output/render.ts';

const hook = (i: number, out: string) => ({ pod: `p-${i}`, result: 'succeeded', stdout: out, stderr: '', outputTruncated: true });

test('a stashed field reads back the same text, at the same place among the keys, and lives in no named file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
  const spool = TailSpool.open(dir);
  if (!spool) return t.fail('no spool');
  const text = `${'é'.repeat(SPOOL_MIN_BYTES)}\u{1F600}x`;
  const h = hook(1, text);
  const before = JSON.stringify(h, null, 2);
  spool.stash(h, 'stdout');
  spool.stash(h, 'stderr'); // empty: stays in memory
  t.is(spool.bytes, Buffer.byteLength(text), 'the text went to the file');
  t.true(typeof Object.getOwnPropertyDescriptor(h, 'stdout')?.get === 'function');
  t.is(Object.getOwnPropertyDescriptor(h, 'stderr')?.value, '');
  t.is(JSON.stringify(h, null, 2), before);
  t.deepEqual(Object.keys(h), ['pod', 'result', 'stdout', 'stderr', 'outputTruncated']);
  t.deepEqual(readdirSync(dir), [], 'file and folder were unlinked at once');
  if (process.platform === 'linux') {
    const links = readdirSync('/proc/self/fd').map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    });
    t.true(
      links.some((l) => l.startsWith(join(dir, 'ark-hooks-tails-')) && l.endsWith('(deleted)')),
      'the open file is the deleted one',
    );
  }
  h.stdout = 'assigned';
  t.is(h.stdout, 'assigned');
  spool.close();
  const other = hook(2, 'y'.repeat(SPOOL_MIN_BYTES));
  spool.stash(other, 'stdout');
  t.is(Object.getOwnPropertyDescriptor(other, 'stdout')?.value, 'y'.repeat(SPOOL_MIN_BYTES), 'a closed spool keeps text in memory');
});

test('a stashed field read after close is an error, never another file', (t) => {
  const spool = TailSpool.open(mkdtempSync(join(tmpdir(), 'spool-test-')));
  if (!spool) return t.fail('no spool');
  const h = hook(1, 'z'.repeat(1000));
  spool.stash(h, 'stdout');
  spool.close();
  t.throws(() => h.stdout, { message: /closed/ });
});

test('jsonChunks over stashed fields: exactly JSON.stringify(value, null, 2), the tails read one hook at a time', (t) => {
  const spool = TailSpool.open(mkdtempSync(join(tmpdir(), 'spool-test-')));
  if (!spool) return t.fail('no spool');
  const hooks = Array.from({ length: 40 }, (_, i) => hook(i, `${i}:`.padEnd(20_000, String.fromCharCode(97 + (i % 26)))));
  const report = { kind: 'HookRun', n: 10n, missing: undefined, phases: [{ phase: 'pre', pods: [{ hooks, empty: [], none: {} }] }] };
  const expected = `${JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
  for (const h of hooks) spool.stash(h, 'stdout');
  const chunks = [...jsonChunks(report, 4096)];
  t.is(chunks.join(''), expected);
  t.true(chunks.length >= hooks.length, 'chunks are made as they are asked for');
  t.true(Math.max(...chunks.map((c) => c.length)) < 4096 + 21_000, 'a chunk holds at most one tail beyond the chunk size');
  spool.close();
});

test('writeChunks waits for a paused reader: the bytes queued stay bounded, and all arrive once it reads', async (t) => {
  const value = { items: Array.from({ length: 2000 }, (_, i) => ({ i, text: 'x'.repeat(500) })) };
  const expected = `${JSON.stringify(value, null, 2)}\n`;
  const got: Buffer[] = [];
  let release: (() => void) | null = null;
  const paused = new Promise<void>((r) => (release = r));
  let maxQueued = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      paused.then(() => cb());
    },
  });
  const origWrite = out.write.bind(out);
  out.write = ((chunk: string) => {
    const ok = origWrite(chunk);
    maxQueued = Math.max(maxQueued, out.writableLength);
    return ok;
  }) as typeof out.write;
  const writing = writeChunks(jsonChunks(value), out);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  const queuedWhilePaused = out.writableLength;
  t.true(queuedWhilePaused < expected.length / 4, `queued ${queuedWhilePaused} of ${expected.length} bytes while paused`);
  (release as unknown as () => void)();
  await writing;
  t.true(maxQueued <= 16 * 1024 + 64 * 1024 + 600, `at most one chunk beyond the high-water mark was queued (${maxQueued})`);
  t.is(Buffer.concat(got).toString('utf8'), expected);
});

test('lazyPlain is plain() (JSON read back) for report-shaped data, without reading getters a template does not reach', (t) => {
  let reads = 0;
  const h: Record<string, unknown> = { a: 1, stdout: '', z: null };
  Object.defineProperty(h, 'stdout', { enumerable: true, configurable: true, get: () => (reads++, 'tail') });
  const value = {
    n: 5n,
    nan: Number.NaN,
    when: new Date(0),
    skip: undefined,
    fn: () => 1,
    list: [undefined, 1, 'two', { x: [true, null] }],
    ['__proto__']: { polluted: true },
    hooks: [h],
  };
  const lazy = lazyPlain(value) as Record<string, unknown>;
  t.is(reads, 0, 'no getter read by the copy');
  t.deepEqual(JSON.parse(JSON.stringify(lazy)), plain(value));
  t.is(reads, 2, 'read by the two JSON.stringify calls only');
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(Object.getPrototypeOf(lazy), Object.prototype);
});
