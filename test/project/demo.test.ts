// docs/demo.cast, the terminal recording at the top of the README (npm run record-demo makes it and
// docs/demo.svg): a valid asciicast v2 file, and every `kubectl ark-hooks` line typed in it is a
// current command with current flags, checked against the built CLI (npm run build), so that the
// recording cannot go stale silently when commands or flags change.
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, arkHooks } from '../support/cli.ts';

const CAST = join(ROOT, 'docs', 'demo.cast');
const SESSION = ['list', 'validate', 'explain', 'annotate', 'dry-run', 'wrap'];

type Event = [number, string, string];

function readCast(): { header: Record<string, unknown>; events: Event[]; lines: string[] } {
  const lines = readFileSync(CAST, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const [first, ...rest] = lines;
  return { header: JSON.parse(first ?? 'null'), events: rest.map((l) => JSON.parse(l)), lines: rest };
}

/** The command lines typed at the prompt: what a viewer reads after each "$ ". */
function typedLines(events: Event[]): string[] {
  const screen = events
    .map((e) => e[2])
    .join('')
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\r\n/g, '\n')
    .replace(/\r/g, '');
  return screen
    .split('\n')
    .filter((l) => l.startsWith('$ '))
    .map((l) => l.slice(2).trim())
    .filter(Boolean);
}

/** Shell words, as bash splits a simple command line (quotes; no expansions are used in the demo). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|((?:[^\s'"\\]|\\.)+))+/g)) {
    out.push(m[0].replace(/'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.)/g, (_s, sq, dq, esc) => sq ?? dq?.replace(/\\(.)/g, '$1') ?? esc));
  }
  return out;
}

/** A kubeconfig whose API server refuses connections: a command gets past flag parsing, then fails to connect. */
function unreachableKubeconfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ark-demo-cast-'));
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  return file;
}

test('docs/demo.cast is asciicast v2: a header, then [time, "o", text] events at non-decreasing times with short pauses', (t) => {
  const { header, events, lines } = readCast();
  t.is(header.version, 2);
  t.is(header.width, 100);
  t.is(header.height, 30);
  t.true(events.length > 100, `${events.length} events`);
  let last = 0;
  for (const [i, e] of events.entries()) {
    t.true(Array.isArray(e) && e.length === 3, `event ${i + 1}: ${lines[i]}`);
    const [time, type, data] = e;
    t.true(typeof time === 'number' && Number.isFinite(time) && time >= last, `event ${i + 1} at ${time} s comes after ${last} s`);
    t.true(time - last <= 5, `event ${i + 1}: a pause of ${(time - last).toFixed(1)} s (the recorder caps idle time)`);
    t.is(type, 'o', `event ${i + 1}`);
    t.is(typeof data, 'string', `event ${i + 1}`);
    last = time;
  }
  t.true(last < 120, `the recording lasts ${last} s`);
  const all = events.map((e) => e[2]).join('');
  t.regex(all, /\x1b\[[0-9;]*m/, 'recorded on a terminal, so with colour');
  t.notRegex(all, /\ufffd/, 'no character was cut between two events');
});

test('the cast shows a session of list, validate, explain, annotate, dry-run and wrap', (t) => {
  const commands = typedLines(readCast().events)
    .map(words)
    .filter((w) => w[0] === 'kubectl' && w[1] === 'ark-hooks')
    .map((w) => w[2]);
  t.deepEqual([...new Set(commands)].sort(), [...SESSION].sort());
});

test('every command line typed in the cast parses with the current CLI: its command and flags exist', async (t) => {
  const lines = typedLines(readCast().events)
    .map(words)
    .filter((w) => w[0] === 'kubectl' && w[1] === 'ark-hooks');
  t.true(lines.length >= SESSION.length);
  const env = { KUBECONFIG: unreachableKubeconfig() };
  const cwd = mkdtempSync(join(tmpdir(), 'ark-demo-cwd-'));
  for (const w of lines) {
    const args = w.slice(2);
    const shown = `kubectl ark-hooks ${args.join(' ')}`;
    const help = await arkHooks([args[0] ?? '', '--help'], { env, cwd });
    t.is(help.code, 0, `${args[0]} --help: ${help.stderr}`);
    const end = args.includes('--') ? args.indexOf('--') : args.length;
    for (const flag of args.slice(1, end).filter((a) => a.startsWith('-'))) {
      const name = flag.split('=')[0] ?? flag;
      const inHelp = new RegExp(`(^|[^\\w-])${name.replace(/[-]/g, '\\-')}($|[^\\w-])`, 'm');
      t.regex(help.stdout + help.stderr, inHelp, `${shown}: ${name} is not in \`kubectl ark-hooks ${args[0]} --help\``);
    }
    // Run for real: past the flag parsing it needs the cluster, which refuses the connection (exit 1,
    // nothing executed); a usage error is exit 2. explain needs no cluster and must succeed.
    const r = await arkHooks(args, { env, cwd, timeoutMs: 60_000 });
    if (args[0] === 'explain') t.is(r.code, 0, `${shown}: ${r.stderr}`);
    else t.is(r.code, 1, `${shown} should fail only at the connection: ${r.stderr}`);
    t.notRegex(r.stderr, /unsupported option|invalid option|unknown (command|flag)/i, shown);
  }
  // The check above can fail: a flag the CLI does not have is a usage error (exit 2) in this set-up.
  const bogus = await arkHooks(['list', '--no-such-flag'], { env, cwd });
  t.is(bogus.code, 2, bogus.stderr);
});

test('the README opens with the recording, links the cast and names the command that regenerates it', (t) => {
  const top = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').slice(0, 12).join('\n');
  t.regex(top, /\(docs\/demo\.svg\)/);
  t.regex(top, /\(docs\/demo\.cast\)/);
  t.regex(top, /npm run record-demo/);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  t.is(pkg.scripts['record-demo'], 'bash scripts/record-demo.sh');
  t.regex(readFileSync(join(ROOT, 'docs', 'demo.svg'), 'utf8').slice(0, 200), /^<svg[\s>]/);
});
