// The scheduling logic of runPhase with an in-memory executor (the real one is tested end to end).
import test from 'ava';
import type { PodPlan } from '../../src/hooks/plan.ts';
import type { FindingCode } from '../../src/hooks/findings.ts';
import type { ResolvedHook } from '../../src/hooks/types.ts';
import type { ExecResult } from '../../src/kube/exec.ts';
import { runPhase } from '../../src/engine/phase.ts';
import { execsDue } from '../../src/engine/session.ts';
import { summarize } from '../../src/report/run-report.ts';

const hook = (cmd: string, onError: 'Fail' | 'Continue' = 'Fail'): ResolvedHook => ({
  phase: 'pre',
  source: { type: 'annotation', family: 'velero', legacy: false, key: 'k' },
  name: 'n',
  container: 'c',
  containerDefaulted: false,
  command: [cmd],
  onError,
  onErrorIfRejected: onError,
  timeoutNanos: 1_000_000_000n,
  findings: [],
});
const pod = (name: string, hooks: ResolvedHook[], extra: Partial<PodPlan> = {}): PodPlan => ({
  object: `ns/${name}`,
  kind: 'Pod',
  namespace: 'ns',
  name,
  hooks,
  findings: [],
  ...extra,
});
const result = (outcome: ExecResult['outcome'], exitCode: number | null): ExecResult => ({
  outcome,
  exitCode,
  message: outcome,
  stdout: Buffer.alloc(0),
  stderr: Buffer.alloc(0),
  stdoutTruncated: false,
  stderrTruncated: false,
});
const signals = () => ({ stop: new AbortController(), force: new AbortController() });

test('skipped pods, blocked hooks, Fail and Continue', async (t) => {
  const ran: string[] = [];
  const exec = async (p: PodPlan, h: ResolvedHook) => {
    ran.push(`${p.name}:${h.command[0]}`);
    return h.command[0] === 'bad' ? result('exit-code', 1) : result('succeeded', 0);
  };
  const s = signals();
  const missing = {
    ...hook('x'),
    findings: [{ severity: 'error' as const, code: 'container-not-found' as const, object: 'o', field: 'f', message: 'no such container' }],
  };
  const runs = await runPhase(
    [
      pod('a', [hook('bad', 'Continue'), hook('ok')]),
      pod('b', [hook('bad'), hook('never')]),
      pod('c', [missing, hook('after')]),
      pod('d', [hook('ok')], { skip: 'terminating' }),
    ],
    'pre',
    exec,
    { parallel: 1, failFast: false, stop: s.stop.signal, force: s.force.signal },
  );
  t.deepEqual(ran, ['a:bad', 'a:ok', 'b:bad']);
  t.deepEqual(
    runs.map((r) => r.hooks.map((h) => h.result)),
    [['failed', 'succeeded'], ['failed', 'not-run'], ['error', 'not-run'], ['skipped']],
  );
  t.is(runs[2]?.hooks[0]?.message, 'no such container');
  const sum = summarize(runs);
  t.deepEqual([sum.hooks, sum.succeeded, sum.failed, sum.skipped, sum.notRun, sum.failModeFailures], [7, 1, 3, 1, 2, 2]);
});

test('stop before start: every hook is accounted for as not-run', async (t) => {
  const s = signals();
  s.stop.abort();
  const runs = await runPhase([pod('a', [hook('x')]), pod('b', [hook('y'), hook('z')])], 'pre', async () => result('succeeded', 0), {
    parallel: 2,
    failFast: false,
    stop: s.stop.signal,
    force: s.force.signal,
  });
  t.deepEqual(
    runs.flatMap((r) => r.hooks.map((h) => h.result)),
    ['not-run', 'not-run', 'not-run'],
  );
});

