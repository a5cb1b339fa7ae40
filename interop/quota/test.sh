#!/usr/bin/env bash
# The backend quota, compared with real etcd: both members get a 1 MB quota, are filled past it,
# and must then agree on NOSPACE, on what still works (reads, deletes, compaction) and on disarm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MEMBER_FLAGS="--quota-backend-bytes 1000000" COMMANDS="$here/commands.txt" exec "$here/../differential/test.sh"
