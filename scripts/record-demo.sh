#!/usr/bin/env bash
# npm run record-demo: records docs/demo.cast (asciicast v2) from a real session of `kubectl ark-hooks`
# against the test control plane (test/cluster: kube-apiserver, etcd, kwok, exec shim) and renders
# docs/demo.svg from it. Unattended and idempotent: starts its own control plane in a fresh folder,
# builds the CLI of this checkout, records (scripts/record-demo.ts), renders, and stops the control
# plane again however it ends. About a minute on a warm build cache.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH" # the project's Node 26, also when run without npm

work=$(mktemp -d /tmp/ark-hooks-demo.XXXXXX)
export ARK_HOOKS_CLUSTER_DIR="$work/cluster"
child=
cleanup() {
  if [ -n "$child" ]; then kill "$child" 2> /dev/null || true; fi
  test/cluster/down > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# Runs a long step in the background and waits for it, so that a signal to this script runs the
# trap at once (bash runs traps only between foreground commands) and the step is stopped too.
step() {
  "$@" &
  child=$!
  wait "$child"
  child=
}

node scripts/build.mjs > /dev/null

# The demo's hooks run /sbin/fsfreeze, and the exec shim runs hook commands on this machine. So the
# control plane runs in a mount namespace of its own in which /sbin/fsfreeze is a stand-in that only
# notes its arguments: no filesystem of this machine is ever frozen. (The hooks name /var/lib/mysql,
# which the host does not have, so even the real fsfreeze would only fail.)
real=$(readlink -f /sbin/fsfreeze 2> /dev/null || true)
if [ ! -f "$real" ]; then
  echo "record-demo: /sbin/fsfreeze (util-linux) is missing, so there is nothing to mount the stand-in over" >&2
  exit 1
fi
printf '#!/bin/sh\necho "$*" >> %s/fsfreeze.log\n' "$work" > "$work/fsfreeze"
chmod +x "$work/fsfreeze"
ns=(unshare --mount --propagation private)
[ "$(id -u)" = 0 ] || ns=(unshare --map-root-user --mount --propagation private)
# A cold build of the control plane takes about ten minutes and reports progress every 30 s; warm,
# it is instant. test/cluster/up builds through the same progress wrapper inside $(…), which then
# waits for the wrapper's ticker to finish its sleep (30 s) even when nothing was built: after this
# build, up finds the cache warm, and a 1 s tick makes that wait 1 s.
step test/support/progress "building the test control plane (kube-apiserver, etcd, kwok, exec-shim)" -- test/cluster/build > /dev/null
export ARK_HOOKS_PROGRESS_SECONDS=1
echo "record-demo: starting the test control plane in $ARK_HOOKS_CLUSTER_DIR" >&2
# shellcheck disable=SC2016
if ! step "${ns[@]}" sh -c 'mount --bind "$1" "$2" && exec test/cluster/up' sh "$work/fsfreeze" "$real" > /dev/null; then
  echo "record-demo: the control plane did not start; logs:" >&2
  tail -n 20 "$ARK_HOOKS_CLUSTER_DIR"/logs/*.log >&2 2> /dev/null || true
  exit 1
fi
# shellcheck disable=SC1091
. "$ARK_HOOKS_CLUSTER_DIR/env"

step node scripts/record-demo.ts "$work/demo.cast"
if [ "$(grep -c -e '--freeze /var/lib/mysql' -e '--unfreeze /var/lib/mysql' "$work/fsfreeze.log" 2> /dev/null)" != 4 ]; then
  echo "record-demo: the stand-in fsfreeze was not called to freeze and unfreeze both pods:" >&2
  cat "$work/fsfreeze.log" >&2 2> /dev/null || true
  exit 1
fi

echo "record-demo: rendering docs/demo.svg with svg-term-cli 2.1.1" >&2
step npx --yes svg-term-cli@2.1.1 --in "$work/demo.cast" --out "$work/demo.svg" --window
mv "$work/demo.cast" docs/demo.cast
mv "$work/demo.svg" docs/demo.svg
echo "record-demo: wrote docs/demo.cast ($(wc -c < docs/demo.cast) bytes) and docs/demo.svg ($(wc -c < docs/demo.svg) bytes)" >&2
