#!/usr/bin/env bash
# Bad input, compared with real etcd: each hostile request gets etcd's status and changes nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
reference=$(start_member reference "${REFERENCE_BIN:-/usr/bin/etcd}")
subject=$(start_member subject "$SERVER_BIN")
python3 "$here/badinput.py" "$reference" "$subject"
