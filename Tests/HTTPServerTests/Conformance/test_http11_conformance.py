"""Raw-socket HTTP/1.1 conformance probes against HTTPHelloServer, every response checked by h11.

A catalogue in the spirit of Http11Probe (Compliance / Smuggling / MalformedInput) and HTTP Garden's quirk probes,
each with the RFC rule it checks. Run (needs pytest and h11):

    python3 -m pytest -q Tests/HTTPServerTests/Conformance

It builds HTTPHelloServer with `swift build` in the scratch folder $HTTP_SCRATCH (default .build) unless
$HTTP_SERVER_BIN names a binary.
"""

import os
import socket
import subprocess

import h11
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _binary() -> str:
    if "HTTP_SERVER_BIN" in os.environ:
        return os.environ["HTTP_SERVER_BIN"]
    scratch = os.environ.get("HTTP_SCRATCH", ".build")
    subprocess.run(["swift", "build", "--scratch-path", scratch, "--product", "HTTPHelloServer"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, scratch, "debug", "HTTPHelloServer")


BINARY = _binary()
PORT = 0  # set by start_server: the server binds an ephemeral port and prints it


def start_server(preexec_fn=None):
    """Starts HTTPHelloServer on an ephemeral port; returns (process, port)."""
    process = subprocess.Popen([BINARY, "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               preexec_fn=preexec_fn)
    line = process.stdout.readline().decode()  # "listening on 127.0.0.1:PORT"
    return process, int(line.rsplit(":", 1)[1])


@pytest.fixture(scope="module", autouse=True)
def server():
    global PORT
    process, PORT = start_server()
    yield
    process.terminate()
    process.wait(timeout=10)


def exchange(raw: bytes, method: bytes = b"GET", responses: int = 1):
    """Sends raw bytes; returns (list of (status, headers dict, body)), closed-by-server flag), parsed by h11."""
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    sock.sendall(raw)
    client = h11.Connection(our_role=h11.CLIENT)
    results = []
    for index in range(responses):
        if index > 0:
            client.start_next_cycle()
        client.send(h11.Request(method=method, target="/", headers=[("Host", "x")]))
        client.send(h11.EndOfMessage())
        status, headers, body = None, None, b""
        while True:
            event = client.next_event()
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                client.receive_data(data)
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
                headers = {k.decode().lower(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                break
        results.append((status, headers, body))
    closed = False
    try:
        sock.settimeout(3)
        closed = sock.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        closed = False
    sock.close()
    return results, closed


def expect_rejected(raw: bytes, status: int):
    [(got, headers, body)], closed = exchange(raw)
    assert got == status
    assert headers["connection"] == "close"
    assert headers["content-length"] == "0"
    assert "date" in headers
    assert closed


# --- Compliance -------------------------------------------------------------------------------------------------


def test_get_has_date_and_length_rfc9110_6_6_1():
    [(status, headers, body)], _ = exchange(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200
    assert headers["date"].endswith(" GMT")
    assert int(headers["content-length"]) == len(body) == 13


def test_head_has_gets_length_and_no_body_rfc9110_9_3_2():
    [(status, headers, body)], _ = exchange(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", method=b"HEAD")
    assert status == 200 and headers["content-length"] == "13" and body == b""


def test_http10_without_host_is_served_and_closed_rfc9112_9_3():
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in data


def test_pipelined_requests_answered_in_order_rfc9112_9_3_2():
    raw = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none" + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    results, _ = exchange(raw, responses=2)
    assert [r[2] for r in results] == [b"one", b"hello, world\n"]


def test_chunked_request_body_rfc9112_7_1():
    raw = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n"
    [(status, _, body)], _ = exchange(raw)
    assert status == 200 and body == b"abc"


def test_absolute_form_is_accepted_rfc9112_3_2_2():
    [(status, _, _)], _ = exchange(b"GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 200


def test_leading_empty_line_is_ignored_rfc9112_2_2():
    [(status, _, _)], _ = exchange(b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 200


# --- Smuggling ------------------------------------------------------------------------------------------------

SMUGGLING = [
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chun\xe2\x84\xaaed\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\nx\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
]


@pytest.mark.parametrize("raw,status", SMUGGLING)
def test_smuggling_shapes_are_refused_and_closed_rfc9112_6(raw, status):
    expect_rejected(raw, status)


# --- Malformed input ------------------------------------------------------------------------------------------

MALFORMED = [
    (b"GET / HTTP/1.1\r\n\r\n", 400),  # 9112 §3.2 missing Host
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),  # duplicate Host
    (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),  # invalid Host
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),  # 9112 §5.2 obs-fold
    (b"GET / HTTP/1.1\r\nHost: x\r\nX : a\r\n\r\n", 400),  # 9112 §5.1 space before colon
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400),  # 9110 §5.5 NUL
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400),  # bare CR
    (b"GET / HTTP/1.1\nHost: x\n\n", 400),  # bare LF line endings
    (b"GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400),  # whitespace after the start line
    (b"GET /\r\n\r\n", 400),  # HTTP/0.9
    (b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400),
    (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / http/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
    (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),  # the HTTP/2 preface
    (b"CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 40000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X%d: 1\r\n" % i for i in range(150)) + b"\r\n", 431),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n", 413),
    (b"POST / HTTP/1.0\r\n\r\n", 411),
    (b"GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417),
]


@pytest.mark.parametrize("raw,status", MALFORMED)
def test_malformed_input_is_refused_and_closed(raw, status):
    expect_rejected(raw, status)


def test_expect_100_continue_gets_interim_response_rfc9110_10_1_1():
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert sock.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(b"ok")
    data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"\r\n\r\nok")
