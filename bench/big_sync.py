#!/usr/bin/env python3
"""One tenant's big clock against everyone else (issue 11, finding 3).

One simulated clock with --punches punches (3,000,000 by default) is synced
by `punchclock serve` on its default SQLite, while another tenant signs in
and saves an employee over and over. Reported, each against a baseline
measured in the same run with no sync running:

- the other tenant's p50/p99 per request and its errors (any non-2xx);
- the service's peak RSS during the sync against its idle RSS;
- how long the sync took, and the punches it stored per second;
- the same for a second sync of the same data (nothing new to store).

A harness, not a test: it prints figures and never fails on them.
Standard library only; loopback only; stops by itself.
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from harness import Server, free_port, rss_mb, stop


class Tenant(threading.Thread):
    """The other tenant: sign in, save an employee, again, until stopped.
    Every request's latency is kept with the phase it fell in."""

    def __init__(self, api, email, password, employee):
        super().__init__(daemon=True)
        self.api, self.email, self.password, self.employee = api, email, password, employee
        self.phase, self.samples, self.stop = None, {}, threading.Event()

    def timed(self, kind, method, path, body, token=None):
        start = time.monotonic()
        try:
            status, reply = self.api.call(method, path, body, token, timeout=60)
        except Exception as e:  # a refused or dropped connection is a figure too
            status, reply = type(e).__name__, None
        took = time.monotonic() - start
        if self.phase:
            self.samples.setdefault((self.phase, kind), []).append((took, status))
        return status, reply

    def run(self):
        n = 0
        while not self.stop.is_set():
            status, reply = self.timed("login", "POST", "/login",
                                       {"email": self.email, "password": self.password})
            if status != 200:
                time.sleep(0.05)
                continue
            token = reply["token"]
            for _ in range(4):
                n += 1
                self.timed("save", "PATCH", "/employees/%d" % self.employee,
                           {"first_name": "Saved %d" % n}, token)


def figures(samples):
    if not samples:
        return {"requests": 0, "p50_ms": 0, "p99_ms": 0, "max_ms": 0, "errors": 0,
                "error_statuses": ""}
    times = sorted(t for t, _ in samples)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
    failed = [str(s) for _, s in samples if not (isinstance(s, int) and 200 <= s < 300)]
    # Which answers: a 429 from the login throttle is not a 500 from the store.
    by_status = ", ".join("%s x%d" % (s, failed.count(s)) for s in sorted(set(failed)))
    return {"requests": len(samples), "p50_ms": round(pick(0.50), 1),
            "p99_ms": round(pick(0.99), 1), "max_ms": round(times[-1] * 1000, 1),
            "errors": len(failed), "error_statuses": by_status}