test('a hook rejected before exec follows onErrorIfRejected (Ark and Velero <= 1.8 with on-error unset)', async (t) => {
  // pod_command_executor.go@v1.8.0 writes the default Fail only after the container check, so a
  // rejected hook with on-error unset lets the next hook run; an exec failure stops them.
  const ran: string[] = [];
  const exec = async (p: PodPlan, h: ResolvedHook) => {
    ran.push(`${p.name}:${h.command[0]}`);
    return h.command[0] === 'bad' ? result('exit-code', 1) : result('succeeded', 0);
  };
  const s = signals();
  const unset = (cmd: string): ResolvedHook => ({ ...hook(cmd, 'Fail'), onErrorIfRejected: 'Continue' });
  const rejected = {
    ...unset('x'),
    findings: [{ severity: 'error' as const, code: 'container-not-found' as const, object: 'o', field: 'f', message: 'no such container' }],
  };
  const runs = await runPhase([pod('a', [rejected, unset('next')]), pod('b', [unset('bad'), unset('never')])], 'pre', exec, {
    parallel: 1,
    failFast: false,
    stop: s.stop.signal,
    force: s.force.signal,
  });
  t.deepEqual(ran, ['a:next', 'b:bad']);
  t.deepEqual(
    runs.map((r) => r.hooks.map((h) => h.result)),
    [
      ['error', 'succeeded'],
      ['failed', 'not-run'],
    ],
  );
  t.deepEqual(
    runs.map((r) => r.hooks.map((h) => h.onError)),
    [
      ['Continue', 'Fail'],
      ['Fail', 'Fail'],
    ],
    'the report shows the on-error that applied',
  );
  t.is(summarize(runs).failModeFailures, 1, 'only the exec failure counts as a Fail-mode failure');
});

test("stop during a hook: the pod's next hooks are not started, and say why", async (t) => {
  const s = signals();
  const ran: string[] = [];
  const exec = async (_p: PodPlan, h: ResolvedHook) => {
    ran.push(h.command[0] as string);
    if (h.command[0] === 'first') s.stop.abort();
    return result('succeeded', 0);
  };
  const runs = await runPhase([pod('a', [hook('first'), hook('second'), hook('third')])], 'pre', exec, {
    parallel: 1,
    failFast: false,
    stop: s.stop.signal,
    force: s.force.signal,
  });
  t.deepEqual(ran, ['first']);
  t.deepEqual(
    runs[0]?.hooks.map((h) => [h.result, h.message]),
    [
      ['succeeded', 'succeeded'],
      ['not-run', 'not started: interrupted'],
      ['not-run', 'not started: interrupted'],
    ],
  );
});

// Strengthened while measuring mutation scores (bench/MUTATION.md): each test pins down one
// behaviour of runPhase/summarize that only the e2e files checked before.
const opts = (s: ReturnType<typeof signals>, extra: Partial<Parameters<typeof runPhase>[3]> = {}) => ({
  parallel: 1,
  failFast: false,
  stop: s.stop.signal,
  force: s.force.signal,
  ...extra,
});
const finding = (code: FindingCode, message: string = code) => ({ severity: 'error' as const, code, object: 'o', field: 'f', message });

