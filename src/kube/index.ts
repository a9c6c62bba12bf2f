// Everything that talks to a cluster, behind one lazily loaded entry point: the bundle ships it as
// dist/kube.cjs, so commands that need no cluster never load @kubernetes/client-node.
export { canI, execAccess, recordEvent } from './access.ts';
export { Cluster } from './cluster.ts';
export { Executor } from './exec.ts';
export { ObjectClient } from './object-client.ts';
export { Discovery, detectTarget, versionFromImage } from './discovery.ts';
