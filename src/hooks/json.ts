// Reading untyped JSON (objects from a cluster, manifests, kubeconfigs): the one test for "a JSON
// object", so every reader agrees on what counts as one (arrays and null do not).

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
