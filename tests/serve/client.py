#!/usr/bin/env python3
"""client.py - the raw-socket clients the serve tests need where curl
cannot misbehave on purpose. Each prints what it measured and exits 0, or
prints why and exits 1. Every wait is bounded.

  hold PORT N SECONDS        open N idle connections, keep them SECONDS
  partial-headers PORT       send half a request head; seconds until closed
  slow-body PORT INTERVAL    a body of 10 bytes every INTERVAL s; seconds until closed
  trickle-head PORT INTERVAL a request head one byte every INTERVAL s (never
                             silent for an idle timeout); seconds until closed
  slow-heads PORT SECONDS N  N requests on one kept-alive connection, each
                             head sent in pieces over SECONDS; their statuses
  cut-race PORT SECONDS      heads left unfinished, dropped around the header
                             deadline, while fresh connections (reusing their fd
                             numbers) make whole requests; fails if any of those
                             is cut
  mid-body PORT              send half a body and disconnect
  churn PORT N               open and drop N connections (some after a few bytes)
  pipeline PORT N            N requests (POST, GET, POST, ...) written at once on
                             one connection; their statuses, in order
  head PORT N FIELD...       a POST /v1/route whose head has the FIELDs, then N
                             bytes of body; the status, the seconds until the
                             answer, "closed" or "open" (3 s after it), and
                             the answer's body
  head-split PORT FIELD...   the same with no body, the head sent 5 bytes at a
                             time (each piece read on its own)
  drain-head PORT PID FILE   one request begun (half of FILE's first line as
                             its body), a second connection open and silent;
                             SIGTERM to PID; then a whole request on the
                             second connection and the rest of the first
                             body: both statuses and the second's body
"""
import random
import socket
import sys
import threading
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s


def until_closed(s, limit):
    """Seconds until the peer closes s (reads nothing but EOF/reset)."""
    start = time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            if s.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


def hold(port, n, seconds):
    conns = [connect(port) for _ in range(n)]
    print(f"holding {len(conns)}", flush=True)
    time.sleep(seconds)
    for c in conns:
        c.close()


