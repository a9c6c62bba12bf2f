// annotate's flags → EditRequest: the command forms, presets, removal, and each usage error.
import test from 'ava';
import type { AnnotateFlags } from '../../src/flows/annotate-request.ts';
import { editRequest } from '../../src/flows/annotate-request.ts';
import { target } from './helpers.ts';

const V118 = target('velero-1.18');
const flags = (over: Partial<AnnotateFlags> = {}): AnnotateFlags => ({ legacy: false, remove: false, overwrite: false, ...over });

test('the command: a JSON array, --command once per word, or the words after --', (t) => {
  const cmd = (f: Partial<AnnotateFlags>) => editRequest(flags({ phase: 'pre', ...f }), V118).writes[0]?.command;
  t.deepEqual(cmd({ command: ['["/bin/sh","-c","a b"]'] }), ['/bin/sh', '-c', 'a b']);
  t.deepEqual(cmd({ command: ['/bin/echo', 'hi'] }), ['/bin/echo', 'hi']);
  t.deepEqual(cmd({ afterDashes: ['/bin/sync'] }), ['/bin/sync']);
});

test('the family: the one the target reads first, else --flavor (with a warning when the target does not read it)', (t) => {
  t.is(editRequest(flags({ phase: 'pre', command: ['x'] }), V118).family, 'velero');
  t.is(editRequest(flags({ phase: 'pre', command: ['x'] }), target('ark-0.9')).family, 'ark');
  const warned: string[] = [];
  const r = editRequest(flags({ phase: 'pre', command: ['x'], flavor: 'ark' }), V118, (m) => warned.push(m));
  t.is(r.family, 'ark');
  t.deepEqual(r.removeFamilies, ['ark']);
  t.deepEqual(warned, [
    '--flavor ark: velero-1.18 (Velero v1.18.0+) does not read ark.heptio.com keys, so hooks written now never run there',
  ]);
});

test('a preset writes its hooks (one phase with --phase); --path is required for fsfreeze', (t) => {
  const both = editRequest(flags({ preset: 'fsfreeze', mountPath: '/data', onError: 'continue' }), V118);
  t.deepEqual(
    both.writes.map((w) => [w.phase, w.command.join(' '), w.onError]),
    [
      ['pre', '/sbin/fsfreeze --freeze /data', 'Continue'],
      ['post', '/sbin/fsfreeze --unfreeze /data', 'Continue'],
    ],
  );
  t.deepEqual(
    editRequest(flags({ preset: 'fsfreeze', mountPath: '/data', phase: 'post' }), V118).writes.map((w) => w.phase),
    ['post'],
  );
  t.throws(() => editRequest(flags({ preset: 'fsfreeze' }), V118), { message: /needs --path with an absolute mount point/ });
  t.throws(() => editRequest(flags({ preset: 'sync', phase: 'post' }), V118), { message: '--preset sync has no post hook' });
  t.throws(() => editRequest(flags({ preset: 'nope' }), V118), { message: 'unknown --preset "nope": use one of fsfreeze, sync' });
});

test('--remove deletes one phase or both, and takes no command', (t) => {
  t.deepEqual(editRequest(flags({ remove: true }), V118).removePhases, ['pre', 'post']);
  t.deepEqual(editRequest(flags({ remove: true, phase: 'post' }), V118).removePhases, ['post']);
  t.throws(() => editRequest(flags({ remove: true, command: ['x'] }), V118), { message: /--remove deletes hooks/ });
});

test('usage errors carry no "error: " prefix and exit 2', (t) => {
  const cases: [Partial<AnnotateFlags>, RegExp][] = [
    [{ command: ['x'] }, /^--phase pre or --phase post is required/],
    [{ phase: 'pre' }, /^the hook needs a command/],
    [{ phase: 'pre', command: ['x'], afterDashes: ['y'] }, /^give the command with --command or after --, not both$/],
    [{ phase: 'pre', command: ['[1, 2]'] }, /^--command must be a JSON array of strings/],
    [{ phase: 'pre', command: ['[nope'] }, /^--command "\[nope" is not valid JSON/],
    [{ phase: 'pre', afterDashes: [''] }, /^the hook command is empty$/],
    [{ phase: 'pre', command: ['x'], onError: 'maybe' }, /^invalid --on-error "maybe": use Fail or Continue$/],
    [{ phase: 'pre', command: ['x'], timeout: '30' }, /^invalid --timeout "30": add a unit, e\.g\. 30s$/],
    [{ phase: 'post', command: ['x'], legacy: true }, /^--legacy keys only exist for pre hooks$/],
  ];
  for (const [f, message] of cases) {
    const e = t.throws(() => editRequest(flags(f), V118), { message }, JSON.stringify(f));
    t.is((e as unknown as { exitCode: number }).exitCode, 2);
  }
});
