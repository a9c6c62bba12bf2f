// Loads src/kube on first use. From source this is a plain dynamic import; the bundle build
// (scripts/build.mjs) points it at dist/kube.cjs, or at the kube.cjs asset of a single executable.
export type Kube = typeof import('./kube/index.ts');

let loaded: Promise<Kube> | undefined;

export function loadKube(): Promise<Kube> {
  loaded ??= import('./kube/index.ts');
  return loaded;
}
