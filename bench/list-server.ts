// The API server of the list benchmark, in its own process so that its memory and CPU are not
// counted with the measured client: `node bench/list-server.ts PODS [SEED]` serves PODS realistic
// pods (test/support/realistic-pods.ts, stored pre-serialised) and the Backup "nightly", prints one
// JSON line {"kubeconfig": …} on stdout when ready, progress on stderr, and stops when stdin closes.

import { TestApiServer } from '../test/support/apiserver.ts';
import { realisticPods } from '../test/support/realistic-pods.ts';

const pods = Number(process.argv[2] ?? '1000');
const seed = Number(process.argv[3] ?? '18');
const server = await new TestApiServer().start();
let last = Date.now();
let i = 0;
for (const pod of realisticPods(pods, { seed })) {
  server.addPreserialisedPod(pod);
  if (++i % 1000 === 0 && Date.now() - last > 20_000) {
    last = Date.now();
    process.stderr.write(`list-server: ${i} of ${pods} pods generated\n`);
  }
}
// Database hooks declared in the Backup, each for one app in 20 of the 200 namespaces: about 4% of
// the pods get spec hooks (and the 5% with annotations keep theirs).
const apps = ['mysql', 'postgres', 'redis', 'kafka', 'orders'];
server.addBackup('velero.io', 'velero', 'nightly', {
  includedNamespaces: ['*'],
  hooks: {
    resources: apps.map((app, k) => ({
      name: `${app}-consistency`,
      includedNamespaces: Array.from({ length: 20 }, (_, j) => `team-${String(k * 20 + j).padStart(3, '0')}`),
      labelSelector: { matchLabels: { app } },
      pre: [{ exec: { command: ['/bin/sh', '-c', `${app}-flush`], container: app, onError: 'Fail', timeout: '1m' } }],
      post: [{ exec: { command: ['/bin/sh', '-c', `${app}-resume`], container: app } }],
    })),
  },
});
process.stdout.write(`${JSON.stringify({ kubeconfig: server.writeKubeconfig(), pods })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  server.stop().then(() => process.exit(0));
});
process.on('SIGTERM', () => {
  server.stop().then(() => process.exit(0));
});