def partial_headers(port):
    s = connect(port)
    s.sendall(b"POST /v1/route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    t = until_closed(s, 60)
    if t is None:
        print("still open after 60 s")
        sys.exit(1)
    print(f"closed after {t:.1f} s")


def slow_body(port, interval):
    s = connect(port)
    s.sendall(b"POST /v1/route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n")
    start = time.monotonic()
    while time.monotonic() - start < 60:
        try:
            s.sendall(b"{\"id\":\"x\"}")
        except (BrokenPipeError, ConnectionResetError):
            break
        if until_closed(s, interval) is not None:
            break
    else:
        print("still open after 60 s")
        sys.exit(1)
    print(f"closed after {time.monotonic() - start:.1f} s")


def trickle_head(port, interval):
    s = connect(port)
    head = b"POST /v1/route HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Pad: " + b"a" * 4000
    start = time.monotonic()
    for i in range(len(head)):
        try:
            s.sendall(head[i:i + 1])
        except (BrokenPipeError, ConnectionResetError):
            break
        if until_closed(s, interval) is not None:
            break
        if time.monotonic() - start > 60:
            print("still open after 60 s")
            sys.exit(1)
    print(f"closed after {time.monotonic() - start:.1f} s")


def response(s):
    """The status and body of one response (with a Content-Length) read
    from s; (None, None) if the connection closes first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return None, None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = s.recv(4096)
        if not chunk:
            return None, None
        rest += chunk
    return int(head.split(b" ")[1]), rest


def read_response(s):
    """The status of one response read from s (None if it closes first)."""
    return response(s)[0]


def slow_heads(port, seconds, n):
    s = connect(port)
    body = b'{"id":"A1"}'
    head = (b"POST /v1/route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    pieces = 6
    statuses = []
    for _ in range(n):
        for i in range(pieces):
            s.sendall(head[i * len(head) // pieces:(i + 1) * len(head) // pieces])
            time.sleep(seconds / pieces)
        s.sendall(body)
        statuses.append(read_response(s))
    print(" ".join(str(x) for x in statuses))


def cut_race(port, seconds):
    """Sockets whose heads are never finished, dropped just before, at or
    after the server's 1 s header deadline, while another thread makes whole
    requests, each on a fresh connection (the server reuses the fd numbers of
    the dropped ones). A server that shut down a socket after closing it
    would cut some of those requests."""
    stop = time.monotonic() + seconds
    done = {"ok": 0, "bad": 0}

    def requests():
        body = b'{"id":"A1"}'
        req = (b"POST /v1/route HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)
        while time.monotonic() < stop:
            try:
                s = connect(port)
                s.sendall(req)
                st = read_response(s)
                s.close()
            except OSError:
                st = None
            done["ok" if st == 200 else "bad"] += 1

    t = threading.Thread(target=requests)
    t.start()
    rounds = 0
    while time.monotonic() < stop:
        socks = []
        for _ in range(20):
            s = connect(port)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        time.sleep(random.uniform(0.8, 1.4))
        for s in socks:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        rounds += 1
    t.join()
    print(f"{rounds * 20} heads dropped around the deadline; whole requests: {done['ok']} answered, {done['bad']} cut")
    if done["bad"] or not done["ok"]:
        sys.exit(1)


def mid_body(port):
    s = connect(port)
    s.sendall(b"POST /v1/route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000\r\n\r\n{\"id\":\"A1\",")
    time.sleep(0.2)
    s.close()
    print("disconnected mid-body")


def churn(port, n):
    start = time.monotonic()
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
        s.settimeout(10)
        s.connect(("127.0.0.1", port))
        if i % 3 == 1:
            s.sendall(b"POST /v1/route HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"id\"")
        elif i % 3 == 2:
            s.sendall(b"GET /healthz HTT")
        s.close()
        if time.monotonic() - start > 90:
            print(f"only {i} connections in 90 s")
            sys.exit(1)
    print(f"{n} connections opened and dropped in {time.monotonic() - start:.1f} s")


def pipeline(port, n):
    s = connect(port)
    body = b'{"id":"A1"}'
    post = b"POST /v1/route HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    get = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    s.sendall(b"".join(post if i % 2 == 0 else get for i in range(n)))
    data, statuses = b"", []
    while len(statuses) < n:  # the answers may come in one read: split them by Content-Length
        head, sep, rest = data.partition(b"\r\n\r\n")
        length = next((int(v) for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")[1:])
                       if k.strip().lower() == b"content-length"), 0)
        if sep and len(rest) >= length:
            statuses.append(int(head.split(b" ")[1]))
            data = rest[length:]
            continue
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    print(" ".join(str(x) for x in statuses + [None] * (n - len(statuses))))


def drain_head(port, pid, path):
    """A request whose head arrives while the server drains gets a whole 503;
    the request in flight when SIGTERM came is still answered."""
    import os
    import signal
    with open(path, "rb") as f:
        record = f.readline().rstrip(b"\n")
    head = b"POST /v1/route HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(record)
    a = connect(port)
    a.sendall(head + record[: len(record) // 2])
    b = connect(port)
    time.sleep(0.3)  # both accepted, the first request begun
    os.kill(pid, signal.SIGTERM)
    time.sleep(0.5)  # the drain has begun: it waits for the first request
    b.sendall(head + record)
    sb, body_b = response(b)
    a.sendall(record[len(record) // 2:])
    sa = read_response(a)
    print(f"late head {sb} {(body_b or b'').decode('utf-8', 'replace').strip()}; in flight {sa}")


def head_fields(port, n, fields, split=False):
    s = connect(port)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = "POST /v1/route HTTP/1.1\r\nHost: t\r\n" + "".join(f + "\r\n" for f in fields) + "\r\n"
    data = head.encode() + b"a" * n
    start = time.monotonic()
    s.settimeout(10)
    try:
        if split:
            for i in range(0, len(data), 5):
                s.sendall(data[i:i + 5])
                time.sleep(0.005)
            start = time.monotonic()
        else:
            s.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass  # answered before the body was taken: read the answer
    try:
        st, body = response(s)
    except (ConnectionResetError, socket.timeout) as e:
        st, body = None, str(e).encode()
    secs = time.monotonic() - start
    closed = "closed" if until_closed(s, 3) is not None else "open"
    print(f"{st} {secs:.2f} {closed} {(body or b'').decode('utf-8', 'replace').strip()}")


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "hold":
        hold(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "partial-headers":
        partial_headers(port)
    elif cmd == "slow-body":
        slow_body(port, float(sys.argv[3]))
    elif cmd == "trickle-head":
        trickle_head(port, float(sys.argv[3]))
    elif cmd == "slow-heads":
        slow_heads(port, float(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "cut-race":
        cut_race(port, float(sys.argv[3]))
    elif cmd == "mid-body":
        mid_body(port)
    elif cmd == "churn":
        churn(port, int(sys.argv[3]))
    elif cmd == "pipeline":
        pipeline(port, int(sys.argv[3]))
    elif cmd == "head":
        head_fields(port, int(sys.argv[3]), sys.argv[4:])
    elif cmd == "head-split":
        head_fields(port, 0, sys.argv[3:], split=True)
    elif cmd == "drain-head":
        drain_head(port, int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(f"unknown command {cmd}")


main()
