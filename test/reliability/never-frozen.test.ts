// "Never leave a pod frozen, never report less than what ran" (issue #11), attacked through the real
// process: signals (SIGHUP, SIGQUIT, a closed terminal, a second and third signal, SIGKILL), closed
// output pipes, failed --output-dir writes, huge timeouts, the confirmation prompt, duplicated
// scopes, huge reports, a signal during the exec handshake, throttled and dropped exec upgrades.
// Every verdict comes from the test API server's exec log: a pod is frozen when a freeze exec
// reached it, thawed when a thaw exec finished with a status.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { baseEnv, run, start } from '../support/cli.ts';
import { accountFromExecLog } from '../support/accounting.ts';
import { recordAccount, recordFaults, recordInputs, recordSignals, recordThaw } from '../support/reliability-log.ts';

const V = 'hook.backup.velero.io';
const FREEZE_THAW = { [`pre.${V}/command`]: '["freeze"]', [`post.${V}/command`]: '["thaw"]' };
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `nf-${p}-`));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `ok()` (a guard against hanging, not a timing assertion). */
async function until(ok: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Frozen and thawed pods, counted from the server's exec log. */
function ledger(s: TestApiServer, ns: string) {
  const inNs = s.execs.filter((e) => e.namespace === ns);
  const frozen = [...new Set(inNs.filter((e) => e.command[0] === 'freeze').map((e) => e.pod))].sort();
  const thawed = [...new Set(inNs.filter((e) => e.command[0] === 'thaw' && e.ended === 'status').map((e) => e.pod))].sort();
  return { frozen, thawed, lost: frozen.filter((p) => !thawed.includes(p)) };
}

function assertNoneLost(t: ExecutionContext, s: TestApiServer, ns: string, detail: string, minFrozen = 1) {
  const l = ledger(s, ns);
  recordThaw(l.frozen, l.thawed, detail);
  t.true(l.frozen.length >= minFrozen, `${detail}: frozen ${l.frozen.length}`);
  t.deepEqual(l.lost, [], `${detail}: frozen and not thawed`);
}

async function server(ns: string, pods: number, annotations: Record<string, string> = FREEZE_THAW) {
  const s = await startApiServer();
  for (let i = 0; i < pods; i++) s.addPod(ns, `p-${i}`, { annotations });
  return { s, kc: s.writeKubeconfig({ namespace: ns }) };
}

/** COMMAND for wrap: writes its pid, then sleeps as that same process. */
function sleeper(dir: string): { argv: string[]; pidFile: string; started: () => Promise<number> } {
  const pidFile = join(dir, 'command.pid');
  const started = async () => {
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 'COMMAND to start');
    return Number(readFileSync(pidFile, 'utf8'));
  };
  return { argv: ['sh', '-c', `echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 600`], pidFile, started };
}

// ---- 1. SIGHUP, SIGQUIT, a closed terminal, SIGKILL ------------------------------------------

for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
  test(`wrap: ${signal} during COMMAND: COMMAND ends, post runs for every frozen pod, report printed`, async (t) => {
    const ns = `hq-${signal.toLowerCase()}`;
    const { s, kc } = await server(ns, 3);
    try {
      const dir = tmp('cmd');
      const cmd = sleeper(dir);
      const p = start('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '-o', 'json', '--', ...cmd.argv]);
      const pid = await cmd.started();
      t.teardown(() => alive(pid) && process.kill(pid, 'SIGKILL'));
      p.child.kill(signal);
      const r = await p.done;
      t.is(r.code, signal === 'SIGHUP' ? 129 : 131, r.stderr);
      assertNoneLost(t, s, ns, `wrap ${signal} during command`, 3);
      t.false(alive(pid), 'COMMAND does not outlive the plugin');
      const report = JSON.parse(r.stdout);
      t.is(report.interrupted, signal);
      t.is(report.summary.hooks, 6);
      t.is(report.summary.succeeded, 6);
      recordSignals(1, `wrap ${signal}`);
    } finally {
      await s.stop();
    }
  });
}

