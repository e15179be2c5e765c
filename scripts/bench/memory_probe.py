#!/usr/bin/env python3
"""A server's memory cost, from its resident set (VmRSS in /proc/PID/status) before and after:

  * idle sessions: create --sessions empty sessions (16 connections), RSS delta / sessions; then delete them all;
  * 1,000,000-element float32 tensors: after one untimed upload-and-delete (so buffers the request path keeps are
    already resident), create --tensors sessions each holding one [1000, 1000] float32 tensor sent as JSON,
    RSS delta / tensors; then delete those sessions and measure what is left over the baseline.

Prints one line `JSON {...}` with bytes per session, bytes per tensor and the leftovers.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import time

import numpy as np
import orjson


def load_workload(path):
    spec = importlib.util.spec_from_file_location("bench_workload", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def settle(pid: int) -> int:
    """RSS once the server has finished what the last answers started (freeing happens after the response)."""
    await asyncio.sleep(0.5)
    return rss_bytes(pid)


async def create_sessions(wl, conn_args, n, conns=16):
    ids: list[str] = []
    errors: list[str] = []

    async def worker(count):
        conn = wl.Conn(*conn_args)
        try:
            for _ in range(count):
                status, answer = await conn.request("POST", "/v1/sessions", None)
                if status != 201:
                    errors.append(f"{status}: {answer[:200]!r}")
                    return
                ids.append(json.loads(answer)["id"])
        finally:
            conn.close()

    share = [n // conns + (1 if i < n % conns else 0) for i in range(conns)]
    await asyncio.gather(*(worker(c) for c in share))
    return ids, errors


async def delete_sessions(wl, conn_args, ids, conns=16):
    async def worker(part):
        conn = wl.Conn(*conn_args)
        try:
            for sid in part:
                await conn.request("DELETE", f"/v1/sessions/{sid}", None)
        finally:
            conn.close()

    await asyncio.gather(*(worker(ids[i::conns]) for i in range(conns)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--tensors", type=int, default=4)
    a = ap.parse_args()
    wl = load_workload(a.workload)
    conn_args = (*wl.parse_base(a.base, False), {})
    W = np.random.default_rng(1).standard_normal((1000, 1000)).astype(np.float32)
    tensor_body = orjson.dumps({"name": "W", "data": W, "requires_grad": True}, option=orjson.OPT_SERIALIZE_NUMPY)
    out: dict = {"sessions": a.sessions, "tensors": a.tensors}

    async def one_tensor(conn):
        status, answer = await conn.request("POST", "/v1/sessions", None)
        if status != 201:
            raise RuntimeError(f"create session: {status} {answer[:200]!r}")
        sid = json.loads(answer)["id"]
        status, answer = await conn.request("POST", f"/v1/sessions/{sid}/tensors?data=false", tensor_body)
        if status != 201:
            raise RuntimeError(f"create tensor: {status} {answer[:200]!r}")
        return sid

    async def go():
        # a few sessions first, so code paths and the session table's first pages are resident
        ids, _ = await create_sessions(wl, conn_args, 64)
        await delete_sessions(wl, conn_args, ids)
        before = await settle(a.pid)
        t0 = time.perf_counter()
        ids, errors = await create_sessions(wl, conn_args, a.sessions)
        out["sessions_created"] = len(ids)
        out["sessions_seconds"] = round(time.perf_counter() - t0, 2)
        if errors:
            out["first_error"] = errors[0]
        during = await settle(a.pid)
        out["session_bytes"] = round((during - before) / max(1, len(ids)), 1)
        await delete_sessions(wl, conn_args, ids)
        after = await settle(a.pid)
        out["sessions_after_delete_bytes"] = round((after - before) / max(1, len(ids)), 1)

        conn = wl.Conn(*conn_args)
        try:
            sid = await one_tensor(conn)
            await conn.request("DELETE", f"/v1/sessions/{sid}", None)
            base = await settle(a.pid)
            sids = [await one_tensor(conn) for _ in range(a.tensors)]
            live = await settle(a.pid)
            for sid in sids:
                await conn.request("DELETE", f"/v1/sessions/{sid}", None)
            gone = await settle(a.pid)
        finally:
            conn.close()
        out["tensor_bytes"] = round((live - base) / a.tensors)
        out["tensor_after_delete_bytes"] = round((gone - base) / a.tensors)
        out["rss_end_bytes"] = gone

    asyncio.run(go())
    print("JSON " + json.dumps(out))


if __name__ == "__main__":
    main()
