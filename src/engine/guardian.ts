// wrap's COMMAND runs under a guardian: a second copy of this program (`__guard`) that starts
// COMMAND in the plugin's own process group and session (so it keeps the terminal: Ctrl-C reaches
// it, it can read the keyboard) and holds a pipe to the plugin. The plugin relays signals through
// the pipe; when the pipe closes without a word (the plugin was killed, even with SIGKILL), the
// guardian ends COMMAND and its children: COMMAND never outlives the plugin. Node cannot set
// PR_SET_PDEATHSIG or a process group without a new session, hence this small process.

import type { ChildProcess, spawn as Spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

// node:child_process is loaded when used: every command's start-up would otherwise pay for it, and
// only wrap and the guardian need it.
const spawn = ((...args: Parameters<typeof Spawn>) => process.getBuiltinModule('node:child_process').spawn(...args)) as typeof Spawn;

export const GUARD_ARG = '__guard';
const GUARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** COMMAND's descendants (Linux: from /proc; elsewhere none are known). */
function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift() as number) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Signals COMMAND and everything it started, as a signal to its process group would. */
function signalTree(pid: number, signal: NodeJS.Signals): void {
  const tree = descendants(pid);
  for (const p of [pid, ...tree]) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** The control pipe's protocol, both ways: one JSON object per line; a line that is not JSON is ignored. */
function onJsonLines<T>(stream: Socket, handle: (message: T) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        continue; // not ours
      }
      handle(message);
    }
  });
}

/** The guardian process: `kubectl-ark_hooks __guard -- COMMAND…`, with its control pipe on fd 3. */
export function runGuardian(argv: string[]): void {
  // The terminal's signals reach COMMAND directly; the plugin relays the others. We stay alive.
  for (const s of GUARDED_SIGNALS) {
    try {
      process.on(s, () => undefined);
    } catch {
      // not on this platform
    }
  }
  const ctl = new (process.getBuiltinModule('node:net').Socket)({ fd: 3, readable: true, writable: true });
  let open = true;
  const send = (m: object) => {
    if (open) ctl.write(JSON.stringify(m) + '\n');
  };
  ctl.on('error', () => undefined);
  let child: ChildProcess;
  try {
    child = spawn(argv[0] as string, argv.slice(1), { stdio: 'inherit' });
  } catch (e) {
    send({ error: (e as Error).message });
    ctl.end(() => process.exit(0));
    return;
  }
  let exited = false;
  child.on('spawn', () => send({ pid: child.pid }));
  child.on('error', (e) => {
    exited = true;
    send({ error: e.message });
    ctl.end(() => process.exit(0));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    send({ exit: code, signal });
    ctl.end(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
  onJsonLines<{ signal?: NodeJS.Signals }>(ctl, (m) => {
    if (m.signal && child.pid && !exited) signalTree(child.pid, m.signal);
  });
  const orphaned = () => {
    if (!open) return;
    open = false;
    if (exited || !child.pid) return process.exit(0);
    // The plugin is gone: COMMAND must not outlive it.
    signalTree(child.pid, 'SIGTERM');
    setTimeout(() => {
      if (!exited && child.pid) signalTree(child.pid, 'SIGKILL');
    }, 5000).unref();
    child.once('exit', () => process.exit(0));
  };
  ctl.on('end', orphaned);
  ctl.on('close', orphaned);
}

export interface GuardedResult {
  exitCode: number | null;
  signal: string | null;
  /** Set when COMMAND could not be started or its guardian was lost. */
  reason?: string;
}

export interface Guarded {
  /** Relays a signal to COMMAND and its children. */
  signal(name: NodeJS.Signals): void;
  done: Promise<GuardedResult>;
}

/** How to start this program again (a script run by node, or a single executable). */
function selfCommand(): string[] {
  let isSea = false;
  try {
    isSea = (process.getBuiltinModule('node:sea') as { isSea(): boolean } | undefined)?.isSea() ?? false;
  } catch {
    // not available
  }
  const script = process.argv[1];
  return isSea || !script ? [] : [script];
}

/** Starts COMMAND under a guardian (see above). */
export function spawnGuarded(argv: string[], opts: { stdoutToStderr?: boolean } = {}): Guarded {
  // stdoutToStderr: COMMAND's stdout is our stderr (fd 2), so that our stdout holds a report only.
  const out = opts.stdoutToStderr ? 2 : 'inherit';
  const g = spawn(process.execPath, [...selfCommand(), GUARD_ARG, '--', ...argv], { stdio: ['inherit', out, 'inherit', 'pipe'] });
  const ctl = g.stdio[3] as Socket;
  ctl.on('error', () => undefined);
  let result: GuardedResult | null = null;
  onJsonLines<{ exit?: number | null; signal?: string | null; error?: string }>(ctl, (m) => {
    if (m.error !== undefined) result = { exitCode: null, signal: null, reason: `cannot start: ${m.error}` };
    else if ('exit' in m) result = { exitCode: m.exit ?? null, signal: m.signal ?? null };
  });
  const done = new Promise<GuardedResult>((resolve) => {
    g.on('error', (e) => resolve({ exitCode: null, signal: null, reason: `cannot start: ${e.message}` }));
    g.on('close', (code, signal) =>
      resolve(
        result ?? { exitCode: null, signal: null, reason: `the process watching the command ended (${signal ?? `exit code ${code}`})` },
      ),
    );
  });
  return {
    signal(name) {
      if (!ctl.destroyed) ctl.write(JSON.stringify({ signal: name }) + '\n');
    },
    done,
  };
}

/** True when this process is in the foreground of its terminal, so the terminal's Ctrl-C and Ctrl-\ already reach COMMAND. */
export function inTerminalForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [pgrp, tty, tpgid] = [Number(f[2]), Number(f[4]), Number(f[5])];
    return tty !== 0 && tpgid === pgrp;
  } catch {
    return process.stdin.isTTY === true;
  }
}
