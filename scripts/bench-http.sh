#!/usr/bin/env bash
# Benchmarks the HTTPServer library against nginx on loopback, in the same run.
#   scripts/bench-http.sh [DURATION_SECONDS]   (default 15)
# Builds HTTPHelloServer in release mode, starts it and an nginx with its own config (`return 200`), then runs wrk
# (2 threads, 64 connections) with keep-alive and with `Connection: close` against each, ab -k (the HTTP/1.0
# keep-alive path) and h2load --h1 -m 8 (pipelining), and finally slowhttptest (slowloris, bounded) against ours
# while checking a normal request is still answered. Installs wrk, nginx, ab, h2load and slowhttptest from Debian's
# packages when missing. Prints Markdown tables for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
OURS_PORT=18181
NGINX_PORT=18182
SCRATCH="${SCRATCH:-.build-http}"
WORK="$(mktemp -d)"

if ! command -v wrk >/dev/null || ! command -v ab >/dev/null || ! command -v h2load >/dev/null \
    || ! command -v slowhttptest >/dev/null || { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; }; then
    apt-get update -qq
    apt-get install -y -qq wrk apache2-utils nghttp2-client slowhttptest >/dev/null
    apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null
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

echo
echo "| target | tool | requests/s |"
echo "|---|---|---|"
for target in "HTTPServer:$OURS_PORT" "nginx:$NGINX_PORT"; do
    name="${target%%:*}" port="${target##*:}"
    ab_rps="$(ab -k -q -n 50000 -c 50 "http://127.0.0.1:$port/" 2>/dev/null | awk '/Requests per second/ {print $4}')"
    echo "| $name | ab -k -n 50000 -c 50 (HTTP/1.0 keep-alive) | $ab_rps |"
    h2_rps="$(h2load --h1 -n 100000 -c 32 -m 8 "http://127.0.0.1:$port/" 2>/dev/null \
        | awk '/finished in/ {print $4}')"
    echo "| $name | h2load --h1 -n 100000 -c 32 -m 8 (pipelined) | $h2_rps |"
done

echo
echo "slowloris: slowhttptest -H -c 500 -i 5 -r 200 -l 20 against HTTPServer (header timeout 10 s)"
slowhttptest -H -c 500 -i 5 -r 200 -l 20 -p 3 -u "http://127.0.0.1:$OURS_PORT/" >"$WORK/slow.log" 2>&1 &
SLOW_PID=$!
sleep 12
status="$(curl -s -o /dev/null -m 5 -w '%{http_code} in %{time_total}s' "http://127.0.0.1:$OURS_PORT/" || echo failed)"
wait "$SLOW_PID" || true
echo "- a normal request during the attack: $status"
echo "- slowhttptest: $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/slow.log" | grep -E 'service available' | tail -1 | tr -s ' ')"
