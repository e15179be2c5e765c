#!/usr/bin/env bash
# Benchmarks the HTTPServer library against nginx on loopback, in the same run.
#   scripts/bench-http.sh [DURATION_SECONDS]   (default 15)
# Builds HTTPHelloServer in release mode, starts it and an nginx with its own config (`return 200`), then runs wrk
# (2 threads, 64 connections) with keep-alive and with `Connection: close` against each. Installs wrk and nginx
# from Debian's packages when missing. Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
OURS_PORT=18181
NGINX_PORT=18182
SCRATCH="${SCRATCH:-.build-http}"
WORK="$(mktemp -d)"

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq && (apt-get install -y -qq wrk nginx-light || apt-get install -y -qq wrk nginx) >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

swift build -c release --scratch-path "$SCRATCH" --product HTTPHelloServer >/dev/null
"$SCRATCH/release/HTTPHelloServer" "$OURS_PORT" >"$WORK/ours.log" 2>&1 &
OURS_PID=$!

mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / { return 200 "hello, world\n"; }
    }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
cleanup() { kill "$OURS_PID" "$NGINX_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
sleep 1

run() { # name url extra-header...
    local name="$1" url="$2"; shift 2
    local out
    out="$(wrk -t2 -c64 -d"${DURATION}s" --latency "$@" "$url")"
    local rps p50 p99
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    echo "| $name | $rps | $p50 | $p99 |"
}

echo "| target (wrk -t2 -c64 -d${DURATION}s) | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
run "HTTPServer, keep-alive" "http://127.0.0.1:$OURS_PORT/"
run "nginx, keep-alive" "http://127.0.0.1:$NGINX_PORT/"
run "HTTPServer, Connection: close" "http://127.0.0.1:$OURS_PORT/" -H "Connection: close"
run "nginx, Connection: close" "http://127.0.0.1:$NGINX_PORT/" -H "Connection: close"