test('every ExecResult outcome maps to its hook result; exit code, output and truncation are kept', async (t) => {
  const outcomes: ExecResult['outcome'][] = ['succeeded', 'exit-code', 'timeout', 'error', 'refused', 'connection-lost', 'interrupted'];
  const exec = async (_p: PodPlan, h: ResolvedHook): Promise<ExecResult> => {
    const outcome = h.command[0] as ExecResult['outcome'];
    return {
      outcome,
      exitCode: outcome === 'exit-code' ? 7 : null,
      message: `m-${outcome}`,
      stdout: Buffer.from(`o-${outcome}`),
      stderr: Buffer.from(`e-${outcome}`),
      stdoutTruncated: outcome === 'timeout',
      stderrTruncated: outcome === 'error',
    };
  };
  const runs = await runPhase(
    outcomes.map((o) => pod(o, [hook(o, 'Continue')])),
    'pre',
    exec,
    opts(signals()),
  );
  t.deepEqual(
    runs.map((r) => r.hooks[0]?.result),
    ['succeeded', 'failed', 'timeout', 'error', 'error', 'error', 'interrupted'],
  );
  const failed = runs[1]?.hooks[0];
  t.like(failed, {
    exitCode: 7,
    message: 'm-exit-code',
    stdout: 'o-exit-code',
    stderr: 'e-exit-code',
    outputTruncated: false,
    index: 1,
    name: 'n',
    container: 'c',
    onError: 'Continue',
    timeout: '1s',
    phase: 'pre',
    pod: 'exit-code',
    namespace: 'ns',
  });
  t.deepEqual(
    runs.map((r) => r.hooks[0]?.outputTruncated),
    [false, false, true, true, false, false, false],
  );
  for (const r of runs) {
    const h = r.hooks[0];
    t.true(typeof h?.startedAt === 'string' && typeof h.finishedAt === 'string' && typeof h.durationMs === 'number' && h.durationMs >= 0);
  }
  const sum = summarize(runs);
  t.deepEqual([sum.pods, sum.hooks, sum.succeeded, sum.failed, sum.interrupted, sum.failModeFailures], [7, 7, 1, 5, 1, 0]);
});

test('an interrupted Fail-mode hook skips the rest of its pod and counts as a Fail-mode failure', async (t) => {
  const runs = await runPhase([pod('a', [hook('x'), hook('y')])], 'pre', async () => result('interrupted', null), opts(signals()));
  t.deepEqual(
    runs[0]?.hooks.map((h) => [h.result, h.message]),
    [
      ['interrupted', 'interrupted'],
      ['not-run', 'not run: hook 1 failed with on-error Fail'],
    ],
  );
  const sum = summarize(runs);
  t.deepEqual([sum.interrupted, sum.notRun, sum.failModeFailures, sum.failed], [1, 1, 1, 0]);
});

test('--fail-fast: no pod starts after a Fail-mode failure; Continue failures do not trip it', async (t) => {
  const ran: string[] = [];
  const exec = async (p: PodPlan, h: ResolvedHook) => (
    ran.push(p.name), h.command[0] === 'bad' ? result('exit-code', 2) : result('succeeded', 0)
  );
  const runs = await runPhase(
    [pod('a', [hook('bad', 'Continue')]), pod('b', [hook('bad')]), pod('c', [hook('ok')]), pod('d', [hook('ok'), hook('ok')])],
    'pre',
    exec,
    opts(signals(), { failFast: true }),
  );
  t.deepEqual(ran, ['a', 'b']);
  t.deepEqual(
    runs.map((r) => r.started),
    [true, true, false, false],
  );
  t.deepEqual(
    runs[3]?.hooks.map((h) => [h.result, h.message, h.index]),
    [
      ['not-run', 'not started: --fail-fast after an earlier failure', 1],
      ['not-run', 'not started: --fail-fast after an earlier failure', 2],
    ],
  );
  const all = await runPhase([pod('a', [hook('bad')]), pod('b', [hook('ok')])], 'pre', async () => result('exit-code', 1), opts(signals()));
  t.deepEqual(
    all.map((r) => r.started),
    [true, true],
    'without --fail-fast every pod runs',
  );
});

