#!/usr/bin/env bash
# npm run reliability-report: runs the reliability suite and prints what was counted while it ran
# (test/support/reliability-log.ts): inputs generated, fault responses the test API server sent,
# hooks planned and accounted for against the server's exec log, pods thawed after their pre hook,
# signals handled by real processes. Exits 1 when anything is lost or a test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export ARK_HOOKS_RELIABILITY_LOG=$log
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit + uncommitted changes"; fi
npx ava test/reliability/ >&2
rc=$?
npx node -e '
const text = require("fs").readFileSync(process.argv[1], "utf8");
const lines = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
const sum = (f) => lines.filter((l) => l.figure === f).reduce((n, l) => n + l.n, 0);
const [rc, commit] = [Number(process.argv[2]), process.argv[3]];
const planned = sum("hooks-planned"), accounted = sum("hooks-accounted"), lost = sum("lost");
const preRan = sum("pods-pre-ran"), thawed = sum("pods-thawed");
const row = (label, value) => console.log(`  ${label.padEnd(58)} ${value}`);
console.log(`Reliability report for commit ${commit}`);
row("inputs tried (corpus once, seeded fuzz by count)", sum("inputs"));
row("fault responses the test API server sent", sum("faults"));
row("hooks planned (dry-run -o json)", planned);
row("hooks accounted for (server exec log, or not run + reason)", accounted);
row("pods whose pre ran in a wrap / thawed after", `${preRan} / ${thawed}`);
row("signals handled by a real process, post phase checked", sum("signals"));
row("lost (planned - accounted, pods left frozen, unhandled signals)", lost);
for (const l of lines.filter((x) => x.figure === "lost" && x.n > 0)) console.log(`    lost: ${l.detail}`);
let fail = false;
if (lines.length === 0) { console.log("no figures were recorded"); fail = true; }
if (lost > 0) { console.log(`FAIL: ${lost} lost`); fail = true; }
if (rc !== 0) { console.log(`FAIL: the reliability suite exited ${rc}`); fail = true; }
if (!fail) console.log("OK: nothing lost");
process.exit(fail ? 1 : 0);
' "$log" "$rc" "$commit"
