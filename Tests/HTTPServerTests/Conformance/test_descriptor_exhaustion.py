"""EMFILE on accept: the server must back off (not spin) and recover once descriptors free up.

Starts its own HTTPHelloServer with RLIMIT_NOFILE lowered to 64, opens more connections than that, and checks the
server's CPU time stays low while accept keeps failing, then that it serves again after the clients leave.
"""

import os
import resource
import socket
import time

from test_http11_conformance import start_server


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def get(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_accept_backs_off_on_emfile_and_recovers():
    limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    process, port = start_server(preexec_fn=limit)
    try:
        assert get(port).startswith(b"HTTP/1.1 200")
        clients = []
        for _ in range(100):  # more than the server's 64 descriptors; the kernel backlog holds the rest
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            clients.append(sock)
        time.sleep(0.5)
        before = cpu_seconds(process.pid)
        time.sleep(2)
        spent = cpu_seconds(process.pid) - before
        assert spent < 0.5, f"server burnt {spent:.2f} s of CPU in 2 s while out of descriptors"
        for sock in clients:
            sock.close()
        deadline = time.time() + 10
        while True:
            try:
                if get(port).startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                pass
            assert time.time() < deadline, "server did not recover after descriptors were freed"
            time.sleep(0.1)
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=10)