test('wrap: SIGHUP during pre: post runs for exactly the pods whose pre started', async (t) => {
  const ns = 'hup-pre';
  const { s, kc } = await server(ns, 6, { [`pre.${V}/command`]: '["freeze","slow"]', [`post.${V}/command`]: '["thaw"]' });
  try {
    s.execHandler = (r) => (r.command[1] === 'slow' ? { delayMs: 400 } : {});
    const p = start('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--parallel', '2', '-o', 'json', '--', 'true']);
    await until(() => s.execs.length >= 2, 'two freezes');
    p.child.kill('SIGHUP');
    const r = await p.done;
    t.is(r.code, 129, r.stderr);
    assertNoneLost(t, s, ns, 'wrap SIGHUP during pre', 2);
    t.true(JSON.parse(r.stdout).command.skipped);
    recordSignals(1, 'wrap SIGHUP pre');
  } finally {
    await s.stop();
  }
});

test('run: SIGHUP stops starting hooks and still prints a report of every hook', async (t) => {
  const { s, kc } = await server('hup-run', 8, { [`pre.${V}/command`]: '["slow"]' });
  try {
    s.execHandler = () => ({ delayMs: 300 });
    const p = start('kubectl', ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '--parallel', '2', '-o', 'json']);
    await until(() => s.execs.length >= 2, 'two hooks');
    p.child.kill('SIGHUP');
    const r = await p.done;
    t.is(r.code, 129, r.stderr);
    const report = JSON.parse(r.stdout);
    t.is(report.summary.hooks, 8);
    t.is(report.summary.succeeded, s.execs.filter((e) => e.ended === 'status').length, 'each hook that ran is reported');
    recordSignals(1, 'run SIGHUP');
  } finally {
    await s.stop();
  }
});

