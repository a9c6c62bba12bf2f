#!/usr/bin/env bash
# npm run test:cluster: the end-to-end suite's second target, a real control plane built from Go
# modules (test/cluster). Starts it, runs test/e2e-cluster against it, stops it.
set -uo pipefail
cd "$(dirname "$0")/.."
export ARK_HOOKS_CLUSTER_DIR=${ARK_HOOKS_CLUSTER_DIR:-$(mktemp -d /tmp/ark-hooks-cluster.XXXXXX)}
if ! test/cluster/up > /dev/null; then
  echo "test/cluster/up failed; logs:" >&2
  tail -n 20 "$ARK_HOOKS_CLUSTER_DIR"/logs/*.log >&2 2>/dev/null
  test/cluster/down
  exit 1
fi
# shellcheck disable=SC1091
. "$ARK_HOOKS_CLUSTER_DIR/env"
ava test/e2e-cluster/
rc=$?
test/cluster/down
exit $rc
