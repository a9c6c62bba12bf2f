#!/usr/bin/env bash
# npm run test:velero: the differential suite. Starts a fresh control plane (test/cluster) and a
# real Velero v1.18.3 server next to it (test/velero; its real CRDs replace the schema-less ones
# the cluster suite uses, hence a control plane of its own), runs test/e2e-velero, stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
export ARK_HOOKS_CLUSTER_DIR=${ARK_HOOKS_CLUSTER_DIR:-$(mktemp -d /tmp/ark-hooks-velero.XXXXXX)}
stop() { test/velero/down; test/cluster/down; }
if ! test/cluster/up > /dev/null; then
  echo "test/cluster/up failed; logs:" >&2
  tail -n 20 "$ARK_HOOKS_CLUSTER_DIR"/logs/*.log >&2 2>/dev/null
  stop
  exit 1
fi
if ! test/velero/up; then
  echo "test/velero/up failed; last lines of the Velero log:" >&2
  tail -n 40 "$ARK_HOOKS_CLUSTER_DIR/velero/logs/velero.log" >&2 2>/dev/null
  stop
  exit 1
fi
# shellcheck disable=SC1091
. "$ARK_HOOKS_CLUSTER_DIR/env"
ava test/e2e-velero/
rc=$?
if [ $rc -ne 0 ] && [ -n "${CI:-}" ]; then
  echo "Velero log (errors and hook lines):" >&2
  grep -E 'level=error|hook' "$ARK_HOOKS_CLUSTER_DIR/velero/logs/velero.log" | tail -n 60 >&2
fi
stop
exit $rc