test("--parallel: exactly that many pods at once, each pod's hooks in order; callbacks report progress", async (t) => {
  let open = 0;
  let most = 0;
  const order: string[] = [];
  const exec = async (p: PodPlan, h: ResolvedHook) => {
    most = Math.max(most, ++open);
    order.push(`${p.name}:${h.command[0]}`);
    await new Promise((r) => setImmediate(r));
    open--;
    return result('succeeded', 0);
  };
  const started: string[] = [];
  const doneHooks: string[] = [];
  const podsDone: [string, number, number][] = [];
  const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n, [hook('1'), hook('2')]));
  await runPhase(
    pods,
    'pre',
    exec,
    opts(signals(), {
      parallel: 3,
      onHookStart: (p, h) => started.push(`${p.name}:${h.command[0]}`),
      onHookDone: (r) => void doneHooks.push(`${r.pod}:${r.index}`),
      onPodDone: (r, d, n) => void podsDone.push([r.pod, d, n]),
    }),
  );
  t.is(most, 3);
  for (const n of ['a', 'b', 'c', 'd', 'e']) t.true(order.indexOf(`${n}:1`) < order.indexOf(`${n}:2`));
  t.is(started.length, 10);
  t.is(doneHooks.length, 10);
  t.deepEqual(
    podsDone.map(([, d, n]) => [d, n]),
    [
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ],
  );
  most = 0;
  await runPhase(pods, 'pre', exec, opts(signals(), { parallel: 1 }));
  t.is(most, 1);
  most = 0;
  await runPhase(pods.slice(0, 2), 'pre', exec, opts(signals(), { parallel: 0 }));
  t.is(most, 1, 'at least one worker');
});

test('only the hooks of the phase run; a pod without hooks of that phase is not counted', async (t) => {
  const post = { ...hook('p'), phase: 'post' as const };
  const ran: string[] = [];
  const runs = await runPhase(
    [pod('a', [hook('x'), post]), pod('b', [post])],
    'pre',
    async (_p, h) => (ran.push(h.command[0] as string), result('succeeded', 0)),
    opts(signals()),
  );
  t.deepEqual(ran, ['x']);
  t.deepEqual(
    runs.map((r) => r.hooks.length),
    [1, 0],
  );
  t.is(summarize(runs).pods, 1);
  const postRuns = await runPhase([pod('a', [hook('x'), post])], 'post', async () => result('succeeded', 0), opts(signals()));
  t.deepEqual(
    postRuns[0]?.hooks.map((h) => [h.phase, h.command[0], h.index]),
    [['post', 'p', 1]],
  );
});

test("blocking problems: which findings stop a hook before exec, with the finding's message", async (t) => {
  const ran: string[] = [];
  const exec = async (p: PodPlan) => (ran.push(p.name), result('succeeded', 0));
  const withFinding = (code: FindingCode) => ({ ...hook('x', 'Continue'), findings: [finding(code, `msg ${code}`)] });
  const blocking: FindingCode[] = [
    'container-not-found',
    'no-containers',
    'invalid-container',
    'command-empty',
    'empty-hook-name',
    'pod-not-running',
    'container-not-running',
  ];
  const pods = [
    ...blocking.map((c) => pod(c, [withFinding(c)])),
    pod('pod-level', [hook('x', 'Continue')], { findings: [finding('pod-not-running', 'the pod is Pending')] }),
    pod('annotation-array', [withFinding('command-not-string-array')]),
    pod('spec-array', [
      {
        ...withFinding('command-not-string-array'),
        source: { type: 'spec', backup: 'b', resource: 'r', index: 0 } as unknown as ResolvedHook['source'],
      },
    ]),
    pod('warning-only', [{ ...hook('x'), findings: [{ ...finding('empty-timeout'), severity: 'warning' as const }] }]),
    pod('no-container', [{ ...hook('x', 'Continue'), container: null }]),
    pod('no-command', [{ ...hook('x', 'Continue'), command: [] }]),
  ];
  const runs = await runPhase(pods, 'pre', exec, opts(signals()));
  t.deepEqual(ran, ['annotation-array', 'warning-only']);
  const by = Object.fromEntries(runs.map((r) => [r.pod, r.hooks[0]]));
  for (const c of blocking) t.like(by[c], { result: 'error', message: `msg ${c}` }, c);
  t.like(by['pod-level'], { result: 'error', message: 'the pod is Pending' });
  t.like(by['spec-array'], { result: 'error', message: 'msg command-not-string-array' });
  t.like(by['no-container'], { result: 'error', message: 'no container to run in' });
  t.like(by['no-command'], { result: 'error', message: 'command is required' });
  t.true(typeof by['no-command']?.startedAt === 'string', 'a blocked hook still has its times');
});

