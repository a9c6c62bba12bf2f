#!/usr/bin/env bash
# npm run mutate [SET...]: StrykerJS over src/hooks, src/run/engine.ts and src/kube/exec.ts, one file
# set at a time with the tests that exercise it (stryker.config.mjs). Not part of CI: a full run
# takes hours on 2 cores (see bench/MUTATION.md). Reports land in reports/mutation/SET.json.
set -uo pipefail
cd "$(dirname "$0")/.."
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(engine exec selector duration annotations plan)
rc=0
for s in "${sets[@]}"; do
  echo "== mutation testing: $s"
  ARK_MUTATE_SET=$s nice -n 10 npx stryker run stryker.config.mjs || rc=1
done
exit $rc
