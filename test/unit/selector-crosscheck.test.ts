// The plugin's label-selector parser (src/hooks/selector.ts) and the test API server's own
// (test/support/selector.ts, written separately from apimachinery's grammar) against one table;
// test/e2e-cluster runs the same table against a real kube-apiserver.
import test from 'ava';
import { matches, parseSelector } from '../../src/hooks/selector.ts';
import { labelsMatch, parseLabelSelector } from '../support/selector.ts';
import { SELECTOR_PODS, SELECTOR_TABLE } from '../support/selector-table.ts';

const pods = Object.entries(SELECTOR_PODS);

for (const [selector, want] of SELECTOR_TABLE) {
  test(`test API server's parser: ${JSON.stringify(selector)}`, (t) => {
    const p = parseLabelSelector(selector);
    if (want === 'error') return t.false(p.ok, 'rejected');
    if (!p.ok) return t.fail(p.error);
    t.deepEqual(
      pods.filter(([, l]) => labelsMatch(p.reqs, l)).map(([n]) => n),
      want,
    );
  });
  test(`plugin's parser: ${JSON.stringify(selector)}`, (t) => {
    const p = parseSelector(selector);
    if (want === 'error') return t.false(p.ok, 'rejected');
    if (!p.ok) return t.fail(p.reason);
    t.deepEqual(
      pods.filter(([, l]) => matches(p.selector, l)).map(([n]) => n),
      want,
    );
  });
}
