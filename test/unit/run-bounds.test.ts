// Pure pieces of the run machinery: timers of any length (with a fake clock), the streamed JSON
// report (byte-identical to JSON.stringify) and the names --output-dir builds paths from.
import test from 'ava';
import { longTimeout, MAX_TIMER_MS } from '../../src/kube/exec.ts';
import * as yaml from 'js-yaml';
import { jsonChunks, runYamlChunks, serialize } from '../../src/output/render.ts';
import { safeName } from '../../src/engine/output-dir.ts';
import { MAX_OUTPUT_BYTES, SHORT_OUTPUT_BYTES, tailBytes } from '../../src/flows/exec.ts';

/** A clock whose time moves only when a timer fires; timers above 2^31-1 ms fire at once, as Node's do. */
function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  return {
    get now() {
      return now;
    },
    clock: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        const delay = ms > MAX_TIMER_MS ? 1 : ms;
        timers.push({ at: now + delay, fn, id: ++id });
        return id;
      },
      clearTimeout: (h: never) => {
        const i = timers.findIndex((x) => x.id === (h as unknown as number));
        if (i >= 0) timers.splice(i, 1);
      },
    },
    /** Fires timers in order until none is left; returns when each fired. */
    runAll(): void {
      while (timers.length > 0) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers.shift() as { at: number; fn: () => void };
        now = t.at;
        t.fn();
      }
    },
  };
}

test('longTimeout fires at the deadline for 1 ms, 2^31-1 ms, 600 h and 720 h, and not before', (t) => {
  for (const ms of [1, MAX_TIMER_MS, MAX_TIMER_MS + 1, 600 * 3600_000, 720 * 3600_000]) {
    const c = fakeClock();
    let firedAt = null as number | null;
    longTimeout(() => (firedAt = c.now), ms, c.clock);
    c.runAll();
    t.is(firedAt, ms, `${ms} ms`);
  }
});

test('longTimeout can be cancelled between its chained timers', (t) => {
  const c = fakeClock();
  let fired = false;
  const cancel = longTimeout(() => (fired = true), 720 * 3600_000, c.clock);
  cancel();
  c.runAll();
  t.false(fired);
});

test('jsonChunks gives exactly what JSON.stringify(value, null, 2) does, in chunks', (t) => {
  const value = {
    a: [1, 'two', null, { b: [], c: {} }],
    d: undefined,
    e: 10n,
    f: 'x'.repeat(200_000),
    g: [undefined],
    h: new Date(0),
    nested: { deep: [[1, [2]]] },
  };
  const chunks = [...jsonChunks(value)];
  t.true(chunks.length > 1);
  t.is(chunks.join(''), JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
});

test('safeName: no separators, no dot names, no control characters, bounded, distinct names stay distinct', (t) => {
  t.is(safeName('web-0.svc_1'), 'web-0.svc_1', 'kubernetes names are kept');
  for (const raw of ['..', '.', '', '../../X', 'a/b', 'a\\b', 'x\u001b[2Jy', 'n\u0000', 'é', 'z'.repeat(500)]) {
    const s = safeName(raw);
    t.regex(s, /^[A-Za-z0-9._~-]+$/, raw);
    t.false(s === '.' || s === '..' || s.includes('/'), raw);
    t.true(s.length <= 100, raw);
  }
  t.not(safeName('p:2'), safeName('p*2'));
  t.not(safeName('p:2'), 'p_2');
});

test('runYamlChunks gives, pod by pod, a document that reads back as the report', (t) => {
  const hook = (i: number) => ({
    pod: `p-${i}`,
    result: 'succeeded',
    stdout: 'line 1\n\n  indented\nlast',
    stderr: '',
    exitCode: 0,
    command: ['sh', '-c', 'echo "a: b"'],
    timeout: null,
  });
  const report = {
    apiVersion: 'v1',
    kind: 'HookRun',
    source: { type: 'cluster' },
    startedAt: 'now',
    phases: [
      {
        phase: 'pre',
        pods: [
          { pod: 'p-0', hooks: [hook(0), hook(1)] },
          { pod: 'p-1', hooks: [] },
        ],
        summary: { hooks: 2 },
      },
      { phase: 'post', pods: [], summary: { hooks: 0 } },
    ],
    command: { argv: ['x'], exitCode: 0, signal: null },
    interrupted: null,
    summary: { hooks: 2 },
  };
  const chunks = [...runYamlChunks(report)];
  t.true(chunks.length > 3);
  t.deepEqual(yaml.load(chunks.join('')), yaml.load(serialize(report, 'yaml')));
  t.deepEqual(yaml.load(chunks.join('')), JSON.parse(JSON.stringify(report)));
});

test('a hook stream keeps the full tail only when something prints it', (t) => {
  t.is(tailBytes({ showOutput: false, reportShowsOutput: false }), SHORT_OUTPUT_BYTES, 'the table without --show-output');
  t.is(tailBytes({ showOutput: true, reportShowsOutput: false }), MAX_OUTPUT_BYTES, '--show-output');
  t.is(tailBytes({ showOutput: false, reportShowsOutput: true }), MAX_OUTPUT_BYTES, '-o json, yaml, jsonpath, …');
  t.is(SHORT_OUTPUT_BYTES, 4 * 1024);
  t.is(MAX_OUTPUT_BYTES, 64 * 1024);
});
