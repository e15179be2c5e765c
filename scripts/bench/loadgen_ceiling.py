#!/usr/bin/env python3
"""How fast bench_workload.py's own client can go: its Conn class looping GET /healthz (a route that does no work).

A server whose workflow requests/s come close to this figure is being measured against the client, not itself.
Prints one line `JSON {...}` (requests/s, p50/p99 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import time


def load_workload(path):
    spec = importlib.util.spec_from_file_location("bench_workload", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


async def client(wl, conn_args, deadline, lat, errors):
    conn = wl.Conn(*conn_args)
    try:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            status, _ = await conn.request("GET", "/healthz")
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=5.0)
    a = ap.parse_args()
    wl = load_workload(a.workload)
    try:
        import uvloop  # the workload uses it when importable; so does its ceiling

        uvloop.install()
    except ImportError:
        pass
    conn_args = (*wl.parse_base(a.base, False), {})
    lat: list[float] = []
    errors: list[int] = []

    async def go():
        warm = time.perf_counter() + 0.5
        await asyncio.gather(*(client(wl, conn_args, warm, [], []) for _ in range(a.clients)))
        t0 = time.perf_counter()
        await asyncio.gather(*(client(wl, conn_args, t0 + a.seconds, lat, errors) for _ in range(a.clients)))
        return time.perf_counter() - t0

    elapsed = asyncio.run(go())
    lat.sort()
    print("JSON " + json.dumps({
        "clients": a.clients, "mode": "healthz", "seconds": round(elapsed, 3), "requests": len(lat),
        "errors": len(errors), "req_per_s": round(len(lat) / elapsed, 1),
        "req_p50_ms": round(wl.pct(lat, 0.5) * 1000, 3), "req_p99_ms": round(wl.pct(lat, 0.99) * 1000, 3),
    }))


if __name__ == "__main__":
    main()
