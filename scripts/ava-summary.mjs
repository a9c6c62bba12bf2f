// npm test's runner: ava in TAP mode, shown compactly (✔ / ✘ / - per test, failure details and
// t.log lines kept), closing with one plain line that tells the outcomes apart:
// "N passed, N failed, N skipped". Exits non-zero when ava does or when anything failed.
// Every temporary file of the run (the tests', the CLI's and the servers' they start, release
// archives unpacked by the dist tests: ~150 MB each) goes under one folder, removed at the end: runs
// used to leave tens of thousands of folders and gigabytes in /tmp.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const scratch = mkdtempSync(join(tmpdir(), 'ark-hooks-tests-'));
const cleanUp = () => rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
const ava = spawn(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', '--tap', ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env: { ...process.env, TMPDIR: scratch },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => ava.kill(signal));
const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 };
let inDiagnostic = false;
for await (const line of createInterface({ input: ava.stdout })) {
  if (inDiagnostic) {
    process.stdout.write(`      ${line}\n`);
    if (/^\s*\.\.\.$/.test(line)) inDiagnostic = false;
    continue;
  }
  const kinds = [
    [/^not ok \d+ - (.*)$/, 'failed', '✘', ''],
    [/^ok \d+ - (.*) # SKIP\b.*$/, 'skipped', '-', ' (skipped)'],
    [/^ok \d+ - (.*) # TODO\b.*$/, 'todo', '-', ' (todo)'],
    [/^ok \d+ - (.*)$/, 'passed', '✔', ''],
  ];
  const hit = kinds.map(([re, ...rest]) => [re.exec(line), ...rest]).find(([m]) => m);
  if (hit) {
    const [m, kind, mark, suffix] = hit;
    counts[kind]++;
    process.stdout.write(`  ${mark} ${m[1]}${suffix}\n`);
  } else if (/^\s+---$/.test(line)) {
    inDiagnostic = true;
    process.stdout.write(`      ${line}\n`);
  } else if (
    /^# (tests|pass|skip|fail|todo) \d+$/.test(line) ||
    /^1\.\.\d+$/.test(line) ||
    /^TAP version/.test(line) ||
    line.trim() === ''
  ) {
    // the plan and totals: replaced by the closing line
  } else {
    process.stdout.write(`${line}\n`);
  }
}
const code = await new Promise((resolve) => ava.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
try {
  cleanUp();
} catch (e) {
  process.stderr.write(`could not remove ${scratch}: ${e.message}\n`);
}
const todo = counts.todo ? `, ${counts.todo} todo` : '';
process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${todo}\n`);
process.exit(code !== 0 || counts.failed > 0 ? code || 1 : 0);
