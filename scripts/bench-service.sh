#!/usr/bin/env bash
# End-to-end benchmark (issue 6): our autograd-server against the Python service users would otherwise write
# (../shared/competitors/torch_service, FastAPI + PyTorch), in one run, on loopback.
#   scripts/bench-service.sh [SECONDS_PER_RUN]   (default 8; the whole run stays under ~10 minutes after the build)
# Builds the release binary, starts both servers on free loopback ports, and runs scripts/bench/service_bench.py:
# the shared workload (../shared/bench/bench_workload.py) at 1 and 16 clients, single and batch; the same workflow
# under wrk (scripts/bench/workflow.lua); the load generator's own ceiling against /healthz; a tensor-heavy MLP
# workflow with 1,000,000-element float32 tensors as JSON; each server's CPU time per workflow from /proc/PID/stat;
# RSS of idle sessions and of a 1,000,000-element tensor. Prints a table of ratios and appends it, with the command
# and the date, to BENCHMARKS.md. Both servers are stopped on exit.
# Environment: SCRATCH (build folder, default .build-perf), PYTHON (default python3), SESSIONS (default 10000),
# NO_APPEND=1 (print only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
SECONDS_PER_RUN="${1:-8}"
SCRATCH="${SCRATCH:-.build-perf}"
PY="${PYTHON:-python3}"
SESSIONS="${SESSIONS:-10000}"
SHARED="$(cd "$ROOT/.." && pwd)/shared"
[ -d "$SHARED/bench" ] || SHARED=/work/shared
WORKLOAD="$SHARED/bench/bench_workload.py"
TORCH_RUN="$SHARED/competitors/torch_service/run.sh"
WORK="$(mktemp -d)"
OURS_PID="" TORCH_PID="" TUNED_PID=""

cleanup() { # SIGTERM (ours drains in-flight requests first), then SIGKILL after 10 s
    local pid i
    for pid in $OURS_PID $TUNED_PID $TORCH_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $OURS_PID $TUNED_PID $TORCH_PID; do
        for i in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Python pieces the competitor and the clients use; uvloop and httptools are what run.sh picks when present.
missing=""
for mod in torch:torch fastapi:fastapi uvicorn:uvicorn orjson:orjson numpy:numpy uvloop:uvloop httptools:httptools; do
    "$PY" -c "import ${mod%%:*}" 2>/dev/null || missing="$missing ${mod##*:}"
done
if [ -n "$missing" ]; then
    echo "pip install$missing" >&2
    "$PY" -m pip install -q --disable-pip-version-check $missing >&2
fi
if ! command -v wrk >/dev/null; then
    { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || echo "wrk not installed: wrk runs skipped" >&2
fi

echo "== building the release binary" >&2
swift build -c release --scratch-path "$SCRATCH" --product autograd-server >&2
BIN="$SCRATCH/release/autograd-server"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
OURS_PORT="$(free_port)"
TORCH_PORT="$(free_port)"
while [ "$TORCH_PORT" = "$OURS_PORT" ]; do TORCH_PORT="$(free_port)"; done
TUNED_PORT="$(free_port)"
while [ "$TUNED_PORT" = "$OURS_PORT" ] || [ "$TUNED_PORT" = "$TORCH_PORT" ]; do TUNED_PORT="$(free_port)"; done

# Both servers get room for the memory probe's sessions; both log warnings only (run.sh starts uvicorn with
# --no-access-log --log-level warning; ours logs every request at its default level, info). Nothing else is changed.
export AUTOGRAD_MAX_SESSIONS=$((SESSIONS + 1000))
"$BIN" serve --host 127.0.0.1 --port "$OURS_PORT" --log-level warning >"$WORK/ours.log" 2>&1 &
OURS_PID=$!
# The same binary with glibc's dynamic mmap threshold switched off, for the memory probe only: it shows how much of
# a large tensor's RSS is the allocator keeping freed request buffers rather than the tensor.
MALLOC_MMAP_THRESHOLD_=131072 "$BIN" serve --host 127.0.0.1 --port "$TUNED_PORT" --log-level warning >"$WORK/tuned.log" 2>&1 &
TUNED_PID=$!
PYTHON="$PY" "$TORCH_RUN" "$TORCH_PORT" >"$WORK/torch.log" 2>&1 &
TORCH_PID=$! # run.sh execs uvicorn, so this is the server's own PID

wait_up() { # name port pid
    local deadline=$((SECONDS + 180))
    until curl -fsS -o /dev/null "http://127.0.0.1:$2/healthz" 2>/dev/null; do
        if ! kill -0 "$3" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            echo "$1 did not come up on port $2:" >&2
            cat "$WORK/$1.log" >&2
            exit 1
        fi
        sleep 0.5
    done
}
wait_up ours "$OURS_PORT" "$OURS_PID"
wait_up tuned "$TUNED_PORT" "$TUNED_PID"
wait_up torch "$TORCH_PORT" "$TORCH_PID"
echo "== ours: pid $OURS_PID port $OURS_PORT; Python service: pid $TORCH_PID port $TORCH_PORT" >&2

started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
timeout 600 "$PY" scripts/bench/service_bench.py \
    --ours "http://127.0.0.1:$OURS_PORT" --ours-pid "$OURS_PID" \
    --ours-tuned "http://127.0.0.1:$TUNED_PORT" --ours-tuned-pid "$TUNED_PID" \
    --torch "http://127.0.0.1:$TORCH_PORT" --torch-pid "$TORCH_PID" \
    --workload "$WORKLOAD" --seconds "$SECONDS_PER_RUN" --sessions "$SESSIONS" \
    --results "$WORK/results.jsonl" --markdown "$WORK/report.md" --tmp "$WORK"

if [ "${NO_APPEND:-0}" != 1 ]; then
    {
        echo "### $started: ours vs the Python service (FastAPI + PyTorch $("$PY" -c 'import torch; print(torch.__version__)'))"
        echo
        echo "Command: \`scripts/bench-service.sh $SECONDS_PER_RUN\` (x86_64, $(nproc) cores shared with the load" \
            "generator; load average at the start: $load)"
        echo
        cat "$WORK/report.md"
    } | "$PY" scripts/bench/append_section.py BENCHMARKS.md
    echo "appended to BENCHMARKS.md" >&2
fi
