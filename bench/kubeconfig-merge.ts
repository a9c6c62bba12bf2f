// Kubeconfig merge at scale: KUBECONFIG with 4 files holding ENTRIES contexts, clusters and users in
// all, read by `list` up to its connection error (the server address is unreachable on purpose).
// Prints the median wall time of 3 runs for this checkout (or the launcher given as the first
// argument) and for `kubectl config get-contexts`. Nothing here asserts a timing.
//
//   node bench/kubeconfig-merge.ts [launcher] [entries]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const launcher = process.argv[2] ?? new URL('../bin/kubectl-ark_hooks', import.meta.url).pathname;
const entries = Number(process.argv[3] ?? 40_000);
const dir = mkdtempSync(join(tmpdir(), 'kc-merge-'));
const files: string[] = [];
const perFile = entries / 4;
for (let f = 0; f < 4; f++) {
  const clusters = [];
  const users = [];
  const contexts = [];
  // Half of each file's names repeat the previous file's, so the merge has duplicates to skip.
  for (let i = 0; i < perFile; i++) {
    const n = f * (perFile / 2) + i;
    clusters.push({ name: `c${n}`, cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } });
    users.push({ name: `u${n}`, user: { token: `t${n}` } });
    contexts.push({ name: `x${n}`, context: { cluster: `c${n}`, user: `u${n}` } });
  }
  const file = join(dir, `config-${f}`);
  writeFileSync(
    file,
    JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...(f === 0 ? { 'current-context': 'x0' } : {}), clusters, users, contexts }),
  );
  files.push(file);
}
const env = { ...process.env, KUBECONFIG: files.join(':') };

function median(cmd: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(cmd, args, { env, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[1] as number;
}

console.log(`${entries} contexts, clusters and users each in 4 files`);
console.log(`kubectl ark-hooks list (${launcher}): ${(median(launcher, ['list', '--request-timeout', '1s']) / 1000).toFixed(2)} s`);
console.log(`kubectl config get-contexts: ${(median('kubectl', ['config', 'get-contexts', '-o', 'name']) / 1000).toFixed(2)} s`);
