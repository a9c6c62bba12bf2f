// Runs the built plugin the way users do: `kubectl ark-hooks …`, found by kubectl on PATH.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN_DIR = join(ROOT, 'bin');
export const BUNDLE = join(ROOT, 'dist', 'kubectl-ark_hooks.cjs');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** A clean environment: no user kubeconfig, no colour forcing, our bin/ first on PATH. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'ark-hooks-home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
    HOME: home,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
    LANG: 'C.UTF-8',
  };
  // Mutation testing (npm run mutate): the CLI processes run the mutant the test run was started for.
  if (process.env.__STRYKER_ACTIVE_MUTANT__) env.__STRYKER_ACTIVE_MUTANT__ = process.env.__STRYKER_ACTIVE_MUTANT__;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface Started {
  child: ChildProcess;
  done: Promise<RunResult>;
  /** Resolves when the output so far matches. */
  waitFor: (re: RegExp, stream?: 'stdout' | 'stderr') => Promise<void>;
}

export function start(command: string, args: string[], opts: RunOptions = {}): Started {
  const started = Date.now();
  const child = spawn(command, args, { env: baseEnv(opts.env), cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const waiters: { re: RegExp; stream: 'stdout' | 'stderr'; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const text = Buffer.concat(w.stream === 'stdout' ? out : err).toString('utf8');
      if (w.re.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', (c: Buffer) => (out.push(c), check()));
  child.stderr?.on('data', (c: Buffer) => (err.push(c), check()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
  const done = new Promise<RunResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
      });
    });
  });
  // A child that exits before reading its input closes the pipe: its exit code tells, not EPIPE.
  child.stdin?.on('error', () => {});
  child.stdin?.end(opts.input ?? '');
  return {
    child,
    done,
    waitFor: (re, stream = 'stderr') =>
      new Promise<void>((resolve) => {
        waiters.push({ re, stream, resolve });
        check();
      }),
  };
}

export function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: baseEnv(opts.env), cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
      });
    });
    child.stdin.on('error', () => {}); // see start()
    child.stdin.end(opts.input ?? '');
  });
}

/** `kubectl ark-hooks ARGS` through the real kubectl plugin dispatch. */
export function arkHooks(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run('kubectl', ['ark-hooks', ...args], opts);
}

/** The real kubectl, against a test server's kubeconfig. */
export function kubectl(args: string[], kubeconfig: string, opts: RunOptions = {}): Promise<RunResult> {
  return run('kubectl', ['--kubeconfig', kubeconfig, ...args], opts);
}

/** `run` of the pre hooks of the kubeconfig's namespace (Velero 1.18 semantics, --yes, -o json), `parallel` at once. */
export const preRunArgs = (kubeconfig: string, parallel: number, extra: string[] = []): string[] => [
  'run',
  '--kubeconfig',
  kubeconfig,
  '--target',
  'velero-1.18',
  '--phase',
  'pre',
  '--yes',
  '--parallel',
  String(parallel),
  '-o',
  'json',
  ...extra,
];
