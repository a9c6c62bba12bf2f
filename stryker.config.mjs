// StrykerJS configuration for `npm run mutate` (not part of CI). StrykerJS has no ava runner, so
// each mutant is tested with a command: the mutated sources are bundled once (buildCommand), and
// the active mutant reaches the CLI processes the e2e tests start through __STRYKER_ACTIVE_MUTANT__
// (test/support/cli.ts passes it on). Each file set runs only the tests that exercise it;
// scripts/mutate.sh runs the sets one after another (ARK_MUTATE_SET picks one).

/**
 * File set → the tests that exercise it, in stages: the fast unit tests first, the e2e files only
 * for the mutants the unit tests leave alive (unit tests for the pure model, e2e for engine and exec).
 */
export const SETS = {
  engine: {
    mutate: ['src/engine/phase.ts'],
    stages: [['test/unit/engine.test.ts'], ['test/e2e/accounting.test.ts', 'test/e2e/run.test.ts']],
  },
  exec: {
    mutate: ['src/kube/exec.ts'],
    stages: [['test/e2e/accounting.test.ts'], ['test/e2e/run.test.ts', 'test/reliability/faults.test.ts']],
  },
  selector: {
    mutate: ['src/hooks/selector.ts'],
    stages: [['test/unit/selector.test.ts', 'test/unit/selector-crosscheck.test.ts', 'test/unit/backup-plan.test.ts']],
  },
  duration: { mutate: ['src/hooks/duration.ts'], stages: [['test/unit/duration.test.ts', 'test/unit/annotations.test.ts']] },
  annotations: {
    mutate: ['src/hooks/annotations.ts', 'src/hooks/values.ts', 'src/hooks/edit.ts'],
    stages: [['test/unit/annotations.test.ts', 'test/unit/backup-plan.test.ts'], ['test/e2e/annotate.test.ts']],
  },
  plan: {
    mutate: ['src/hooks/plan.ts', 'src/hooks/backup.ts', 'src/hooks/scope.ts', 'src/hooks/workloads.ts'],
    stages: [['test/unit/backup-plan.test.ts', 'test/unit/annotations.test.ts', 'test/unit/manifests.test.ts']],
  },
};

const name = process.env.ARK_MUTATE_SET ?? 'engine';
const set = SETS[name];
if (!set) throw new Error(`ARK_MUTATE_SET=${name}: not one of ${Object.keys(SETS).join(', ')}`);

export default {
  packageManager: 'npm',
  testRunner: 'command',
  // --fail-fast: a killed mutant stops at its first failing test.
  // --timeout: a mutant that makes a test hang fails within 40 s of silence instead of waiting
  // out Stryker's own timeout (2 × the initial run + 30 s).
  commandRunner: {
    command: set.stages
      .map((files) => `node node_modules/ava/entrypoints/cli.mjs --fail-fast --timeout=40s ${files.join(' ')}`)
      .join(' && '),
  },
  buildCommand: 'node scripts/build.mjs',
  mutate: set.mutate,
  coverageAnalysis: 'off',
  concurrency: Number(process.env.ARK_MUTATE_CONCURRENCY ?? 1),
  timeoutMS: 30_000,
  timeoutFactor: 2,
  ignorePatterns: ['/dist', '/reports', '/bench/*.json', '/.cache'],
  plugins: ['@stryker-mutator/*', './scripts/stryker-log-reporter.mjs'],
  reporters: ['clear-text', 'json', 'progress-append-only', 'append-log'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  disableTypeChecks: 'src/**/*.ts',
  // TypeScript 7 has no JavaScript API for Stryker's tsconfig rewriting, and nothing here needs it
  // (the sandbox is bundled by esbuild and run with Node's type stripping): point it at no file.
  tsconfigFile: 'tsconfig.stryker-none.json',
};
