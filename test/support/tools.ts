// Test tools built from Go modules (krew, krew's validate-krew-manifest, actionlint) and Debian
// packages (qemu-user), cached outside the repo in folders keyed by the tool's version.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CACHE = process.env.ARK_HOOKS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-ark-hooks');
export const KREW_VERSION = 'v0.4.3';
export const ACTIONLINT_VERSION = 'v1.7.12';

export type Tool = { path: string } | { skip: string };

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `go install pkg@version` into CACHE/<folder>, built once per machine: into a temporary folder
 * that is renamed into place, so two test processes building it at once cannot see half a file.
 */
function goTool(folder: string, pkg: string, version: string, bin: string): Tool {
  const dir = join(CACHE, folder);
  const path = join(dir, bin);
  if (existsSync(path)) return { path };
  if (!has('go')) return { skip: `no Go toolchain on this machine to build ${pkg}@${version} (.ci/run's machine has one)` };
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, `.${folder}-`));
  try {
    execFileSync('go', ['install', `${pkg}@${version}`], {
      env: { ...process.env, GOBIN: tmp, CGO_ENABLED: '0', GOFLAGS: '-trimpath' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    mkdirSync(dir, { recursive: true });
    if (!existsSync(path)) renameSync(join(tmp, bin), path);
  } catch (e) {
    if (existsSync(path)) return { path };
    return { skip: `go install ${pkg}@${version} failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 300)}` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { path };
}

/** krew, built from sigs.k8s.io/krew with the machine's Go. */
export const krewBinary = (): Tool => goTool(`krew-${KREW_VERSION}`, 'sigs.k8s.io/krew/cmd/krew', KREW_VERSION, 'krew');

/** krew-index's manifest check (validate-krew-manifest), from the same module and version as krew. */
export const validateKrewManifestBinary = (): Tool =>
  goTool(`krew-${KREW_VERSION}`, 'sigs.k8s.io/krew/cmd/validate-krew-manifest', KREW_VERSION, 'validate-krew-manifest');

/** actionlint, the GitHub Actions workflow checker, from github.com/rhysd/actionlint. */
export const actionlintBinary = (): Tool =>
  goTool(`actionlint-${ACTIONLINT_VERSION}`, 'github.com/rhysd/actionlint/cmd/actionlint', ACTIONLINT_VERSION, 'actionlint');

export function qemuAarch64(): { path: string; sysroot: string } | { skip: string } {
  const sysroot = '/usr/aarch64-linux-gnu';
  if (!has('qemu-aarch64')) return { skip: 'qemu-aarch64 is not installed (Debian package qemu-user; .ci/run installs it)' };
  if (!existsSync(join(sysroot, 'lib', 'libc.so.6')))
    return { skip: `${sysroot} has no arm64 C library (Debian packages libc6-arm64-cross libstdc++6-arm64-cross)` };
  return { path: 'qemu-aarch64', sysroot };
}

/**
 * Whether a test that needs `tool` should be skipped (ava's test.skip; the reason goes to stderr).
 * Never under CI=true: there .ci/run has installed everything, so the test runs and fails with the
 * reason instead.
 */
export function unavailable(tool: object): boolean {
  if (!('skip' in tool) || process.env.CI === 'true') return false;
  process.stderr.write(`skipping: ${(tool as { skip: string }).skip}\n`);
  return true;
}
