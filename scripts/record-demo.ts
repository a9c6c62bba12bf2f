// Records the README's terminal session into an asciicast v2 file. Run by scripts/record-demo.sh
// (npm run record-demo), which starts the test control plane and sets ARK_HOOKS_CLUSTER_KUBECONFIG
// (never your own KUBECONFIG: the recording creates objects):
//
//   node scripts/record-demo.ts OUT.cast
//
// Creates the demo namespace (scripts/record-demo.yaml), then runs each command line of STEPS in a
// pseudo-terminal of 100×30 through util-linux `script --log-timing`, with colour on because it is a
// tty. The typing of each command line is simulated (a prompt, then one character at a time); every
// byte after the Enter is what the real process wrote to its terminal, at the real times, except
// that pauses longer than IDLE_CAP are shortened to it. Like the prompt, the screen clearing before a
// step (what the shell does on Ctrl-L) is written by the recorder.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const WIDTH = 100;
const HEIGHT = 30;
/** Seconds: the longest pause kept from the real output. */
const IDLE_CAP = 1;
const PROMPT = '\x1b[1;32m$\x1b[0m ';
/** What bash writes for Ctrl-L (clear-screen) with TERM=xterm-256color. */
const CLEAR = '\x1b[H\x1b[2J';

interface Step {
  /** What is typed, run by bash as typed. */
  line: string;
  /** The exit status it must end with: anything else stops the recording (the CLI changed). */
  exit: number;
  /** Seconds the output stays on screen before the next prompt. */
  read: number;
  /** Keep the previous step's output on screen (default: clear it first). */
  keep?: boolean;
}

const STEPS: Step[] = [
  { line: 'kubectl ark-hooks list', exit: 0, read: 3 },
  { line: 'kubectl ark-hooks validate', exit: 1, read: 3 },
  { line: 'kubectl ark-hooks explain command-not-json-array', exit: 0, read: 4 },
  { line: 'kubectl ark-hooks annotate pod/redis-0 --phase pre --overwrite --dry-run=server -- redis-cli save', exit: 0, read: 3 },
  { line: 'kubectl ark-hooks dry-run -l app=mysql', exit: 0, read: 3 },
  { line: 'cat snapshot.sh', exit: 0, read: 2 },
  { line: 'kubectl ark-hooks wrap -l app=mysql --yes -- ./snapshot.sh', exit: 0, read: 4, keep: true },
];

/** The local command that `wrap` runs between the pre and the post hooks. */
const SNAPSHOT_SH = `#!/bin/sh
# Stands in for your snapshot tool: any local command works.
echo "snapshotting the volumes of statefulset/mysql"
sleep 1
echo "snapshot shop-mysql-$(date -u +%Y%m%d) ready"
`;

type Event = [number, 'o', string];

function kubectl(args: string[], input?: string): string {
  const kubeconfig = process.env.ARK_HOOKS_CLUSTER_KUBECONFIG ?? '';
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] });
}

/** The demo namespace: the StatefulSet's pods are made as its controller would (none runs here). */
function setUp(): void {
  kubectl(['apply', '-f', join(ROOT, 'scripts', 'record-demo.yaml')]);
  const sts = JSON.parse(kubectl(['get', 'statefulset', 'mysql', '-n', 'shop', '-o', 'json']));
  const pods = Array.from({ length: sts.spec.replicas as number }, (_, i) => {
    const name = `mysql-${i}`;
    const { labels, annotations } = sts.spec.template.metadata;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'shop',
        labels: { ...labels, 'apps.kubernetes.io/pod-index': String(i), 'statefulset.kubernetes.io/pod-name': name },
        annotations,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'mysql', uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { ...sts.spec.template.spec, hostname: name, subdomain: sts.spec.serviceName },
    };
  });
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }));
  kubectl(['wait', '--for', 'condition=Ready', 'pod', '--all', '-n', 'shop', '--timeout', '60s']);
  kubectl(['config', 'set-context', '--current', '--namespace', 'shop']);
}

