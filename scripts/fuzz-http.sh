#!/usr/bin/env bash
# Fuzzes the HTTP request parser and the connection state machine with libFuzzer for a bounded time.
#   scripts/fuzz-http.sh [SECONDS]   (default 60)
# Crashing inputs land in fuzz-out/http-parser/ (git-ignored); turn each into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
OUT="fuzz-out/http-parser"
BIN="$OUT/fuzz-http-parser"
mkdir -p "$OUT/corpus"
cp -n Fuzz/HTTPParser/corpus/* "$OUT/corpus/" 2>/dev/null || true

swiftc -parse-as-library -sanitize=fuzzer,address -O -package-name fuzz -module-name HTTPParserFuzz \
    Sources/HTTPServer/Parser/*.swift Sources/HTTPServer/Connection/ConnectionStateMachine.swift \
    Sources/HTTPServer/HTTPServerConfiguration.swift Fuzz/HTTPParser/*.swift -o "$BIN"

# The Swift backtracer would stall libFuzzer's crash exit.
SWIFT_BACKTRACE=enable=no "$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 \
    -artifact_prefix="$OUT/" "$OUT/corpus"
