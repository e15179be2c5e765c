#!/usr/bin/env bash
# Property-tests the running server against the root openapi.yaml with schemathesis (PyPI), bounded.
#   scripts/schemathesis.sh [MAX_EXAMPLES] [extra st options...]   (default 25 examples per operation)
# Serves the release server on a free loopback port and runs every phase (examples, coverage, fuzzing, and stateful
# chains through the document's links: createSession's id -> {sid}, createTensor's name -> {name}); fails on any
# 5xx or any response that breaks the schema (status code, content type, body). The server is stopped on every exit.
#   BIN=path/to/autograd-server   use that binary instead of building one (CI passes the one `make release` built)
#   SCRATCH=.build-x              scratch folder for the release build otherwise (default .build-harden)
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES="${1:-25}"
SCRATCH="${SCRATCH:-.build-harden}"
SCHEMATHESIS_VERSION=4.32.5
OUT="fuzz-out/schemathesis"
mkdir -p "$OUT"

if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    # A distribution's own Python refuses plain installs (PEP 668): then into the user's site instead.
    python3 -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >/dev/null 2>&1 \
        || python3 -m pip install -q --disable-pip-version-check --user --break-system-packages \
            "schemathesis==$SCHEMATHESIS_VERSION" >/dev/null
fi

if [[ -z "${BIN:-}" ]]; then
    swift build -c release --product autograd-server --scratch-path "$SCRATCH" >/dev/null
    BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/autograd-server"
fi

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SERVER_PID=""
cleanup() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM
# No key may leak in from the caller's environment: schemathesis sends no credentials.
env -u AUTOGRAD_API_KEY -u AUTOGRAD_API_KEYS_FILE "$BIN" serve --host 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

# One worker: with two, hypothesis described lambdas by ast-parsing source on both threads at once, and Python
# 3.11's ast raised "AST constructor recursion depth mismatch" as a schemathesis runtime error (a CI run failed so).
timeout 900 python3 -m schemathesis.cli run openapi.yaml --url "http://127.0.0.1:$PORT" \
    --max-examples "$MAX_EXAMPLES" --seed "${SEED:-1}" --workers 1 --request-timeout 10 \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --suppress-health-check all --report junit --report-dir "$OUT" "${@:2}"
