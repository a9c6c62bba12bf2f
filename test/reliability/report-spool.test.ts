// `run -o json` with hooks that print more than the 64 KiB tail (#18): the tails wait for the report in
// an unlinked temporary file, so the document must be what it always was, checked against a golden
// made from the run's own --output-dir files (the last 64 KiB of each, as the report has always cut
// them), and nothing may be left in the temporary folder after the run or after SIGINT/SIGTERM.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecRequest } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks, start } from '../support/cli.ts';

const TAIL = 64 * 1024;

/** Output unique to each pod and stream, with multi-byte characters that the 64 KiB cut can split. */
function output(pod: string, stream: string, bytes: number): Buffer {
  const line = `${pod} ${stream} é€😀 `;
  let text = '';
  for (let i = 0; Buffer.byteLength(text) < bytes; i++) text += `${line}${i}\n`;
  return Buffer.from(text);
}

const behaviour = (r: ExecRequest) =>
  r.command[0] === 'small'
    ? { stdout: 'small\n' }
    : { stdout: output(r.pod, 'out', 150 * 1024 + r.pod.length), stderr: output(r.pod, 'err', 70 * 1024) };

interface Hook {
  namespace: string;
  pod: string;
  phase: string;
  index: number;
  container: string;
  stdout: string;
  stderr: string;
  outputTruncated: boolean;
  result: string;
}

/** The golden entry fields of a hook from its --output-dir files. */
function fromFiles(dir: string, h: Hook) {
  const file = (ext: string) => readFileSync(join(dir, h.namespace, h.pod, `${h.phase}-${h.index}-${h.container}.${ext}`));
  const [out, err] = [file('stdout'), file('stderr')];
  return {
    stdout: out.subarray(Math.max(0, out.length - TAIL)).toString('utf8'),
    stderr: err.subarray(Math.max(0, err.length - TAIL)).toString('utf8'),
    outputTruncated: out.length > TAIL || err.length > TAIL,
  };
}

/** What the spool may have left in the temporary folder (Node keeps its compile cache there too). */
const spoolLeft = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith('ark-hooks-tails-'));

const hooksOf = (report: { phases: { pods: { hooks: Hook[] }[] }[] }): Hook[] =>
  report.phases.flatMap((p) => p.pods.flatMap((x) => x.hooks));

/** Links of the process's open files that point into `dir` (Linux). */
function openFilesIn(pid: number, dir: string): string[] {
  return readdirSync(`/proc/${pid}/fd`)
    .map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((l) => l.startsWith(dir));
}

test('run -o json: hooks printing more than the tail give the same document, tails from the run own files; no temp file left', async (t) => {
  const s = await startApiServer();
  try {
    for (let i = 0; i < 6; i++) s.addPod('spool', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["big"]' } });
    s.addPod('spool', 'tiny', { annotations: { 'pre.hook.backup.velero.io/command': '["small"]' } });
    s.execHandler = behaviour;
    const kc = s.writeKubeconfig({ namespace: 'spool' });
    const tmp = mkdtempSync(join(tmpdir(), 'ark-hooks-tmp-'));
    const dir = join(mkdtempSync(join(tmpdir(), 'ark-hooks-out-')), 'out');
    const r = await arkHooks(['run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '--parallel', '3', '-o', 'json', '--output-dir', dir], {
      env: { TMPDIR: tmp },
    });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(spoolLeft(tmp), [], 'nothing left in the temporary folder');
    const report = JSON.parse(r.stdout);
    t.is(r.stdout, `${JSON.stringify(report, null, 2)}\n`, 'the document is JSON.stringify(report, null, 2)');
    const hooks = hooksOf(report);
    t.is(hooks.length, 7);
    const tiny = hooks.find((h) => h.pod === 'tiny') as Hook;
    t.is(tiny.stdout, 'small\n');
    for (const h of hooks) {
      t.is(h.result, 'succeeded');
      t.deepEqual(Object.keys(h), Object.keys(tiny), `${h.pod}: the keys of a hook entry, in order`);
      const golden = fromFiles(dir, h);
      t.deepEqual({ stdout: h.stdout, stderr: h.stderr, outputTruncated: h.outputTruncated }, golden, h.pod);
      if (h.pod !== 'tiny') t.true(h.outputTruncated && h.stdout.length < TAIL + 8 && h.stdout.includes(`${h.pod} out`));
    }
    // jsonpath reads the tails back from the file too.
    const y = await arkHooks(
      ['run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '-o', 'jsonpath={.phases[0].pods[2].hooks[0].stderr}'],
      {
        env: { TMPDIR: tmp },
      },
    );
    t.is(y.code, 0, y.stderr);
    t.is(y.stdout, fromFiles(dir, hooks[2] as Hook).stderr, 'the output files are those of the earlier run, and the hooks print the same');
    t.deepEqual(spoolLeft(tmp), []);
  } finally {
    await s.stop();
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`run -o json: ${signal} mid-run with tails in the temporary file: the report has them and nothing is left`, async (t) => {
    const s = await startApiServer();
    try {
      for (let i = 0; i < 8; i++) s.addPod('spools', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["big"]' } });
      let open = () => {};
      const gate = new Promise<void>((r) => (open = r));
      let n = 0;
      s.execHandler = async (r) => {
        if (++n > 2) await gate; // the first two finish, the next two are held
        return behaviour(r);
      };
      const kc = s.writeKubeconfig({ namespace: 'spools' });
      const tmp = mkdtempSync(join(tmpdir(), 'ark-hooks-tmp-'));
      const dir = join(mkdtempSync(join(tmpdir(), 'ark-hooks-out-')), 'out');
      const p = start(
        'kubectl',
        ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '--parallel', '2', '-o', 'json', '--output-dir', dir],
        {
          env: { TMPDIR: tmp },
        },
      );
      await p.waitFor(/\[2\/8\]/);
      while (s.execs.length < 4) await new Promise((r) => setTimeout(r, 20));
      if (process.platform === 'linux' && p.child.pid) {
        const files = openFilesIn(p.child.pid, tmp);
        t.true(
          files.some((f) => f.includes('ark-hooks-tails-') && f.endsWith('(deleted)')),
          `the tails are in an unlinked file of TMPDIR (${files.join(', ')})`,
        );
      }
      t.deepEqual(spoolLeft(tmp), [], 'no name in the temporary folder while running');
      p.child.kill(signal);
      await Promise.race([p.waitFor(/starting no new hooks/), p.done]);
      open();
      const r = await p.done;
      t.is(r.code, signal === 'SIGINT' ? 130 : 143, r.stderr);
      t.deepEqual(spoolLeft(tmp), [], 'nothing left after the signal');
      const ran = hooksOf(JSON.parse(r.stdout)).filter((h) => h.result === 'succeeded');
      t.is(ran.length, 4);
      for (const h of ran)
        t.deepEqual({ stdout: h.stdout, stderr: h.stderr, outputTruncated: h.outputTruncated }, fromFiles(dir, h), h.pod);
    } finally {
      await s.stop();
    }
  });
}