interface Chunk {
  delay: number;
  text: string;
}

/** Runs one command line in a pseudo-terminal; returns what it wrote, with the timings. */
function record(line: string, cwd: string, env: NodeJS.ProcessEnv): { chunks: Chunk[]; code: number | null } {
  const out = join(cwd, '.typescript');
  const timing = join(cwd, '.timing');
  const r = spawnSync(
    'script',
    ['-q', '-e', '-E', 'never', '--log-out', out, '--log-timing', timing, '-c', `stty cols ${WIDTH} rows ${HEIGHT}; exec ${line}`],
    { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (r.error) throw r.error;
  const raw = readFileSync(out);
  // The log starts with a "Script started on …" line that the timing file does not count.
  let offset = raw.indexOf(0x0a) + 1;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks: Chunk[] = [];
  for (const entry of readFileSync(timing, 'utf8').split('\n').filter(Boolean)) {
    const [delay, bytes] = entry.split(' ').map(Number) as [number, number];
    // stream: a character split between two writes is completed by the next chunk.
    chunks.push({ delay, text: decoder.decode(raw.subarray(offset, offset + bytes), { stream: true }) });
    offset += bytes;
  }
  rmSync(out);
  rmSync(timing);
  return { chunks, code: r.status };
}

/** Delays between typed characters: irregular like a person's, the same on every run. */
function typingDelay(i: number): number {
  return 0.035 + ((i * 37) % 11) * 0.008;
}

function sessionEnv(home: string): NodeJS.ProcessEnv {
  const kubeconfig = process.env.ARK_HOOKS_CLUSTER_KUBECONFIG;
  if (!kubeconfig) throw new Error('record-demo.ts: ARK_HOOKS_CLUSTER_KUBECONFIG is not set; run it through scripts/record-demo.sh');
  return {
    PATH: `${join(ROOT, 'bin')}:${process.env.PATH ?? ''}`,
    HOME: home,
    KUBECONFIG: kubeconfig,
    SHELL: '/bin/bash',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    COLUMNS: String(WIDTH),
    LINES: String(HEIGHT),
  };
}

function main(): void {
  const outFile = process.argv[2];
  if (!outFile) throw new Error('usage: node scripts/record-demo.ts OUT.cast');
  const session = mkdtempSync(join(dirname(outFile), 'session-'));
  const home = join(session, 'home');
  const env = sessionEnv(home);
  setUp();
  const cwd = join(session, 'shop');
  mkdirSync(home);
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'snapshot.sh'), SNAPSHOT_SH);
  chmodSync(join(cwd, 'snapshot.sh'), 0o755);

  const events: Event[] = [];
  let t = 0.5;
  const emit = (text: string) => events.push([Number(t.toFixed(6)), 'o', text]);
  for (const [n, step] of STEPS.entries()) {
    if (n > 0 && !step.keep) emit(CLEAR);
    emit(PROMPT);
    t += 0.8;
    [...step.line].forEach((ch, i) => {
      emit(ch);
      t += typingDelay(i);
    });
    t += 0.4;
    emit('\r\n');
    const { chunks, code } = record(step.line, cwd, env);
    for (const c of chunks) {
      t += Math.min(c.delay, IDLE_CAP);
      emit(c.text);
    }
    process.stderr.write(`record-demo: ${step.line} (exit ${code})\n`);
    if (code !== step.exit) {
      const shown = chunks.map((c) => c.text).join('');
      throw new Error(`record-demo.ts: \`${step.line}\` exited ${code}, not ${step.exit}; it printed:\n${shown}`);
    }
    t += step.read;
  }
  emit(PROMPT);
  t += 2;
  emit('');
  const header = {
    version: 2,
    width: WIDTH,
    height: HEIGHT,
    title: 'kubectl ark-hooks',
    env: { SHELL: '/bin/bash', TERM: 'xterm-256color' },
  };
  writeFileSync(outFile, [header, ...events].map((e) => JSON.stringify(e)).join('\n') + '\n');
  rmSync(session, { recursive: true, force: true });
}

main();
