// Test tools built from Go modules (krew) and Debian packages (qemu-user), cached outside the repo.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CACHE = process.env.ARK_HOOKS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-ark-hooks');
export const KREW_VERSION = 'v0.4.3';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** krew, built from sigs.k8s.io/krew with the machine's Go; a reason string when it cannot be. */
export function krewBinary(): { path: string } | { skip: string } {
  const dir = join(CACHE, `krew-${KREW_VERSION}`);
  const bin = join(dir, 'krew');
  if (existsSync(bin)) return { path: bin };
  if (!has('go')) return { skip: 'no Go toolchain on this machine to build krew from sigs.k8s.io/krew' };
  try {
    execFileSync('go', ['install', `sigs.k8s.io/krew/cmd/krew@${KREW_VERSION}`], { env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    return { skip: `go install sigs.k8s.io/krew/cmd/krew@${KREW_VERSION} failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 300)}` };
  }
  return { path: bin };
}

export function qemuAarch64(): { path: string; sysroot: string } | { skip: string } {
  const sysroot = '/usr/aarch64-linux-gnu';
  if (!has('qemu-aarch64')) return { skip: 'qemu-aarch64 is not installed (Debian package qemu-user; .ci/run installs it)' };
  if (!existsSync(join(sysroot, 'lib', 'libc.so.6'))) return { skip: `${sysroot} has no arm64 C library (Debian packages libc6-arm64-cross libstdc++6-arm64-cross)` };
  return { path: 'qemu-aarch64', sysroot };
}