def wait_logs(db_file, device, count, deadline, on_tick):
    """Waits until the device has `count` finished sync log rows; returns
    the last one's (duration_ms, punches_read, punches_new, outcome)."""
    while time.monotonic() < deadline:
        on_tick()
        try:
            con = sqlite3.connect("file:%s?mode=ro" % db_file, uri=True, timeout=5)
            rows = con.execute(
                "SELECT duration_ms, punches_read, punches_new, outcome, reason_code "
                "FROM device_logs WHERE device_id = ? AND kind = 'sync' ORDER BY id",
                (device,)).fetchall()
            con.close()
        except sqlite3.Error:
            rows = []
        done = [r for r in rows if r[4] != "interrupted"]
        if len(done) >= count:
            return done[count - 1]
        time.sleep(0.1)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--punches", type=int, default=3_000_000)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--baseline-seconds", type=float, default=20)
    ap.add_argument("--max-sync-seconds", type=float, default=1800)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="punchclock-big-sync.")
    procs = []
    try:
        sim_port = free_port()
        sim = subprocess.Popen(
            [args.bin, "sim", "--listen", "127.0.0.1:%d" % sim_port, "--devices", "1",
             "--users", str(args.users), "--punches", str(args.punches), "--tcp-only"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(sim)
        if "listening" not in sim.stdout.readline():
            sys.exit("the simulator did not start")
        config = ("allow_private_device_addresses = true\n"
                  "poll_interval_minutes = 1440\n"
                  f"poll_attempt_timeout_seconds = {int(args.max_sync_seconds)}\n"
                  "rate_limits = { per_ip_per_minute = 100000, per_account_per_hour = "
                  "100000, device_contacts_per_company_per_minute = 1000 }\n"
                  '[[plans]]\nid = "unlimited"\nname = "Unlimited"\nmonthly_price_cents = 0\n')
        server = Server(args.bin, work, config)
        procs.append(server.proc)
        server.wait_serving()
        serve, api, data = server.proc, server.api, server.data
        password = "a long and unusual passphrase"
        _, big = api.call("POST", "/signup", {"company": "Big Clock", "password": password,
                                              "email": "owner@big.example.com",
                                              "timezone": "Europe/Berlin"})
        _, other = api.call("POST", "/signup", {"company": "Neighbour", "password": password,
                                                "email": "owner@neighbour.example.com",
                                                "timezone": "Europe/Berlin"})
        status, person = api.call("POST", "/employees", {"enroll_id": "7", "first_name": "Nia"},
                                  other["token"])
        assert status == 201, (status, person)
        tenant = Tenant(api, "owner@neighbour.example.com", password, person["id"])
        tenant.start()

        # Baseline: the other tenant alone.
        time.sleep(2)
        idle_rss = rss_mb(serve.pid)
        tenant.phase = "baseline"
        time.sleep(args.baseline_seconds)
        tenant.phase = None

        db_file = os.path.join(data, "punchclock.sqlite")
        results = {}
        peak = [0.0]

        def sample():
            peak[0] = max(peak[0], rss_mb(serve.pid))

        # The first sync: every punch is new. The scheduler polls a new
        # device at once.
        tenant.phase = "first sync"
        started = time.monotonic()
        status, device = api.call("POST", "/devices", {"name": "Gate", "host": "127.0.0.1",
                                                       "port": sim_port, "transport": "tcp"},
                                  big["token"])
        assert status == 201, (status, device)
        log = wait_logs(db_file, device["id"], 1, started + args.max_sync_seconds, sample)
        results["first sync"] = (time.monotonic() - started, log, peak[0])
        tenant.phase = None

        # The same data again: nothing new to store.
        peak[0] = 0.0
        time.sleep(2)
        tenant.phase = "second sync"
        started = time.monotonic()
        con = sqlite3.connect(db_file, timeout=30)
        con.execute("UPDATE devices SET next_poll_at = 0 WHERE id = ?", (device["id"],))
        con.commit()
        con.close()
        log = wait_logs(db_file, device["id"], 2, started + args.max_sync_seconds, sample)
        results["second sync"] = (time.monotonic() - started, log, peak[0])
        tenant.phase = None
        tenant.stop.set()
        tenant.join(timeout=60)

        def other(phase):
            return {k: figures(tenant.samples.get((phase, k), [])) for k in ("save", "login")}

        def words(f, base=None):
            out = []
            for k in ("save", "login"):
                ratio = ""
                if base:
                    ratio = " (%.2fx baseline)" % (f[k]["p99_ms"] / max(base[k]["p99_ms"], 0.1))
                statuses = " (%s)" % f[k]["error_statuses"] if f[k]["errors"] else ""
                out.append("%ss %d, p50 %.1f ms, p99 %.1f ms%s, max %.1f ms, %d errors%s" % (
                    k, f[k]["requests"], f[k]["p50_ms"], f[k]["p99_ms"], ratio, f[k]["max_ms"],
                    f[k]["errors"], statuses))
            return "; ".join(out)

        base = other("baseline")
        print("big sync: %d punches, %d users, one SQLite `punchclock serve` (%s)"
              % (args.punches, args.users, args.bin))
        print("baseline (no sync), idle RSS %.1f MB; other tenant: %s" % (idle_rss, words(base)))
        for phase in ("first sync", "second sync"):
            wall, log, rss = results[phase]
            if log is None:
                print("%s: did not finish within %d s" % (phase, args.max_sync_seconds))
                continue
            duration_ms, read, new, outcome, _ = log
            print("%s: %s, %d read, %d new in %.1f s (%.0f punches/s read), peak RSS %.1f MB "
                  "(%.2fx idle); other tenant: %s"
                  % (phase, outcome, read, new, duration_ms / 1000,
                     read / max(duration_ms / 1000, 0.001), rss, rss / max(idle_rss, 0.1),
                     words(other(phase), base)))
        with open(os.path.join(work, "serve.log")) as f:
            locked = sum(1 for line in f if "locked" in line or "claiming due devices failed"
                         in line)
        print("serve.log lines with 'locked' or 'claiming due devices failed': %d" % locked)
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
