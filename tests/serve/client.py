#!/usr/bin/env python3
"""client.py - the raw-socket clients the serve tests need where curl
cannot misbehave on purpose. Each prints what it measured and exits 0, or
prints why and exits 1. Every wait is bounded.

  hold PORT N SECONDS        open N idle connections, keep them SECONDS
  partial-headers PORT       send half a request head; seconds until closed
  slow-body PORT INTERVAL    a body of 10 bytes every INTERVAL s; seconds until closed
  mid-body PORT              send half a body and disconnect
  churn PORT N               open and drop N connections (some after a few bytes)
"""
import socket
import sys
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


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "hold":
        hold(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "partial-headers":
        partial_headers(port)
    elif cmd == "slow-body":
        slow_body(port, float(sys.argv[3]))
    elif cmd == "mid-body":
        mid_body(port)
    elif cmd == "churn":
        churn(port, int(sys.argv[3]))
    else:
        sys.exit(f"unknown command {cmd}")


main()
