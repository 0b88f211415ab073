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
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


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


def wait_ready(port, proc):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit("punchclock exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("punchclock did not start")


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
    port = free_port()
    env = dict(os.environ)
    env.update(kv.split("=", 1) for kv in args.env)
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen(
            [args.bin, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            wait_ready(port, proc)
            status, one = login(port, -1, args.timeout)
            time.sleep(1)
            idle = rss_mb(proc.pid)
            results, peak, wall = burst(port, args.requests, args.timeout, proc.pid)
            time.sleep(5)
            after = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
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
