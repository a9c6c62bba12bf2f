#!/usr/bin/env bash
# npm run reliability-report: runs the reliability suite and prints what it tried.
set -uo pipefail
cd "$(dirname "$0")/.."
export ARK_HOOKS_RELIABILITY_LOG=$(mktemp)
ava test/reliability/ >&2
rc=$?
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
const sum = (f) => lines.filter((l) => l.figure === f).reduce((n, l) => n + l.n, 0);
console.log("Reliability report");
console.log(`  inputs tried (corpus, per-pod annotate, fuzz): ${sum("inputs")}`);
console.log(`  faults injected:                              ${sum("faults")}`);
console.log(`  hooks accounted for:                          ${sum("hooks")}`);
console.log(`  signals survived:                             ${sum("signals")}`);
console.log(`  lost (hooks or pods unaccounted for):         ${sum("lost")}`);
' "$ARK_HOOKS_RELIABILITY_LOG"
echo "suite exit code: $rc"
exit $rc
