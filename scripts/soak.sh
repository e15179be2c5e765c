#!/usr/bin/env bash
# Soak test: 64 keep-alive connections create, use and delete (or abandon to expiry) sessions for SECONDS, while
# the server's RSS and open descriptors are sampled; fails on any error or if they do not return to baseline.
#   scripts/soak.sh [SECONDS] [CONNECTIONS]   (default 180 s, 64 connections; CI runs ~20 s)
# BIN=path/to/autograd-server uses that binary instead of building one (CI passes the release binary it built).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-180}"
CONNECTIONS="${2:-64}"
SCRATCH="${SCRATCH:-.build-harden}"
mkdir -p fuzz-out/soak

if [[ -z "${BIN:-}" ]]; then
    swift build -c release --product autograd-server --scratch-path "$SCRATCH" >/dev/null
    BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/autograd-server"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SERVER_PID=""
cleanup() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM
# A short default TTL so sessions left behind expire within the run; the API key must not leak in.
env -u AUTOGRAD_API_KEY "$BIN" serve --host 127.0.0.1 --port "$PORT" --session-ttl 2s --log-level warning \
    >fuzz-out/soak/server.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null
timeout $((SECONDS_TO_RUN + 120)) python3 scripts/soak/soak.py "$PORT" "$SERVER_PID" "$SECONDS_TO_RUN" "$CONNECTIONS"
