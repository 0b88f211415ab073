#!/usr/bin/env python3
"""Slow and idle connections (issue 11, finding 2) against `punchclock
serve` on 127.0.0.1: how long the server keeps a connection that sends a
header byte every 10 s, one that sends a body byte every 10 s, one that
sends nothing, and one left idle after a complete request (keep-alive).
Then it opens --idle connections that send nothing and times a normal
request next to them, against one made before (the ratio). A harness: it
never fails on the figures. Standard library only; loopback only; every
wait is capped by --max, so it stops by itself.
"""
import argparse
import resource
import socket
import tempfile
import threading
import time

from harness import Server


def closed_within(sock, max_s, drip=None, every=10.0):
    """Seconds until the server closes `sock` (None if it never did within
    max_s); `drip` is a bytes iterator sent one item every `every` s."""
    start = time.monotonic()
    sock.settimeout(0.5)
    next_drip = start + every
    while time.monotonic() - start < max_s:
        try:
            data = sock.recv(4096)
            if not data:
                return time.monotonic() - start
            continue  # an answer (e.g. 408); the close comes next
        except socket.timeout:
            pass
        except OSError:
            return time.monotonic() - start
        if drip is not None and time.monotonic() >= next_drip:
            next_drip += every
            try:
                sock.sendall(next(drip, b"x"))
            except OSError:
                return time.monotonic() - start
    return None


def header_drip():
    yield from (bytes([b]) for b in b"X-Slow: " + b"a" * 100)


def body_drip():
    while True:
        yield b"a"


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def slow_cases(port, max_s):
    def header_slow():
        s = connect(port)
        s.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n")
        return closed_within(s, max_s, header_drip())

    def body_slow():
        s = connect(port)
        s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{")
        return closed_within(s, max_s, body_drip())

    def silent():
        return closed_within(connect(port), max_s)

    def keep_alive_idle():
        s = connect(port)
        s.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        return closed_within(s, max_s)

    cases = {"header byte every 10 s": header_slow, "body byte every 10 s": body_slow,
             "nothing at all": silent, "idle after a request (keep-alive)": keep_alive_idle}
    out = {}

    def run(name, f):
        out[name] = f()

    threads = [threading.Thread(target=run, args=kv) for kv in cases.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def timed_request(port, timeout):
    start = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.settimeout(timeout)
        s.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        ok = s.recv(12).startswith(b"HTTP/1.1 200")
        s.close()
    except OSError:
        ok = False
    return ok, time.monotonic() - start


def crowd(port, n, timeout):
    held = []
    for _ in range(n):
        try:
            held.append(connect(port))
        except OSError:
            break
    time.sleep(1)
    ok, took = timed_request(port, timeout)
    for s in held:
        s.close()
    return len(held), ok, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--max", type=float, default=150)
    ap.add_argument("--idle", type=int, default=3000)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.idle + 1000), hard))
    env = dict(kv.split("=", 1) for kv in args.env)
    with tempfile.TemporaryDirectory() as work, Server(args.bin, work, env=env) as server:
        port = server.port
        timed_request(port, 10)  # warm-up: "alone" is not the first request
        _, alone = timed_request(port, 10)
        lasted = slow_cases(port, args.max)
        held, ok, took = crowd(port, args.idle, min(args.max, 60))
    for name, s in lasted.items():
        shown = f"closed after {s:.1f} s" if s is not None else f"still open after {args.max:.0f} s"
        print(f"{name:36} {shown}")
    print(f"request alone                        {alone * 1000:.1f} ms")
    verdict = "served" if ok else "NOT served"
    print(f"request beside {held} idle connections {verdict} in {took * 1000:.1f} ms "
          f"({took / alone:.2f}x alone)")


if __name__ == "__main__":
    main()
