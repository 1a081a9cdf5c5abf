#!/usr/bin/env bash
# Builds FerretDB from the Go module proxy (no other download): bash .ci/build-ferretdb.sh VERSION OUT
# Used by .ci/run (SQLite backend, the tests) and bench/ferretdb-postgres/run.sh (PostgreSQL backend).
set -euo pipefail
version="$1"
out="$2"
command -v go >/dev/null || { echo "go toolchain not found: needed to build FerretDB" >&2; exit 1; }
GOMODCACHE="$(go env GOMODCACHE)"
src="$GOMODCACHE/github.com/!ferret!d!b/!ferret!d!b@$version"
if [ ! -d "$src" ]; then
  (cd /tmp && go mod download "github.com/FerretDB/FerretDB@$version")
fi
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cp -r "$src/." "$build/"
chmod -R u+w "$build"
# The module as published has no generated version file; the binary panics without one.
echo "$version" > "$build/build/version/version.txt"
mkdir -p "$(dirname "$out")"
(cd "$build" && { go build -o "$out.tmp" ./cmd/ferretdb || go build -ldflags=-checklinkname=0 -o "$out.tmp" ./cmd/ferretdb; })
mv "$out.tmp" "$out"
