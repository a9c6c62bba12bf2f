// YAML as kubectl reads it. kubectl decodes manifests and kubeconfigs with sigs.k8s.io/yaml, which is
// yaml.v2 underneath: a plain `<<` key merges a map (or a list of maps) into the map that holds it.
// js-yaml's own merge support differs in one point, so it is not used: in yaml.v2 the keys are applied
// in document order, so a merge overrides the keys written before it and the keys written after it
// override the merge; within a list of maps the earlier map wins (go.yaml.in/yaml/v2 decode.go,
// decoder.merge steps backwards through the list).

import * as yaml from 'js-yaml';
import { isObject } from '../hooks/json.ts';

/** The implicit `<<` key, kept apart from a quoted "<<" (a plain string key, as in yaml.v2). */
const MERGE = Symbol('yaml merge key');

const mergeKeyTag = yaml.defineScalarTag('tag:ark-hooks,2026:merge-key', {
  implicit: true,
  implicitFirstChars: ['<'],
  resolve: (source: string) => (source === '<<' ? MERGE : yaml.NOT_RESOLVED),
  identify: () => false,
} as Parameters<typeof yaml.defineScalarTag>[1]);

type Entry = [key: unknown, value: unknown];

function setKey(out: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function mergeInto(out: Record<string, unknown>, source: unknown): string {
  if (isObject(source)) {
    for (const k of Object.keys(source)) setKey(out, k, source[k]);
    return '';
  }
  if (Array.isArray(source)) {
    if (!source.every(isObject)) return 'map merge requires map or sequence of maps as the value';
    for (let i = source.length - 1; i >= 0; i--) mergeInto(out, source[i]);
    return '';
  }
  return 'map merge requires map or sequence of maps as the value';
}

const mapTag = yaml.defineMappingTag<{ entries: Entry[]; keys: Set<string> }, Record<string, unknown>>('tag:yaml.org,2002:map', {
  create: () => ({ entries: [], keys: new Set() }),
  addPair: (carrier, key, value) => {
    if (key === MERGE) {
      if (!isObject(value) && !(Array.isArray(value) && value.every(isObject)))
        return 'map merge requires map or sequence of maps as the value';
      carrier.entries.push([MERGE, value]);
      return '';
    }
    if (key !== null && typeof key === 'object') return 'a map key must be a scalar';
    const k = String(key);
    carrier.keys.add(k);
    carrier.entries.push([k, value]);
    return '';
  },
  has: (carrier, key) => key !== MERGE && carrier.keys.has(String(key)),
  keys: (result) => Object.keys(result),
  get: (result, key) => result[String(key)],
  finalize: (carrier) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of carrier.entries) {
      if (k === MERGE) mergeInto(out, v);
      else setKey(out, k as string, v);
    }
    return out;
  },
  identify: () => false,
});

/** js-yaml's default (YAML 1.2 core) schema with yaml.v2's merge keys. */
export const KUBE_YAML_SCHEMA = yaml.CORE_SCHEMA.withTags(mergeKeyTag, mapTag);

export function loadAllYaml(text: string, filename: string): unknown[] {
  return yaml.loadAll(text, { filename, schema: KUBE_YAML_SCHEMA });
}

export function loadYaml(text: string): unknown {
  return yaml.load(text, { schema: KUBE_YAML_SCHEMA });
}
