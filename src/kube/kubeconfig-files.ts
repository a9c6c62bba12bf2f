// Which kubeconfig files kubectl would read, and their context names. No client library here: shell
// completion uses it without loading @kubernetes/client-node.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import * as yaml from 'js-yaml';

export function kubeconfigFiles(
  flags: { kubeconfig?: string | undefined },
  env: NodeJS.ProcessEnv,
): { files: string[]; explicit: boolean } {
  if (flags.kubeconfig) return { files: [flags.kubeconfig], explicit: true };
  if (env.KUBECONFIG) {
    const files = [...new Set(env.KUBECONFIG.split(delimiter).filter((f) => f !== ''))];
    return { files, explicit: false };
  }
  return { files: [resolve(env.HOME ?? homedir(), '.kube', 'config')], explicit: false };
}

export function contextNames(kubeconfig: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  for (const f of kubeconfigFiles({ kubeconfig }, env).files) {
    try {
      if (!existsSync(f)) continue;
      const doc = yaml.load(readFileSync(f, 'utf8')) as { contexts?: { name?: unknown }[] } | null;
      for (const c of doc?.contexts ?? []) if (typeof c?.name === 'string') names.add(c.name);
    } catch {
      // a broken file has no contexts to offer
    }
  }
  return [...names].sort();
}