test('a skipped pod reports every hook skipped with the reason, and runs none', async (t) => {
  const runs = await runPhase(
    [pod('a', [hook('x'), hook('y')], { skip: 'pod phase is Succeeded' })],
    'pre',
    async () => t.fail() as never,
    opts(signals()),
  );
  t.deepEqual(
    runs[0]?.hooks.map((h) => [h.result, h.message]),
    [
      ['skipped', 'skipped: pod phase is Succeeded'],
      ['skipped', 'skipped: pod phase is Succeeded'],
    ],
  );
  t.true(runs[0]?.started);
  t.deepEqual(summarize(runs).skipped, 2);
});

test('the force signal reaches the executor', async (t) => {
  const s = signals();
  const seen: AbortSignal[] = [];
  await runPhase([pod('a', [hook('x')])], 'pre', async (_p, _h, sig) => (seen.push(sig), result('succeeded', 0)), opts(s));
  t.deepEqual(seen, [s.force.signal]);
});

test("a Fail-mode timeout skips the pod's rest; hooks that never ran carry no output and say why", async (t) => {
  const runs = await runPhase([pod('a', [hook('slow'), hook('next')])], 'pre', async () => result('timeout', null), opts(signals()));
  t.deepEqual(
    runs[0]?.hooks.map((h) => h.result),
    ['timeout', 'not-run'],
  );
  t.like(runs[0]?.hooks[1], {
    message: 'not run: hook 1 failed with on-error Fail',
    stdout: '',
    stderr: '',
    outputTruncated: false,
    exitCode: null,
    durationMs: null,
  });
  t.is(summarize(runs).failModeFailures, 1);
  const s = signals();
  s.stop.abort();
  const never = await runPhase([pod('b', [hook('x')])], 'pre', async () => result('succeeded', 0), opts(s));
  t.like(never[0]?.hooks[0], { result: 'not-run', message: 'not started: interrupted', stdout: '', stderr: '', outputTruncated: false });
});

test("a hook's duration is its finish minus its start", async (t) => {
  const runs = await runPhase(
    [pod('a', [hook('x')])],
    'pre',
    async () => (await new Promise((r) => setTimeout(r, 5)), result('succeeded', 0)),
    opts(signals()),
  );
  const h = runs[0]?.hooks[0];
  t.is(h?.durationMs, Date.parse(h?.finishedAt as string) - Date.parse(h?.startedAt as string));
});

test('execsDue counts exactly the execs runPhase makes when every exec succeeds, and the pods they are in', async (t) => {
  const blocked = (onError: 'Fail' | 'Continue') => ({
    ...hook('x', onError),
    findings: [{ severity: 'error' as const, code: 'container-not-found' as const, object: 'o', field: 'f', message: 'no such container' }],
  });
  const noContainer = { ...hook('y', 'Continue'), container: null };
  const pods = [
    pod('a', [hook('1'), hook('2', 'Continue'), hook('3')]),
    pod('b', [blocked('Fail'), hook('never')]),
    pod('c', [blocked('Continue'), hook('after'), noContainer, hook('last')]),
    pod('d', [hook('ok')], { skip: 'terminating' }),
    pod('e', [blocked('Continue')]),
    pod('f', []),
  ];
  for (const parallel of [1, 3]) {
    let calls = 0;
    const s = signals();
    await runPhase(
      pods,
      'pre',
      async () => {
        calls++;
        return result('succeeded', 0);
      },
      { parallel, failFast: false, stop: s.stop.signal, force: s.force.signal },
    );
    t.deepEqual(execsDue(pods, 'pre'), { execs: calls, pods: 2 }, `--parallel ${parallel}`);
  }
  t.is(execsDue(pods, 'pre').execs, 5, 'a: 3, c: after and last');
});
