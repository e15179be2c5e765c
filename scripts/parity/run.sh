#!/usr/bin/env bash
# Differential parity run: N random autograd programs through our server and through PyTorch, answers compared.
#
#   scripts/parity/run.sh [N] [extra fuzz.py options, e.g. --seed 7 --show 40 --strict-ulp]
#
# Builds the debug autograd-server (scratch .build-parity, or $SCRATCH), starts it and the PyTorch reference service
# (/work/shared/competitors/torch_service, or $ORACLE_DIR) on free ports, runs scripts/parity/fuzz.py, stops both.
# Needs python3 with torch, fastapi, uvicorn, orjson. Not part of CI (it needs torch). Exit status: fuzz.py's.
set -euo pipefail
N="${1:-200}"
shift || true
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCRATCH="${SCRATCH:-.build-parity}"
ORACLE_DIR="${ORACLE_DIR:-/work/shared/competitors/torch_service}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

(cd "$ROOT" && swift build --scratch-path "$SCRATCH" --product autograd-server >/dev/null)
BIN="$ROOT/$SCRATCH/debug/autograd-server"
OURS_PORT=$(free_port)
ORACLE_PORT=$(free_port)
logs=$(mktemp -d)
"$BIN" serve --port "$OURS_PORT" >"$logs/ours.log" 2>&1 &
ours_pid=$!
AUTOGRAD_METRICS=0 "$ORACLE_DIR/run.sh" "$ORACLE_PORT" >"$logs/oracle.log" 2>&1 &
oracle_pid=$!
trap 'kill $ours_pid $oracle_pid 2>/dev/null || true; rm -rf "$logs"' EXIT
for port in "$OURS_PORT" "$ORACLE_PORT"; do
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
python3 "$HERE/fuzz.py" --ours "http://127.0.0.1:$OURS_PORT" --oracle "http://127.0.0.1:$ORACLE_PORT" -n "$N" "$@"
