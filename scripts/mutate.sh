#!/usr/bin/env bash
# npm run mutate [SET...]: StrykerJS over src/hooks, src/engine/phase.ts and src/kube/exec.ts, one file
# set at a time with the tests that exercise it (stryker.config.mjs). Not part of CI: a full run
# takes hours on 2 cores (see bench/MUTATION.md). Reports land in reports/mutation/SET.json.
set -uo pipefail
# StrykerJS is fetched on demand (npm's cache), not a devDependency: its Babel packages ask for
# Node >= 22 and would make every `npm ci` on the machines' Node 20 print engine warnings.
STRYKER=(npx --yes --package=@stryker-mutator/core@10.1.1 -- stryker)
cd "$(dirname "$0")/.."
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(engine exec selector duration annotations plan)
rc=0
for s in "${sets[@]}"; do
  echo "== mutation testing: $s"
  ARK_MUTATE_SET=$s nice -n 10 "${STRYKER[@]}" run stryker.config.mjs || rc=1
done
exit $rc
