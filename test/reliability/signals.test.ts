// Signals sent to the real process: run stops starting hooks and accounts for all of them; wrap
// always runs post for every pod whose pre phase started. Every hook is accounted for against the
// server's exec log (test/support/accounting.ts). The running hooks are held by the server until
// the process has announced the signal, so the same hooks start in every run.
import test from 'ava';
import { accountFromExecLog } from '../support/accounting.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks, start } from '../support/cli.ts';
import { recordAccount, recordSignal } from '../support/reliability-log.ts';

/** A gate the server's exec handler waits on: opened once the process has reported the signal. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`run: ${signal} during a parallel run: no new hooks, every hook accounted for`, async (t) => {
    const s = await startApiServer();
    try {
      for (let i = 0; i < 12; i++)
        s.addPod('sig', `p-${String(i).padStart(2, '0')}`, { annotations: { 'pre.hook.backup.velero.io/command': '["sleep"]' } });
      const g = gate();
      s.execHandler = async () => (await g.wait, {});
      const kc = s.writeKubeconfig({ namespace: 'sig' });
      const plan = JSON.parse((await arkHooks(['dry-run', '--phase', 'pre', '--kubeconfig', kc, '-o', 'json'])).stdout);
      const p = start('kubectl', ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '--parallel', '3', '-o', 'json']);
      while (s.execs.length < 3) await new Promise((r) => setTimeout(r, 20));
      p.child.kill(signal);
      await Promise.race([p.waitFor(/starting no new hooks/), p.done]);
      g.open();
      const r = await p.done;
      const a = accountFromExecLog(s, plan, JSON.parse(r.stdout || 'null'));
      recordAccount(a, `run ${signal}`);
      recordSignal(signal, r.code, a, `run ${signal}`);
      t.deepEqual(a.lost, []);
      t.deepEqual([a.planned, a.ran, a.notRun], [12, 3, 9], 'the three running hooks finished; nine never started');
      t.is(r.code, signal === 'SIGINT' ? 130 : 143);
      const report = JSON.parse(r.stdout);
      t.is(report.summary.hooks, 12);
      t.is(report.summary.succeeded, s.execs.length, 'each started hook finished and is reported');
      t.is(s.execs.length, 3);
    } finally {
      await s.stop();
    }
  });

  test(`wrap: ${signal} during pre: post runs for exactly the pods whose pre started`, async (t) => {
    const s = await startApiServer();
    try {
      for (let i = 0; i < 6; i++)
        s.addPod('sigw', `p-${i}`, {
          annotations: { 'pre.hook.backup.velero.io/command': '["freeze"]', 'post.hook.backup.velero.io/command': '["thaw"]' },
        });
      const g = gate();
      s.execHandler = async (r) => (r.command[0] === 'freeze' ? (await g.wait, {}) : {});
      const kc = s.writeKubeconfig({ namespace: 'sigw' });
      const plan = JSON.parse((await arkHooks(['dry-run', '--kubeconfig', kc, '-o', 'json'])).stdout);
      const p = start('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--parallel', '2', '-o', 'json', '--', 'true']);
      while (s.execs.length < 2) await new Promise((r) => setTimeout(r, 20));
      p.child.kill(signal);
      await Promise.race([p.waitFor(/starting no new pre hooks/), p.done]);
      g.open();
      const r = await p.done;
      const a = accountFromExecLog(s, plan, JSON.parse(r.stdout || 'null'), { wrap: true });
      recordAccount(a, `wrap ${signal}`);
      recordSignal(signal, r.code, a, `wrap ${signal}`);
      t.deepEqual(a.lost, []);
      t.deepEqual(a.frozen, []);
      t.deepEqual(
        [a.planned, a.ran, a.notRun, a.notDue, a.thawed.length],
        [12, 4, 4, 4, 2],
        'two pods frozen and thawed; four never started',
      );
      t.is(r.code, signal === 'SIGINT' ? 130 : 143, r.stderr);
      const frozen = s.execs
        .filter((e) => e.command[0] === 'freeze')
        .map((e) => e.pod)
        .sort();
      const thawed = s.execs
        .filter((e) => e.command[0] === 'thaw')
        .map((e) => e.pod)
        .sort();
      t.deepEqual(thawed, frozen);
      t.is(frozen.length, 2);
    } finally {
      await s.stop();
    }
  });
}
