#!/usr/bin/env bash
# An in-memory MongoDB-compatible server (mongo-java-server, from Maven Central) for `npm run bench`:
# a second database to measure against, one that is not the bottleneck the way FerretDB/SQLite is.
# Needs Java 17+ and Maven. Usage: bash bench/mongo-java-server/run.sh [port]   (default 27317)
# Then: MONGODB_URI=mongodb://127.0.0.1:27317/aspirasi_bench npm run bench
# Not for the bot itself or its tests: it keeps nothing on disk and is not MongoDB.
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-27317}"
lib="${ASPIRASI_CACHE_DIR:-$HOME/.cache/aspirasi-ikm}/mongo-java-server/lib"
if [ ! -d "$lib" ]; then
  mvn -q dependency:copy-dependencies -DoutputDirectory="$lib"
fi
exec java -Xmx2g -cp "$lib/*" Main.java "$port"
