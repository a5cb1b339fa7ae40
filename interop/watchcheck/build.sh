#!/usr/bin/env bash
# Builds the watch checker into $WATCHCHECK (default /tmp/etcd-watchcheck).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/../lib/gobuild.sh" watchcheck "$here" "${WATCHCHECK:-/tmp/etcd-watchcheck}"
