#!/usr/bin/env bash
# Maintenance.Downgrade (etcd 3.5) on one member: VALIDATE, ENABLE and CANCEL answer as etcd
# v3.5.13 does, and an enabled job survives a restart of the member on the same data dir.
# The installed etcd (3.4.23) has no Downgrade, so the expected answers come from reading etcd
# v3.5.13's source (server/etcdserver/v3_server.go Downgrade, downgradeValidate, downgradeEnable,
# downgradeCancel; cluster_util.go convertToClusterVersion; api/membership/downgrade.go
# AllowedDowngradeVersion; api/v3rpc/rpctypes/error.go); real etcd 3.4.23 is asserted to answer
# UNIMPLEMENTED, which documents the difference. One deliberate departure: etcd 3.5.13 itself
# would exit on that restart (membership.mustDetectDowngrade: its 3.5 is not the 3.4 target);
# this server keeps the job and serves, as etcd 3.6 does (see Sources/MVCC/Downgrade.swift).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
reference=$(start_member reference "${REFERENCE_BIN:-/usr/bin/etcd}")
subject=$(start_member subject "$SERVER_BIN")
python3 "$here/downgrade.py" before-restart "$subject" "$reference"

# Stop the member (by its PID) and start it again on the same data dir.
pid=$(cat "$INTEROP_WORK/subject.pid")
kill "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "member did not stop on SIGTERM" >&2; exit 1; fi
subject=$(start_member subject "$SERVER_BIN")
python3 "$here/downgrade.py" after-restart "$subject"