test('wrap: the terminal goes away (pty closed) during COMMAND: post runs, COMMAND ends', async (t) => {
  const ns = 'pty';
  const { s, kc } = await server(ns, 3);
  try {
    const dir = tmp('pty');
    const cmd = sleeper(dir);
    const pluginPid = join(dir, 'plugin.pid');
    const launcher = join(dir, 'launch.sh');
    writeFileSync(
      launcher,
      `#!/bin/sh\necho $$ > ${pluginPid}\nexec kubectl ark-hooks wrap --kubeconfig ${kc} --yes -- ${cmd.argv.slice(0, 2).join(' ')} '${cmd.argv[2]}'\n`,
    );
    chmodSync(launcher, 0o755);
    const term = spawn('script', ['-qfec', launcher, '/dev/null'], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    term.stdout.resume();
    term.stderr.resume();
    const pid = await cmd.started();
    t.teardown(() => alive(pid) && process.kill(pid, 'SIGKILL'));
    const plugin = Number(readFileSync(pluginPid, 'utf8'));
    term.kill('SIGKILL'); // the terminal emulator dies: the pty is hung up
    await until(() => !alive(plugin), 'the plugin to finish');
    assertNoneLost(t, s, ns, 'wrap pty closed', 3);
    t.false(alive(pid), 'COMMAND does not outlive the plugin');
    recordSignals(1, 'pty closed');
  } finally {
    await s.stop();
  }
});

test("wrap on a terminal: COMMAND is in the terminal's foreground, reads the keyboard, gets one Ctrl-C; post runs", async (t) => {
  const ns = 'tty';
  const { s, kc } = await server(ns, 2);
  try {
    const dir = tmp('tty');
    const log = join(dir, 'command.log');
    // pgrp and the terminal's foreground pgrp (fields 5 and 8 of /proc/PID/stat), a line read from the keyboard, then Ctrl-C.
    const body = `cut -d' ' -f5,8 /proc/$$/stat > ${log}; trap 'echo INT >> ${log}; exit 7' INT; echo ready >> ${log}; read line; echo "read:$line" >> ${log}; while :; do sleep 1; done`;
    const script = join(dir, 'command.sh');
    writeFileSync(script, body + '\n');
    const term = spawn('script', ['-qfec', `kubectl ark-hooks wrap --kubeconfig ${kc} --yes -- sh ${script}`, '/dev/null'], {
      env: baseEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    term.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    term.stderr.resume();
    const done = new Promise<number | null>((resolve) => term.on('close', (code) => resolve(code)));
    const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n') : []);
    await until(() => lines().includes('ready'), 'COMMAND to start');
    term.stdin.write('hello\r');
    await until(() => lines().includes('read:hello'), 'COMMAND to read the keyboard');
    term.stdin.write('\x03');
    const code = await done;
    term.stdin.destroy();
    const [pgrp, tpgid] = (lines()[0] ?? '').split(' ');
    t.is(pgrp, tpgid, 'COMMAND is in the foreground process group of the terminal');
    t.deepEqual(
      lines().filter((l) => l === 'INT'),
      ['INT'],
      'Ctrl-C reached COMMAND',
    );
    t.regex(screen, /SIGINT: stopping the command; the post hooks run next/, 'the plugin did not send a second SIGINT');
    t.is(code, 130, screen);
    assertNoneLost(t, s, ns, 'wrap on a terminal, Ctrl-C', 2);
    recordSignals(1, 'terminal Ctrl-C');
  } finally {
    await s.stop();
  }
});

test('wrap: SIGKILL of the plugin during COMMAND: COMMAND dies too, and the thaw command printed up front thaws every pod', async (t) => {
  const ns = 'kill9';
  const { s, kc } = await server(ns, 3);
  try {
    const dir = tmp('kill');
    const cmd = sleeper(dir);
    const p = start('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--', ...cmd.argv]);
    let stderr = '';
    p.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    // 'exit', not 'close': an orphaned COMMAND would hold the plugin's pipes open.
    const exited = new Promise<NodeJS.Signals | null>((resolve) => p.child.once('exit', (_code, sig) => resolve(sig)));
    const pid = await cmd.started();
    t.teardown(() => alive(pid) && process.kill(pid, 'SIGKILL'));
    p.child.kill('SIGKILL');
    t.is(await exited, 'SIGKILL');
    await until(() => !alive(pid), 'COMMAND to end after the plugin was killed (it sleeps 600 s)', 60_000);
    t.deepEqual(ledger(s, ns).lost, ['p-0', 'p-1', 'p-2'], 'SIGKILL cannot be survived: the pods stay frozen');
    const line = /^\s*(kubectl ark-hooks run --phase post .*)$/m.exec(stderr)?.[1];
    t.truthy(line, stderr);
    const thaw = await run('sh', ['-c', line as string]);
    t.is(thaw.code, 0, thaw.stderr);
    assertNoneLost(t, s, ns, 'wrap SIGKILL + printed thaw command', 3);
    recordSignals(1, 'SIGKILL');
  } finally {
    await s.stop();
  }
});

test('wrap: two signals during post are survived; the third abandons it and prints the exact thaw command for the pods left', async (t) => {
  const ns = 'third';
  const { s, kc } = await server(ns, 3, { [`pre.${V}/command`]: '["freeze"]', [`post.${V}/command`]: '["thaw","slow"]' });
  try {
    let hold = true;
    s.execHandler = async (r) => {
      while (r.command[1] === 'slow' && r.pod !== 'p-0' && hold) await sleep(20);
      return {};
    };
    const p = start('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--parallel', '1', '--', 'true']);
    await until(() => s.execs.some((e) => e.command[0] === 'thaw' && e.pod === 'p-1'), 'post of p-1 to start');
    p.child.kill('SIGINT');
    await p.waitFor(/SIGINT: the post hooks are running/);
    p.child.kill('SIGTERM');
    await p.waitFor(/once more to abandon/);
    t.true(alive(p.child.pid as number), 'a second signal does not abandon post');
    p.child.kill('SIGINT');
    const r = await p.done;
    hold = false;
    t.is(r.code, 130, r.stderr);
    const line = /^\s*(kubectl ark-hooks run --phase post .*)$/m.exec(r.stderr.split('abandoning the post phase')[1] ?? '')?.[1] ?? '';
    t.regex(line, / p-1 p-2$/, 'scoped to the pods not thawed yet');
    t.notRegex(line, /p-0/);
    const thaw = await run('sh', ['-c', line]);
    t.is(thaw.code, 0, thaw.stderr);
    assertNoneLost(t, s, ns, 'third signal + printed thaw command', 3);
    recordSignals(3, 'post signals');
  } finally {
    await s.stop();
  }
});

// ---- 2. closed output pipes ------------------------------------------------------------------

/** Runs the plugin with stdout and stderr read until their first byte, then closed (like `| head -c1`). */
function closedPipes(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn('kubectl', ['ark-hooks', ...args], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) stream.once('data', () => stream.destroy());
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
}

test('run | head: a closed pipe stops the printing, not the work, and a failure stays a failure', async (t) => {
  const { s, kc } = await server('pipe-run', 6, { [`pre.${V}/command`]: '["ok"]' });
  try {
    s.addPod('pipe-run', 'z-fails', { annotations: { [`pre.${V}/command`]: '["fail"]' } });
    s.execHandler = (r) => (r.command[0] === 'fail' ? { exitCode: 3 } : { stdout: 'x\n'.repeat(1000) });
    const r = await closedPipes(['run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '--parallel', '1', '--show-output']);
    t.is(r.code, 1, 'the failing hook decides the exit code');
    t.is(s.execs.length, 7, 'every hook ran');
    recordFaults(s, 'closed pipe run');
  } finally {
    await s.stop();
  }
});

test('wrap | head: a closed pipe stops the printing; COMMAND runs and every pod is thawed', async (t) => {
  const ns = 'pipe-wrap';
  const { s, kc } = await server(ns, 2);
  try {
    const marker = join(tmp('pipe'), 'ran');
    const r = await closedPipes(['wrap', '--kubeconfig', kc, '--yes', '--parallel', '1', '--', 'sh', '-c', `touch ${marker}`]);
    t.is(r.code, 0);
    t.true(existsSync(marker), 'COMMAND ran');
    assertNoneLost(t, s, ns, 'closed pipe wrap', 2);
  } finally {
    await s.stop();
  }
});

// ---- 3. --output-dir failures ------------------------------------------------------------------

test('wrap --output-dir: a container named side/car (ENOENT before the fix) neither aborts post nor escapes the folder', async (t) => {
  const ns = 'od-slash';
  const s = await startApiServer();
  try {
    s.addPod(ns, 'p-0', {
      containers: ['app', 'side/car'],
      annotations: { ...FREEZE_THAW, [`pre.${V}/container`]: 'side/car', [`post.${V}/container`]: 'side/car' },
    });
    const kc = s.writeKubeconfig({ namespace: ns });
    const dir = tmp('out');
    const r = await run('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--output-dir', dir, '--', 'true']);
    t.is(r.code, 0, r.stderr);
    assertNoneLost(t, s, ns, 'output-dir side/car');
    const files = readdirSync(join(dir, ns, 'p-0'));
    t.is(files.length, 4, files.join(' '));
    t.true(files.every((f) => !f.includes('/')));
  } finally {
    await s.stop();
  }
});

test('wrap --output-dir pointing at a file (ENOTDIR) is refused before anything is frozen', async (t) => {
  const ns = 'od-file';
  const { s, kc } = await server(ns, 2);
  try {
    const file = join(tmp('odf'), 'a-file');
    writeFileSync(file, 'x');
    const r = await run('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--output-dir', file, '--', 'true']);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /--output-dir/);
    t.is(r.stderr.trim().split('\n').length, 1);
    t.is(s.execs.length, 0);
  } finally {
    await s.stop();
  }
});

