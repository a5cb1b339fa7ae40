#!/usr/bin/env bash
# usage: gobuild.sh PACKAGE SOURCE_DIR OUTPUT
# Builds the Go program in SOURCE_DIR (package name PACKAGE) into OUTPUT in GOPATH mode against
# the Debian-packaged etcd 3.4.23 client sources in /usr/share/gocode/src (nothing downloaded).
# Idempotent: re-links the GOPATH, re-copies the sources, rebuilds (go caches).
set -euo pipefail
package=$1; here=$2; out=$3
gopath=/tmp/etcd-$package-gopath
src=/usr/share/gocode/src
# Go and etcd 3.4.23's client sources come from Debian; install them when missing.
if ! command -v go >/dev/null 2>&1 || [ ! -d "$src/go.etcd.io/etcd/clientv3" ]; then
  apt-get update -qq && apt-get install -y -qq golang-go golang-etcd-server-dev >/dev/null
fi
mkdir -p "$gopath/src"
for entry in "$src"/*; do
  name=$(basename "$entry")
  [ "$name" = "$package" ] && continue
  [ -e "$gopath/src/$name" ] || ln -sfn "$entry" "$gopath/src/$name"
done
pkg="$gopath/src/$package"
rm -rf "$pkg"
mkdir -p "$pkg"
cp "$here"/*.go "$pkg"/
cd "$pkg"
GO111MODULE=off GOPATH="$gopath" GOFLAGS= go vet .
GO111MODULE=off GOPATH="$gopath" GOFLAGS= go build -o "$out.tmp" .
mv -f "$out.tmp" "$out"
echo "built $out"
