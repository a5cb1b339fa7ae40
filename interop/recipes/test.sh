#!/usr/bin/env bash
# Lock and election services (v3lock, v3election) and etcdctl's client-side lock/elect, compared
# with real etcd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
reference=$(start_member reference "${REFERENCE_BIN:-/usr/bin/etcd}")
subject=$(start_member subject "$SERVER_BIN")
python3 "$here/recipes.py" "$reference" "$subject"