test('wrap --output-dir on a full disk (ENOSPC): post runs, the report is complete, a warning names the folder', async (t) => {
  const ns = 'od-full';
  const { s, kc } = await server(ns, 3);
  try {
    s.execHandler = () => ({ stdout: Buffer.alloc(64 * 1024, 'z') });
    const dir = tmp('full');
    const probe = await run('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=16k none ${dir}`]);
    if (probe.code !== 0) return t.fail(`unshare/tmpfs unavailable: ${probe.stderr}`);
    const r = await run('unshare', [
      '-rm',
      'sh',
      '-c',
      `mount -t tmpfs -o size=16k none ${dir} && exec kubectl ark-hooks wrap --kubeconfig ${kc} --yes -o json --output-dir ${dir} -- true`,
    ]);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /warning: .*ENOSPC/);
    assertNoneLost(t, s, ns, 'output-dir ENOSPC', 3);
    t.is(JSON.parse(r.stdout).summary.succeeded, 6);
    recordFaults(s, 'ENOSPC');
  } finally {
    await s.stop();
  }
});

// ---- 4. long timeouts ---------------------------------------------------------------------------

test('a 720h timeout does not fire early (setTimeout overflows above 2^31-1 ms)', async (t) => {
  const ns = 'long';
  const { s, kc } = await server(ns, 1, { ...FREEZE_THAW, [`pre.${V}/timeout`]: '720h', [`post.${V}/timeout`]: '600h' });
  try {
    s.execHandler = () => ({ delayMs: 300 });
    const r = await run('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '-o', 'json', '--', 'true']);
    t.is(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    t.deepEqual(
      report.phases.map((p: { pods: { hooks: { result: string; timeout: string }[] }[] }) => p.pods[0]?.hooks[0]?.result),
      ['succeeded', 'succeeded'],
    );
    assertNoneLost(t, s, ns, 'long timeouts');
  } finally {
    await s.stop();
  }
});

// ---- 5. the confirmation prompt -------------------------------------------------------------------

async function atPrompt(kc: string, keys: string): Promise<number | null> {
  const term = spawn('script', ['-qfec', `kubectl ark-hooks run --phase pre --kubeconfig ${kc}`, '/dev/null'], {
    env: baseEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  term.stderr.resume();
  const done = new Promise<number | null>((resolve) => term.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    term.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (/\[y\/N\]/.test(out)) resolve();
    });
  });
  term.stdin.write(keys);
  const code = await done;
  term.stdin.destroy();
  return code;
}

for (const [name, keys] of [
  ['Ctrl-C', '\x03'],
  ['Ctrl-D', '\x04'],
  ['n', 'n\r'],
] as const) {
  test(`run: ${name} at the [y/N] prompt runs nothing and exits non-zero`, async (t) => {
    const { s, kc } = await server(`prompt-${name.length}`, 1, { [`pre.${V}/command`]: '["ok"]' });
    try {
      const code = await atPrompt(kc, keys);
      t.not(code, 0);
      t.is(s.execs.length, 0);
    } finally {
      await s.stop();
    }
  });
}

// ---- 6. duplicated scopes ---------------------------------------------------------------------

test('a Backup that names its namespace twice, or a list that repeats a pod, runs each hook once', async (t) => {
  const s = await startApiServer();
  try {
    s.addPod('shop', 'db-0', { annotations: FREEZE_THAW });
    s.addPod('shop', 'web-0', { annotations: FREEZE_THAW });
    s.addBackup('velero.io', 'velero', 'twice', { includedNamespaces: ['shop', 'shop'] });
    const kc = s.writeKubeconfig({ namespace: 'shop' });
    const plan = JSON.parse(
      (await run('kubectl', ['ark-hooks', 'dry-run', '--phase', 'pre', '--kubeconfig', kc, '--backup', 'twice', '-o', 'json'])).stdout,
    );
    const r = await run('kubectl', ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--backup', 'twice', '--yes', '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    const account = accountFromExecLog(s, plan, JSON.parse(r.stdout));
    t.deepEqual([account.planned, account.lost, account.unplanned], [2, [], []], 'one plan entry per pod, each exec once');
    recordAccount(account, 'duplicates');
    t.deepEqual(s.execs.map((e) => e.pod).sort(), ['db-0', 'web-0']);
    t.is(JSON.parse(r.stdout).summary.hooks, 2);
    const pod = s.getObject('', 'pods', 'shop', 'db-0');
    s.faults.push({
      match: (q) => q.path === '/api/v1/namespaces/shop/pods',
      status: 200,
      body: { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [pod, pod] },
      times: 1,
    });
    const again = await run('kubectl', ['ark-hooks', 'run', '--phase', 'post', '--kubeconfig', kc, '--yes', '-o', 'yaml']);
    t.is(again.code, 0, again.stderr);
    t.deepEqual(
      s.execs.filter((e) => e.command[0] === 'thaw').map((e) => e.pod),
      ['db-0'],
    );
    const report = yaml.load(again.stdout) as { summary: { hooks: number }; phases: { pods: { pod: string }[] }[] };
    t.is(report.summary.hooks, 1, 'the streamed YAML report reads back');
    t.deepEqual(
      report.phases[0]?.pods.map((p) => p.pod),
      ['db-0'],
    );
  } finally {
    await s.stop();
  }
});

// ---- 7. big reports -----------------------------------------------------------------------------

test('-o json with 90 pods x 1 MiB of control-character output: every hook reported, bounded tails, full output in --output-dir', async (t) => {
  const { s, kc } = await server('big', 90, { [`pre.${V}/command`]: '["noisy"]' });
  try {
    s.execHandler = () => ({ stdout: Buffer.alloc(1024 * 1024, 1) });
    const dir = tmp('big');
    const plan = JSON.parse((await run('kubectl', ['ark-hooks', 'dry-run', '--phase', 'pre', '--kubeconfig', kc, '-o', 'json'])).stdout);
    const r = await run('kubectl', [
      'ark-hooks',
      'run',
      '--phase',
      'pre',
      '--kubeconfig',
      kc,
      '--yes',
      '-o',
      'json',
      '--parallel',
      '8',
      '--output-dir',
      dir,
    ]);
    t.is(r.code, 0, r.stderr.slice(0, 2000));
    const report = JSON.parse(r.stdout);
    const account = accountFromExecLog(s, plan, report);
    t.deepEqual([account.planned, account.lost], [90, []]);
    recordAccount(account, 'big report');
    t.is(report.summary.succeeded, 90);
    const hook = report.phases[0].pods[0].hooks[0];
    t.true(hook.stdout.length <= 64 * 1024 && hook.stdout.length > 0);
    t.true(hook.outputTruncated);
    t.is(statSync(join(dir, 'big', 'p-0', 'pre-1-app.stdout')).size, 1024 * 1024, 'the full output is in the file');
  } finally {
    await s.stop();
  }
});

// ---- 8. a signal during the exec handshake -------------------------------------------------------

test('run: a second Ctrl-C while the exec upgrade is pending interrupts it', async (t) => {
  const { s, kc } = await server('hs', 1, { [`pre.${V}/command`]: '["ok"]' });
  try {
    s.faults.push({ match: (q) => q.upgrade, delayMs: 60_000 });
    const p = start('kubectl', ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '-o', 'json']);
    await until(() => s.requests.some((q) => q.subresource === 'exec'), 'the upgrade request');
    p.child.kill('SIGINT');
    await p.waitFor(/starting no new hooks/);
    p.child.kill('SIGINT');
    const r = await p.done;
    t.is(r.code, 130, r.stderr);
    const hook = JSON.parse(r.stdout).phases[0].pods[0].hooks[0];
    t.is(hook.result, 'interrupted');
    t.is(s.execs.length, 0, 'the command never started');
    recordSignals(2, 'handshake');
  } finally {
    await s.stop();
  }
});

// ---- 9. throttled and dropped exec upgrades -------------------------------------------------------

test('a 429 on the exec upgrade is retried after Retry-After', async (t) => {
  const { s, kc } = await server('throttle', 1, { [`pre.${V}/command`]: '["ok"]' });
  try {
    s.faults.push({
      match: (q) => q.upgrade,
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too many requests', reason: 'TooManyRequests', code: 429 },
      times: 1,
    });
    const r = await run('kubectl', ['ark-hooks', 'run', '--phase', 'pre', '--kubeconfig', kc, '--yes', '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    t.is(JSON.parse(r.stdout).phases[0].pods[0].hooks[0].result, 'succeeded');
    t.is(s.requests.filter((q) => q.subresource === 'exec').length, 2);
    recordFaults(s, 'exec 429');
  } finally {
    await s.stop();
  }
});

test('wrap: post execs whose connection drops before the upgrade are retried with backoff', async (t) => {
  const ns = 'dead-api';
  const { s, kc } = await server(ns, 2);
  try {
    s.faults.push({ match: (q) => q.upgrade && q.query.getAll('command')[0] === 'thaw', destroy: true, times: 3 });
    const r = await run('kubectl', ['ark-hooks', 'wrap', '--kubeconfig', kc, '--yes', '--', 'true']);
    t.is(r.code, 0, r.stderr);
    assertNoneLost(t, s, ns, 'post retried', 2);
    recordFaults(s, 'post upgrade dropped');
  } finally {
    await s.stop();
  }
});
