import test from 'ava';
import { matches, parseSelector, selectorFromStruct } from '../../src/hooks/selector.ts';

function sel(text: string) {
  const r = parseSelector(text);
  if (!r.ok) throw new Error(r.reason);
  return r.selector;
}

test('string selectors match like kubectl -l', (t) => {
  const labels = { app: 'web', tier: 'front', version: '3' };
  t.true(matches(sel('app=web'), labels));
  t.true(matches(sel('app==web,tier'), labels));
  t.false(matches(sel('app!=web'), labels));
  t.true(matches(sel('app!=db'), labels));
  t.true(matches(sel('missing!=x'), labels), '!= matches when the label is absent');
  t.true(matches(sel('app in (web, db)'), labels));
  t.false(matches(sel('app notin (web,db)'), labels));
  t.true(matches(sel('!missing'), labels));
  t.false(matches(sel('!app'), labels));
  t.true(matches(sel('version>2'), labels));
  t.false(matches(sel('version<3'), labels));
  t.true(matches(sel(''), labels));
});

test('string selectors reject bad syntax with a reason', (t) => {
  for (const bad of ['app=', 'app in web', 'app in (a', '=x', 'app=web,', 'app === web', 'a/b/c=d', 'version>x']) {
    const r = parseSelector(bad);
    if (bad === 'app=') {
      t.true(r.ok, 'an empty value is allowed');
      continue;
    }
    t.false(r.ok, bad);
    if (!r.ok) t.regex(r.reason, /invalid label selector/);
  }
});

test('structured selectors: matchLabels and matchExpressions', (t) => {
  const r = selectorFromStruct(
    {
      matchLabels: { app: 'db' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'skip', operator: 'DoesNotExist' },
      ],
    },
    'spec.labelSelector',
  );
  t.true(r.ok);
  if (!r.ok) return;
  t.true(matches(r.selector, { app: 'db', tier: 'a' }));
  t.false(matches(r.selector, { app: 'db', tier: 'c' }));
  t.false(matches(r.selector, { app: 'db', tier: 'a', skip: '' }));
  t.is(r.selector.text, 'app=db,tier in (a,b),!skip');
});

test('structured selectors: null and {} select everything', (t) => {
  for (const raw of [null, undefined, {}]) {
    const r = selectorFromStruct(raw, 'x');
    t.true(r.ok && matches(r.selector, { any: 'thing' }) && matches(r.selector, {}));
  }
});

test('structured selectors: invalid operators and shapes are errors naming the field', (t) => {
  const cases: [unknown, RegExp][] = [
    [{ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, /matchExpressions\[0\]\.operator "Equals" is not a valid/],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, /values must be non-empty/],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, /values must be empty/],
    [{ matchLabels: { a: 1 } }, /matchLabels\.a must be a string/],
    [{ matchLabel: { a: 'b' } }, /unknown field "matchLabel"/],
    ['app=web', /must be an object/],
    [{ matchLabels: { 'bad key!': 'x' } }, /invalid label key/],
  ];
  for (const [raw, re] of cases) {
    const r = selectorFromStruct(raw, 'spec.labelSelector');
    t.false(r.ok);
    if (!r.ok) t.regex(r.reason, re);
  }
});
