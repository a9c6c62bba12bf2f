// --output-dir is a trust boundary (issue #12, "Files"): namespace, pod and container names come from
// the cluster, so no name may lead a write outside the folder, and files placed in the folder
// beforehand (symlinks) are never followed. Checked through the real process and the file system.
import test from 'ava';
import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startApiServer } from '../support/apiserver.ts';
import { run } from '../support/cli.ts';
import { recordInputs } from '../support/reliability-log.ts';

const V = 'hook.backup.velero.io';

/** Every file and symlink under `root`, as paths relative to it. */
function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) visit(p);
      else out.push(relative(root, p));
    }
  };
  visit(root);
  return out.sort();
}

/** base/a/b/out: deep enough that a climbing name has somewhere to land. */
function folders() {
  const base = mkdtempSync(join(tmpdir(), 'od-'));
  const out = join(base, 'a', 'b', 'out');
  mkdirSync(out, { recursive: true });
  return { base, out };
}

const outside = (base: string) => walk(base).filter((f) => !f.startsWith(join('a', 'b', 'out') + '/'));

test('a container annotation ../../../../../../X writes nothing outside the folder (a hook that never ran too)', async (t) => {
  const s = await startApiServer();
  try {
    s.addPod('od1', 'p-0', {
      containers: ['app'],
      annotations: { [`pre.${V}/command`]: '["ok"]', [`pre.${V}/container`]: '../../../../../../X', [`pre.${V}/on-error`]: 'Continue' },
    });
    s.addPod('od1', 'p-1', {
      containers: ['app', '../../../../../../Y'],
      annotations: { [`pre.${V}/command`]: '["ok"]', [`pre.${V}/container`]: '../../../../../../Y' },
    });
    const { base, out } = folders();
    const r = await run('kubectl', [
      'ark-hooks',
      'run',
      '--phase',
      'pre',
      '--kubeconfig',
      s.writeKubeconfig({ namespace: 'od1' }),
      '--yes',
      '--output-dir',
      out,
    ]);
    t.is(r.code, 1, r.stderr); // p-0's hook fails (no such container), on-error Continue: still a failed hook
    t.deepEqual(outside(base), []);
    t.is(walk(out).length, 4, walk(out).join(' '));
    t.true(walk(out).every((f) => f.split('/').every((part) => part !== '..' && part !== '.')));
    recordInputs(2, 'output-dir container names');
  } finally {
    await s.stop();
  }
});

test('a pod and namespace named .. write nothing above the folder', async (t) => {
  const s = await startApiServer();
  try {
    s.addPod('..', '..', { annotations: { [`pre.${V}/command`]: '["ok"]' } });
    const { base, out } = folders();
    const r = await run('kubectl', [
      'ark-hooks',
      'run',
      '--phase',
      'pre',
      '-A',
      '--kubeconfig',
      s.writeKubeconfig(),
      '--yes',
      '--output-dir',
      out,
    ]);
    t.not(r.code, null, r.stderr);
    t.deepEqual(outside(base), []);
    t.is(walk(out).length, 2, walk(out).join(' '));
    recordInputs(1, 'output-dir pod ..');
  } finally {
    await s.stop();
  }
});

test('pre-placed symlinks (a file and a folder) are not followed; distinct names never share a file', async (t) => {
  const s = await startApiServer();
  try {
    s.addPod('od3', 'p-0', { annotations: { [`pre.${V}/command`]: '["ok"]' } });
    s.addPod('od3', 'p-1', { annotations: { [`pre.${V}/command`]: '["ok"]' } });
    s.addPod('od3', 'p:2', { annotations: { [`pre.${V}/command`]: '["ok"]' } });
    s.addPod('od3', 'p*2', { annotations: { [`pre.${V}/command`]: '["ok"]' } });
    const { base, out } = folders();
    const victim = join(base, 'victim');
    writeFileSync(victim, 'precious\n');
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(out, 'od3', 'p-0'), { recursive: true });
    symlinkSync(victim, join(out, 'od3', 'p-0', 'pre-1-app.stdout'));
    symlinkSync(elsewhere, join(out, 'od3', 'p-1'));
    const r = await run('kubectl', [
      'ark-hooks',
      'run',
      '--phase',
      'pre',
      '--kubeconfig',
      s.writeKubeconfig({ namespace: 'od3' }),
      '--yes',
      '--output-dir',
      out,
    ]);
    t.is(r.code, 0, r.stderr);
    t.is(readFileSync(victim, 'utf8'), 'precious\n', 'the symlinked file was not written through');
    t.deepEqual(readdirSync(elsewhere), [], 'the symlinked folder was not written into');
    t.regex(r.stderr, /warning: --output-dir: .*symbolic link/);
    const dirs = readdirSync(join(out, 'od3')).filter((d) => d.startsWith('p') && d !== 'p-0' && d !== 'p-1');
    t.is(dirs.length, 2, `p:2 and p*2 get two folders: ${dirs.join(' ')}`);
    recordInputs(3, 'output-dir symlinks and collisions');
  } finally {
    await s.stop();
  }
});
