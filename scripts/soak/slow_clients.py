"""Hostile clients against autograd-server on loopback, while a fresh client's latency is measured.

Attackers (all at once, for the whole run): slowloris connections trickling one header line a second, slow bodies
trickling one body byte a second, clients that pipeline large responses and never read them, and a flood of
connections that connect and send nothing. Slowloris, slow-body and flood connections reconnect as soon as the
server closes them, so the attack stays at full strength for the whole run. Every 250 ms a fresh client opens a
new connection and does GET /healthz and POST /v1/sessions; each must be answered within 1 s.

With TLS=1 in the environment the server speaks HTTPS: attackers and fresh clients handshake first (trusting any
certificate), except the flood, which opens TCP and never starts a handshake.

usage: slow_clients.py PORT SECONDS
"""

import asyncio
import json
import multiprocessing
import os
import resource
import socket
import ssl
import sys
import time

PORT, DURATION = int(sys.argv[1]), float(sys.argv[2])
SLOWLORIS, SLOW_BODIES, NON_READERS = 200, 100, 50
FLOOD = int(os.environ.get("FLOOD", "1000"))
LIMIT = 1.0
TLS = None
if os.environ.get("TLS") == "1":
    TLS = ssl.create_default_context()
    TLS.check_hostname = False
    TLS.verify_mode = ssl.CERT_NONE

KINDS = ("slowloris", "slow body", "non-reader", "flood")
open_now = dict.fromkeys(KINDS, 0)
closed_by_server = dict.fromkeys(KINDS, 0)


async def connect(kind, limit=2**16):
    tls = None if kind == "flood" else TLS
    return await asyncio.open_connection("127.0.0.1", PORT, ssl=tls, limit=limit)


async def trickle(kind, stop, head, piece):
    """Sends `head`, then `piece` once a second until the server closes the connection; then reconnects."""
    while not stop.is_set():
        try:
            reader, writer = await connect(kind)
        except (ConnectionError, OSError, ssl.SSLError):
            closed_by_server[kind] += 1
            await asyncio.sleep(0.5)
            continue
        open_now[kind] += 1
        ended = asyncio.ensure_future(reader.read())  # EOF (after a 408 or a silent close) ends this connection
        try:
            if head:
                writer.write(head)
            while not stop.is_set() and not ended.done():
                if piece:
                    writer.write(piece(time.monotonic()))
                    await writer.drain()
                await asyncio.wait([ended], timeout=1)
            if ended.done():
                closed_by_server[kind] += 1
        except (ConnectionError, OSError, ssl.SSLError):
            closed_by_server[kind] += 1
        finally:
            open_now[kind] -= 1
            ended.cancel()
            writer.close()


async def non_reader(stop):
    try:
        reader, writer = await connect("non-reader", limit=1024)
        open_now["non-reader"] += 1
        writer.write(b"GET /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 200)
        while not stop.is_set():
            await asyncio.sleep(0.5)
        open_now["non-reader"] -= 1
        writer.close()
    except (ConnectionError, OSError, ssl.SSLError):
        closed_by_server["non-reader"] += 1


def fresh_request(method, path, body):
    """One request on a new blocking connection; returns (status, seconds)."""
    started = time.monotonic()
    raw = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    conn = TLS.wrap_socket(raw, server_hostname="localhost") if TLS else raw
    try:
        payload = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                f"Content-Length: {len(payload)}\r\n")
        if body is not None:
            head += "Content-Type: application/json\r\n"
        conn.sendall(head.encode() + b"\r\n" + payload)
        received = b""
        while b"\r\n" not in received:
            chunk = conn.recv(4096)
            if not chunk:
                break
            received += chunk
    finally:
        conn.close()
    status_line = received.split(b"\r\n", 1)[0]
    status = int(status_line.split()[1]) if status_line else 0
    return status, time.monotonic() - started


def prober(stop, queue):
    """In its own process, so the attackers' event loop cannot delay (or flatter) the fresh client's latency."""
    results = []
    while not stop.is_set():
        for method, path, body, ok in (("GET", "/healthz", None, 200), ("POST", "/v1/sessions", {}, 201)):
            try:
                status, elapsed = fresh_request(method, path, body)
                results.append((method, path, status == ok, elapsed, status))
            except Exception as error:
                results.append((method, path, False, 5.0, repr(error)))
        time.sleep(0.25)
    queue.put(results)


async def sample_open(stop, samples):
    while not stop.is_set():
        samples.append(open_now["slowloris"] + open_now["slow body"])
        await asyncio.sleep(0.25)


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    stop = asyncio.Event()
    header_line = lambda now: f"X-Slow-{int(now * 1000)}: a\r\n".encode()
    attackers = [asyncio.create_task(trickle("slowloris", stop, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                             header_line)) for _ in range(SLOWLORIS)]
    body_head = (b"POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n{")
    attackers += [asyncio.create_task(trickle("slow body", stop, body_head, lambda now: b" "))
                  for _ in range(SLOW_BODIES)]
    attackers += [asyncio.create_task(non_reader(stop)) for _ in range(NON_READERS)]
    attackers += [asyncio.create_task(trickle("flood", stop, b"", None)) for _ in range(FLOOD)]
    await asyncio.sleep(3 if TLS else 1)  # let the attackers connect first
    samples = []
    probe_stop, queue = multiprocessing.Event(), multiprocessing.Queue()
    probe = multiprocessing.Process(target=prober, args=(probe_stop, queue))
    probe.start()
    sampler = asyncio.create_task(sample_open(stop, samples))
    await asyncio.sleep(DURATION)
    probe_stop.set()
    results = await asyncio.get_running_loop().run_in_executor(None, queue.get)
    probe.join()
    stop.set()
    await sampler
    await asyncio.gather(*attackers, return_exceptions=True)
    latencies = sorted(r[3] for r in results)
    failures = [r for r in results if not r[2] or r[3] > LIMIT]
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{'HTTPS' if TLS else 'HTTP'}; attackers: {SLOWLORIS} slowloris, {SLOW_BODIES} slow bodies, "
          f"{NON_READERS} non-readers, {FLOOD} idle flood (reconnecting when closed)")
    print("closed by the server during the run: " + ", ".join(f"{closed_by_server[k]} {k}" for k in KINDS))
    samples.sort()
    print(f"slowloris + slow-body connections open while probing (sampled every 250 ms): min {samples[0]}, "
          f"median {samples[len(samples) // 2]}, max {samples[-1]}")
    print(f"fresh clients: {len(results)} requests over {DURATION:.0f} s; latency p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms (limit {LIMIT * 1000:.0f} ms)")
    for failure in failures[:10]:
        print(f"  slow or failed: {failure}")
    if failures:
        print(f"SLOW CLIENTS FAILED: {len(failures)} fresh requests slower than {LIMIT} s or failed")
        sys.exit(1)
    print("SLOW CLIENTS PASSED")


asyncio.run(main())
