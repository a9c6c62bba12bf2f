// Signals sent to the real process: run stops starting hooks and accounts for all of them; wrap
// always runs post for every pod whose pre phase started.
import test from 'ava';
import { startApiServer } from '../support/apiserver.ts';
import { start } from '../support/cli.ts';
import { record } from '../support/reliability-log.ts';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`run: ${signal} during a parallel run: no new hooks, every hook accounted for`, async (t) => {
    const s = await startApiServer();
    try {
      for (let i = 0; i < 12; i++) s.addPod('sig', `p-${String(i).padStart(2, '0')}`, { annotations: { 'pre.hook.backup.velero.io/command': '["sleep"]' } });
      s.execHandler = () => ({ delayMs: 600 });
      const kc = s.writeKubeconfig({ namespace: 'sig' });
      const p = start('kubectl', ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '--parallel', '3', '-o', 'json']);
      while (s.execs.length < 3) await new Promise((r) => setTimeout(r, 20));
      p.child.kill(signal);
      const r = await p.done;
      t.is(r.code, signal === 'SIGINT' ? 130 : 143);
      const report = JSON.parse(r.stdout);
      t.is(report.summary.hooks, 12);
      t.is(report.summary.succeeded, s.execs.length, 'each started hook finished and is reported');
      t.true(s.execs.length < 12);
      record('signals', 1, `run ${signal}`);
      record('hooks', 12, `run ${signal}`);
    } finally {
      await s.stop();
    }
  });

  test(`wrap: ${signal} during pre: post runs for exactly the pods whose pre started`, async (t) => {
    const s = await startApiServer();
    try {
      for (let i = 0; i < 6; i++) s.addPod('sigw', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["freeze"]', 'post.hook.backup.velero.io/command': '["thaw"]' } });
      s.execHandler = (r) => (r.command[0] === 'freeze' ? { delayMs: 500 } : {});
      const kc = s.writeKubeconfig({ namespace: 'sigw' });
      const p = start('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--parallel', '2', '--', 'true']);
      while (s.execs.length < 2) await new Promise((r) => setTimeout(r, 20));
      p.child.kill(signal);
      const r = await p.done;
      t.is(r.code, signal === 'SIGINT' ? 130 : 143, r.stderr);
      const frozen = s.execs.filter((e) => e.command[0] === 'freeze').map((e) => e.pod).sort();
      const thawed = s.execs.filter((e) => e.command[0] === 'thaw').map((e) => e.pod).sort();
      t.deepEqual(thawed, frozen);
      t.true(frozen.length >= 2 && frozen.length < 6);
      record('signals', 1, `wrap ${signal}`);
      record('hooks', frozen.length * 2, `wrap ${signal}`);
    } finally {
      await s.stop();
    }
  });
}
