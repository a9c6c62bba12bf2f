// YAML merge keys with yaml.v2's semantics (sigs.k8s.io/yaml, kubectl's decoder): keys apply in
// document order, so a merge overrides the keys before it; in a list of maps the earlier map wins
// (go.yaml.in/yaml/v2 decode.go: decoder.merge "Step backwards as earlier nodes take precedence").
import test from 'ava';
import { loadYaml } from '../../src/manifests/yaml.ts';

test('merge keys: order decides, as in yaml.v2', (t) => {
  const doc = loadYaml('x: &h {a: 1, b: 2}\nbefore: {b: 0, <<: *h}\nafter: {<<: *h, b: 3}\nlist: {<<: [{c: 1}, {c: 2, d: 1}]}\n') as Record<
    string,
    unknown
  >;
  t.deepEqual(doc.before, { b: 2, a: 1 });
  t.deepEqual(doc.after, { a: 1, b: 3 });
  t.deepEqual(doc.list, { c: 1, d: 1 });
});

test('a quoted "<<" is an ordinary key; a merge of a scalar is an error; duplicate keys stay errors', (t) => {
  t.deepEqual(loadYaml('m: {"<<": {q: 1}}\n'), { m: { '<<': { q: 1 } } });
  t.throws(() => loadYaml('m: {<<: 3}\n'), { message: /map merge requires map or sequence of maps/ });
  t.throws(() => loadYaml('a: 1\na: 2\n'), { message: /duplicated mapping key/ });
});

test('__proto__ stays a plain key', (t) => {
  const doc = loadYaml('__proto__: {polluted: 1}\n') as Record<string, unknown>;
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.deepEqual(Object.keys(doc), ['__proto__']);
});
