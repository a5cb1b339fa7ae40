#!/usr/bin/env bash
# Builds the clusterfaults program into $CLUSTERFAULTS_PROGRAM (default /tmp/etcd-clusterfaults).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/../lib/gobuild.sh" clusterfaults "$here" "${CLUSTERFAULTS_PROGRAM:-/tmp/etcd-clusterfaults}"
