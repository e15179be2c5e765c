#!/usr/bin/env bash
# Slowloris, slow bodies, clients that never read and a connection flood against the server on loopback, while a
# fresh client must be answered within 1 s; prints the fresh client's latencies.
#   scripts/slow-clients.sh [SECONDS]   (default 30)
#   TLS=1 scripts/slow-clients.sh       the same over HTTPS, with a throw-away self-signed certificate
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-30}"
SCRATCH="${SCRATCH:-.build-harden}"
mkdir -p fuzz-out/slow-clients

swift build -c release --product autograd-server --scratch-path "$SCRATCH" >/dev/null
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/autograd-server"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SERVER_PID=""
cleanup() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM
# The flood needs descriptors on both ends.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
SCHEME=http
TLS_FLAGS=()
if [[ "${TLS:-0}" == 1 ]]; then
    SCHEME=https
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
        -keyout fuzz-out/slow-clients/key.pem -out fuzz-out/slow-clients/cert.pem 2>/dev/null
    TLS_FLAGS=(--tls-cert fuzz-out/slow-clients/cert.pem --tls-key fuzz-out/slow-clients/key.pem)
fi
env -u AUTOGRAD_API_KEY "$BIN" serve --host 127.0.0.1 --port "$PORT" --log-level warning "${TLS_FLAGS[@]}" \
    >fuzz-out/slow-clients/server.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -kfsS "$SCHEME://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
curl -kfsS "$SCHEME://127.0.0.1:$PORT/healthz" >/dev/null
TLS="${TLS:-0}" timeout $((SECONDS_TO_RUN + 60)) python3 scripts/soak/slow_clients.py "$PORT" "$SECONDS_TO_RUN"
