#!/usr/bin/env python3
"""Anonymous login burst (issue 11, finding 1): N concurrent
POST /api/v1/login with unknown emails against `punchclock serve` on
127.0.0.1. Prints the server's RSS before, at peak and after the burst, the
slowest reply, and the statuses; ratios are against the idle RSS and the
time of one login measured in the same run. A harness: it never fails on
the figures. Standard library only; loopback only; stops by itself.
"""
import argparse
import collections
import http.client
import json
import tempfile
import threading
import time

from harness import Server, rss_mb


def login(port, i, timeout):
    body = json.dumps({"email": f"nobody{i}@burst.example.com", "password": "wrong password"})
    start = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", "/api/v1/login", body, {"content-type": "application/json"})
        status = c.getresponse().status
        c.close()
    except Exception as e:  # a refused or dropped connection is a figure too
        status = type(e).__name__
    return status, time.monotonic() - start


def burst(port, n, timeout, pid):
    results = [None] * n
    peak = [rss_mb(pid)]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.05)

    def one(i):
        results[i] = login(port, i, timeout)

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    return results, peak[0], wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = ap.parse_args()
    env = dict(kv.split("=", 1) for kv in args.env)
    with tempfile.TemporaryDirectory() as work, Server(args.bin, work, env=env) as server:
        port = server.port
        status, one = login(port, -1, args.timeout)
        time.sleep(1)
        idle = rss_mb(server.pid)
        results, peak, wall = burst(port, args.requests, args.timeout, server.pid)
        time.sleep(5)
        after = rss_mb(server.pid)
    statuses = collections.Counter(str(s) for s, _ in results)
    slowest = max(t for _, t in results)
    print(f"requests            {args.requests} concurrent, wall {wall:.1f} s")
    print(f"statuses            {dict(statuses)}")
    print(f"one login alone     {one * 1000:.0f} ms (status {status})")
    print(f"slowest reply       {slowest:.2f} s ({slowest / one:.0f}x one login)")
    print(f"RSS idle            {idle:.0f} MB")
    print(f"RSS peak            {peak:.0f} MB ({peak / idle:.1f}x idle)")
    print(f"RSS 5 s after       {after:.0f} MB ({after / idle:.1f}x idle)")


if __name__ == "__main__":
    main()
