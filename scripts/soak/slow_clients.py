"""Hostile clients against autograd-server on loopback, while a fresh client's latency is measured.

Attackers (all at once, for the whole run): slowloris connections trickling one header line a second, slow bodies
trickling one body byte a second, clients that pipeline large responses and never read them, and a flood of
connections that connect and send nothing. Every 250 ms a fresh client opens a new connection and does
GET /healthz and POST /v1/sessions; each must be answered within 1 s.

usage: slow_clients.py PORT SECONDS
"""

import asyncio
import json
import os
import resource
import sys
import time

PORT, DURATION = int(sys.argv[1]), float(sys.argv[2])
SLOWLORIS, SLOW_BODIES, NON_READERS = 200, 100, 50
FLOOD = int(os.environ.get("FLOOD", "1000"))
LIMIT = 1.0


async def slowloris(stop):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        i = 0
        while not stop.is_set():
            writer.write(f"X-Slow-{i}: a\r\n".encode())
            await writer.drain()
            i += 1
            await asyncio.sleep(1)
    except (ConnectionError, OSError):
        return "closed"
    finally:
        if "writer" in locals():
            writer.close()
    return "open"


async def slow_body(stop):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        writer.write(b"POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{")
        while not stop.is_set():
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(1)
    except (ConnectionError, OSError):
        return "closed"
    finally:
        if "writer" in locals():
            writer.close()
    return "open"


async def non_reader(stop):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT, limit=1024)
        # Shrink our receive window so the server's writes block quickly.
        sock = writer.get_extra_info("socket")
        request = b"GET /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 200
        writer.write(request)
        while not stop.is_set():
            await asyncio.sleep(0.5)
        del sock
    except (ConnectionError, OSError):
        return "closed"
    finally:
        if "writer" in locals():
            writer.close()
    return "open"


async def flood(stop):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        while not stop.is_set():
            await asyncio.sleep(0.5)
    except (ConnectionError, OSError):
        return "refused"
    finally:
        if "writer" in locals():
            writer.close()
    return "open"


async def fresh_request(method, path, body):
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    payload = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(payload)}\r\n"
    if body is not None:
        head += "Content-Type: application/json\r\n"
    writer.write(head.encode() + b"\r\n" + payload)
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()
    writer.close()
    status = int(status_line.split()[1]) if status_line else 0
    return status, time.monotonic() - started


async def prober(stop, results):
    while not stop.is_set():
        for method, path, body, ok in (("GET", "/healthz", None, 200), ("POST", "/v1/sessions", {}, 201)):
            try:
                status, elapsed = await asyncio.wait_for(fresh_request(method, path, body), timeout=5)
                results.append((method, path, status == ok, elapsed, status))
            except Exception as error:
                results.append((method, path, False, 5.0, repr(error)))
        await asyncio.sleep(0.25)


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    stop = asyncio.Event()
    attackers = [asyncio.create_task(slowloris(stop)) for _ in range(SLOWLORIS)]
    attackers += [asyncio.create_task(slow_body(stop)) for _ in range(SLOW_BODIES)]
    attackers += [asyncio.create_task(non_reader(stop)) for _ in range(NON_READERS)]
    attackers += [asyncio.create_task(flood(stop)) for _ in range(FLOOD)]
    await asyncio.sleep(1)  # let the attackers connect first
    results = []
    probe = asyncio.create_task(prober(stop, results))
    await asyncio.sleep(DURATION)
    stop.set()
    await probe
    outcomes = await asyncio.gather(*attackers, return_exceptions=True)
    bounds = [0, SLOWLORIS, SLOWLORIS + SLOW_BODIES, SLOWLORIS + SLOW_BODIES + NON_READERS, len(outcomes)]
    closed = [sum(1 for o in outcomes[bounds[i]:bounds[i + 1]] if o in ("closed", "refused")) for i in range(4)]
    latencies = sorted(r[3] for r in results)
    failures = [r for r in results if not r[2] or r[3] > LIMIT]
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"attackers: {SLOWLORIS} slowloris, {SLOW_BODIES} slow bodies, {NON_READERS} non-readers, "
          f"{FLOOD} idle flood; closed by the server by the end: {closed[0]} slowloris, {closed[1]} slow bodies, "
          f"{closed[2]} non-readers, {closed[3]} flood")
    print(f"fresh clients: {len(results)} requests over {DURATION:.0f} s; latency p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms (limit {LIMIT * 1000:.0f} ms)")
    for failure in failures[:10]:
        print(f"  slow or failed: {failure}")
    if failures:
        print(f"SLOW CLIENTS FAILED: {len(failures)} fresh requests slower than {LIMIT} s or failed")
        sys.exit(1)
    print("SLOW CLIENTS PASSED")


asyncio.run(main())
