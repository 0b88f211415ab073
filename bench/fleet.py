#!/usr/bin/env python3
"""10,000 devices from one instance (issue 10 §4).

One `punchclock serve` (release, its default SQLite) polls --devices
simulated clocks served by one `punchclock sim` at --rtt-ms per round trip,
on loopback. The devices are added through the API (POST /devices, a few
clients at once) disabled, so that nothing is polled while they are added;
each cycle then makes every device due at once with one SQL statement on
the database file (`enabled = 1, next_poll_at = 0`: the interval passing),
and ends when every device has a finished sync log after the cycle's mark.

Cycles:
  first    every punch is new (--punches per device);
  steady   nothing changed on any device;
  grown    every 10th device got --grow-punches new punches (sim SIGUSR2).

Per cycle: wall time; CPU seconds of the server and of the simulator
(user + sys from /proc); the server's peak RSS; database and WAL size (the
-wal file sampled every 50 ms; its peak against the bound: 64 MB, or 2x the
database when that is smaller); the p50/p99 of GET /devices, the page,
signed in with a session cookie, requested back to back during the cycle;
polls that failed, with their reasons.

Baseline in the same run: a sequential pyzk 0.9 loop (connect,
get_attendance, disconnect: how Frappe's sync tool, the Odoo module and
Horilla poll) over --baseline-devices of the same simulated devices at the
same RTT, extrapolated to --devices; the ratio against the first cycle.

A harness, not a test: it prints figures and never fails on them.
Standard library only (pyzk runs in its own interpreter, --pyzk-python).
Loopback only; stops by itself.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
WAL_CAP = 64 * 1024 * 1024
# A sync's log row is written first, marked interrupted, and finished last.
FINISHED = "coalesce(reason_code, '') <> 'interrupted'"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def rss_mb(pid):
    try:
        with open("/proc/%d/statm" % pid) as f:
            return int(f.read().split()[1]) * PAGE / 1e6
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Http:
    """Keeps one connection to the server; JSON for the API, bytes for pages."""

    def __init__(self, port):
        self.port, self.conn, self.cookie = port, None, None

    def request(self, method, path, body=None, headers=None, timeout=120):
        headers = dict(headers or {})
        headers["host"] = "127.0.0.1:%d" % self.port
        if self.cookie:
            headers["cookie"] = self.cookie
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                self.conn.request(method, path, body, headers)
                r = self.conn.getresponse()
                data = r.read()
                return r, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def api(self, method, path, body=None, token=None):
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = "Bearer " + token
        r, data = self.request(method, "/api/v1" + path,
                               json.dumps(body) if body is not None else None, headers)
        return r.status, (json.loads(data) if data else None)

    def sign_in(self, email, password):
        """The page's sign-in form; keeps the session cookie."""
        form = urllib.parse.urlencode({"email": email, "password": password, "next": "/"})
        r, _ = self.request("POST", "/login", form, {
            "content-type": "application/x-www-form-urlencoded",
            "origin": "http://127.0.0.1:%d" % self.port})
        cookies = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
        if r.status not in (302, 303) or not cookies:
            sys.exit("fleet: signing in to the pages failed (%d)" % r.status)
        self.cookie = "; ".join(cookies)


class Sampler(threading.Thread):
    """Every 50 ms: the WAL's and the database's size, both processes' RSS."""

    def __init__(self, db, server, sim):
        super().__init__(daemon=True)
        self.db, self.server, self.sim = db, server, sim
        self.stop, self.lock = threading.Event(), threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.wal_peak = self.db_at_wal_peak = self.rss_peak = self.sim_rss_peak = 0
            self.over_bound = 0  # samples past the bound

    def run(self):
        while not self.stop.is_set():
            wal, db = size(self.db + "-wal"), size(self.db)
            rss, sim_rss = rss_mb(self.server), rss_mb(self.sim)
            with self.lock:
                if wal > self.wal_peak:
                    self.wal_peak, self.db_at_wal_peak = wal, db
                if wal > min(WAL_CAP, 2 * db):
                    self.over_bound += 1
                self.rss_peak = max(self.rss_peak, rss)
                self.sim_rss_peak = max(self.sim_rss_peak, sim_rss)
            time.sleep(0.05)


class PageProbe(threading.Thread):
    """GET /devices as the signed-in owner, back to back, while a cycle runs."""

    def __init__(self, port, email, password):
        super().__init__(daemon=True)
        self.http = Http(port)
        self.http.sign_in(email, password)
        self.stop, self.phase, self.samples = threading.Event(), None, {}

    def run(self):
        while not self.stop.is_set():
            phase = self.phase
            if phase is None:
                time.sleep(0.05)
                continue
            start = time.monotonic()
            try:
                r, body = self.http.request("GET", "/devices", timeout=60)
                status = r.status
            except Exception as e:  # a refused or dropped connection is a figure too
                status, body = type(e).__name__, b""
            took = time.monotonic() - start
            self.samples.setdefault(phase, []).append((took, status, len(body)))
            time.sleep(0.2)


def quantiles(samples):
    if not samples:
        return "no requests"
    times = sorted(t for t, _, _ in samples)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
    errors = [s for _, s, _ in samples if s != 200]
    kb = max(b for _, _, b in samples) / 1024
    return "%d requests, p50 %.0f ms, p99 %.0f ms, max %.0f ms, %d not 200, page %.0f kB" % (
        len(times), pick(0.5), pick(0.99), times[-1] * 1000, len(errors), kb)


def start_sim(args, devices, punches, extra=()):
    """`punchclock sim` on consecutive ports below the ephemeral range."""
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    log = tempfile.TemporaryFile("w+")  # warnings; a pipe nobody reads could fill
    for _ in range(10):
        log.truncate(0)
        base = random.randrange(10000, low - devices)
        sim = subprocess.Popen(
            [args.bin, "sim", "--listen", "127.0.0.1:%d" % base, "--devices", str(devices),
             "--users", str(args.users), "--punches", str(punches), "--rtt-ms", str(args.rtt_ms),
             "--tcp-only", "--anchor-date", "2026-11-01"] + list(extra),
            stdout=subprocess.PIPE, stderr=log, text=True)
        line = sim.stdout.readline()
        if "listening" in line:
            return sim, base
        sim.wait()
        log.seek(0)
        err = log.read()
        if "in use" not in err:
            sys.exit("fleet: the simulator did not start: %s" % err.strip())
    sys.exit("fleet: the simulator found no free ports")


def wait_line(proc, needle, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            sys.exit("fleet: process ended before printing %r" % needle)
        if needle in line:
            return line.strip()
    sys.exit("fleet: no %r within %d s" % (needle, limit))


def db_query(db, sql, args=(), write=False):
    uri = "file:%s%s" % (db, "" if write else "?mode=ro")
    con = sqlite3.connect(uri, uri=True, timeout=60)
    try:
        rows = con.execute(sql, args).fetchall()
        if write:
            con.commit()
        return rows
    finally:
        con.close()


def add_devices(port, token, sim_port, count, clients):
    """POST /devices, `clients` at a time; disabled until the first cycle."""
    def add(chunk):
        h = Http(port)
        for i in chunk:
            status, body = h.api("POST", "/devices", {
                "name": "Clock %05d" % i, "host": "127.0.0.1", "port": sim_port + i,
                "transport": "tcp", "timezone": "Europe/Berlin", "enabled": False}, token)
            if status != 201:
                raise SystemExit("fleet: adding device %d answered %d: %s" % (i, status, body))
    chunks = [range(k, count, clients) for k in range(clients)]
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(add, c) for c in chunks]:
            f.result()


def run_cycle(name, args, db, server, sim, sampler, probe, on_start=None):
    mark = db_query(db, "SELECT coalesce(max(id), 0) FROM device_logs")[0][0]
    sampler.reset()
    cpu0, sim_cpu0, t0 = cpu_seconds(server.pid), cpu_seconds(sim.pid), time.monotonic()
    if on_start:
        on_start()
    db_query(db, "UPDATE devices SET enabled = 1, next_poll_at = 0", write=True)
    probe.phase = name
    done, last_print, cut_short = 0, 0, False
    limit = min(args.max_cycle_seconds, max(0, args.deadline - time.monotonic()))
    while True:
        rows = db_query(db, "SELECT outcome, count(DISTINCT device_id) FROM device_logs "
                            "WHERE id > ? AND kind = 'sync' AND " + FINISHED + " "
                            "GROUP BY outcome", (mark,))
        done = sum(n for _, n in rows)
        if done >= args.devices:
            break
        if time.monotonic() - t0 > limit:
            print("fleet: %s: stopped after %d s with %d of %d devices polled"
                  % (name, limit, done, args.devices), file=sys.stderr)
            cut_short = True
            break
        if time.monotonic() - last_print > 30:
            last_print = time.monotonic()
            print("fleet: %s: %d/%d devices after %.0f s" % (name, done, args.devices,
                                                             last_print - t0), file=sys.stderr)
        time.sleep(0.25)
    wall = time.monotonic() - t0
    cpu, sim_cpu = cpu_seconds(server.pid) - cpu0, cpu_seconds(sim.pid) - sim_cpu0
    probe.phase = None
    stats = db_query(db, "SELECT outcome, count(*), coalesce(sum(punches_read), 0), "
                         "coalesce(sum(punches_new), 0) FROM device_logs "
                         "WHERE id > ? AND kind = 'sync' AND " + FINISHED + " GROUP BY outcome",
                     (mark,))
    durations = sorted(r[0] for r in db_query(
        db, "SELECT duration_ms FROM device_logs WHERE id > ? AND kind = 'sync' AND "
            + FINISHED, (mark,)))
    reasons = db_query(db, "SELECT coalesce(reason, '?'), count(*) FROM device_logs "
                           "WHERE id > ? AND kind = 'sync' AND outcome NOT IN ('ok', 'unchanged') "
                           "AND " + FINISHED + " "
                           "GROUP BY 1 ORDER BY 2 DESC LIMIT 5", (mark,))
    with sampler.lock:
        wal, db_then, rss, sim_rss = (sampler.wal_peak, sampler.db_at_wal_peak,
                                      sampler.rss_peak, sampler.sim_rss_peak)
        over = sampler.over_bound
    return {
        "name": name, "wall": wall, "cpu": cpu, "sim_cpu": sim_cpu, "rss": rss,
        "sim_rss": sim_rss, "wal_peak": wal, "db_at_wal_peak": db_then, "over_bound": over,
        "db": size(db), "wal_end": size(db + "-wal"), "devices_done": done,
        "cut_short": cut_short,
        "outcomes": {o: (n, read, new) for o, n, read, new in stats},
        "failed": sum(n for o, n, _, _ in stats if o not in ("ok", "unchanged")),
        "reasons": reasons, "page": quantiles(probe.samples.get(name, [])),
        "poll_ms": (durations[len(durations) // 2], durations[int(len(durations) * 0.99)])
        if durations else (0, 0),
    }


def pyzk_baseline(args):
    """The sequential pyzk loop over its own simulated devices (same data
    generator, same RTT): seconds for --baseline-devices devices."""
    if not args.pyzk_python or args.baseline_devices <= 0:
        return None
    # pyzk 0.9 stalls on back-to-back 1008-byte DATA frames (see
    # tests/interop/run.sh), so its devices pace their frames.
    sim, base = start_sim(args, args.baseline_devices, args.punches,
                          ["--frame-gap-ms", str(args.baseline_frame_gap_ms)])
    try:
        t0 = time.monotonic()
        out = subprocess.run([args.pyzk_python, os.path.join(HERE, "pyzk_pull.py"),
                              "--port", str(base), "--count", str(args.baseline_devices)],
                             capture_output=True, text=True, timeout=3600)
        wall = time.monotonic() - t0
        if out.returncode != 0:
            print("fleet: pyzk loop failed: %s" % out.stderr[-2000:], file=sys.stderr)
            return None
        punches = int(out.stdout.split()[-1])
        return {"devices": args.baseline_devices, "wall": wall, "punches": punches}
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(timeout=60)


TABLE_HEAD = ("| cycle | wall (s) | server CPU (s) | sim CPU (s) | server peak RSS (MB) | DB (MB) "
              "| WAL peak (MB) / bound (MB) | polls ok / failed | punches read / new |\n"
              "|---|---|---|---|---|---|---|---|---|")


def cycle_row(c):
    mb = lambda b: b / 1e6
    bound = min(WAL_CAP, 2 * c["db_at_wal_peak"]) if c["db_at_wal_peak"] else WAL_CAP
    ok = sum(n for o, (n, _, _) in c["outcomes"].items() if o in ("ok", "unchanged"))
    read = sum(r for _, (_, r, _) in c["outcomes"].items())
    new = sum(w for _, (_, _, w) in c["outcomes"].items())
    return "| %s | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f / %.1f | %d / %d | %d / %d |" % (
        c["name"], c["wall"], c["cpu"], c["sim_cpu"], c["rss"], mb(c["db"]),
        mb(c["wal_peak"]), mb(max(bound, 1)), ok, c["failed"], read, new)


def cycle_details(c):
    return ("%s: %d devices polled%s; poll p50 %d ms, p99 %d ms; GET /devices %s; outcomes %s; "
            "sim peak RSS %.0f MB; WAL at end %.1f MB; samples over the WAL bound %d%s" % (
                c["name"], c["devices_done"], " (cut short)" if c["cut_short"] else "",
                c["poll_ms"][0], c["poll_ms"][1], c["page"],
                {o: n for o, (n, _, _) in c["outcomes"].items()}, c["sim_rss"],
                c["wal_end"] / 1e6, c["over_bound"],
                "; failures: %s" % c["reasons"] if c["reasons"] else ""))


def baseline_line(args, baseline, first=None):
    per = baseline["wall"] / baseline["devices"]
    whole = per * args.devices
    line = ("baseline: sequential pyzk 0.9 loop over %d devices (sim --frame-gap-ms %d): %.1f s "
            "(%.2f s a device, %d punches), extrapolated to %d devices: %.0f s"
            % (baseline["devices"], args.baseline_frame_gap_ms, baseline["wall"], per,
               baseline["punches"], args.devices, whole))
    if first:
        line += "; first cycle %.1f s%s: %.1fx faster" % (
            first["wall"], " (cut short)" if first["cut_short"] else "",
            whole / max(first["wall"], 0.001))
    return line


def say(text):
    """Figures go to stdout as soon as they exist: a run cut short keeps them."""
    print(text, flush=True)


def report(args, cycles, baseline, setup):
    say("\nfleet: %d devices x %d punches (%d users each), sim --rtt-ms %d, one SQLite "
        "`punchclock serve` (%s), max_concurrent_polls %s"
        % (args.devices, args.punches, args.users, args.rtt_ms, args.bin,
           args.max_concurrent_polls or "default"))
    say("setup: %s" % setup)
    say(TABLE_HEAD)
    for c in cycles:
        say(cycle_row(c))
    for c in cycles:
        say(cycle_details(c))
    if baseline:
        say(baseline_line(args, baseline, cycles[0] if cycles else None))
    say("targets (2 cores): first cycle < 600 s; steady < 60 s wall and < 10 s CPU; "
        "peak RSS < 500 MB; GET /devices p99 < 300 ms in the first cycle; 0 failed polls")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/punchclock")
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--punches", type=int, default=1000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--rtt-ms", type=int, default=100)
    ap.add_argument("--grow-every", type=int, default=10, help="every Nth device grows")
    ap.add_argument("--grow-punches", type=int, default=20)
    ap.add_argument("--max-concurrent-polls", type=int, default=0,
                    help="0 = the server's own default")
    ap.add_argument("--add-clients", type=int, default=4)
    ap.add_argument("--pyzk-python", default="")
    ap.add_argument("--baseline-devices", type=int, default=100)
    ap.add_argument("--baseline-frame-gap-ms", type=int, default=5)
    ap.add_argument("--max-cycle-seconds", type=int, default=900)
    ap.add_argument("--cycles", default="first,steady,grown")
    ap.add_argument("--deadline-seconds", type=int, default=0,
                    help="stop the whole run (cutting the current cycle short) after this "
                         "many seconds; 0 = no limit but --max-cycle-seconds")
    args = ap.parse_args()
    args.deadline = (time.monotonic() + args.deadline_seconds if args.deadline_seconds
                     else float("inf"))
    # `timeout` and Ctrl-C stop the run through the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("fleet: stopped by SIGTERM"))

    work = tempfile.mkdtemp(prefix="punchclock-fleet.")
    procs, cycles, baseline = [], [], None
    try:
        baseline = pyzk_baseline(args)
        if baseline:
            say("fleet: " + baseline_line(args, baseline))
        grows = "grown" in args.cycles.split(",")
        sim, sim_port = start_sim(args, args.devices, args.punches,
                                  ["--grow-every", str(args.grow_every),
                                   "--grow-punches", str(args.grow_punches)] if grows else [])
        procs.append(sim)
        data = os.path.join(work, "data")
        config = os.path.join(work, "punchclock.toml")
        with open(config, "w") as f:
            f.write('data_dir = "%s"\n' % data)
            f.write("allow_private_device_addresses = true\n")  # the simulated clocks
            f.write("poll_interval_minutes = 1440\n")  # the harness starts each cycle
            if args.max_concurrent_polls:
                f.write("max_concurrent_polls = %d\n" % args.max_concurrent_polls)
            f.write("rate_limits = { per_ip_per_minute = 1000000, per_account_per_hour = "
                    "1000000, device_contacts_per_company_per_minute = 100000 }\n")
            f.write('[[plans]]\nid = "unlimited"\nname = "Unlimited"\nmonthly_price_cents = 0\n')
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHCLOCK_")}
        server = subprocess.Popen([args.bin, "serve", "--config", config,
                                   "--listen", "127.0.0.1:%d" % port],
                                  stdout=open(os.path.join(work, "serve.log"), "w"),
                                  stderr=subprocess.STDOUT, env=env)
        procs.append(server)
        h = Http(port)
        for _ in range(600):
            try:
                h.request("GET", "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        email, password = "owner@fleet.example.com", "a long and unusual passphrase"
        status, signed = h.api("POST", "/signup", {"company": "Fleet", "email": email,
                                                   "password": password,
                                                   "timezone": "Europe/Berlin"})
        if status not in (200, 201):
            sys.exit("fleet: sign-up answered %d: %s" % (status, signed))
        t = time.monotonic()
        add_devices(port, signed["token"], sim_port, args.devices, args.add_clients)
        setup = "%d devices added with POST /api/v1/devices (%d clients) in %.1f s" % (
            args.devices, args.add_clients, time.monotonic() - t)
        print("fleet: " + setup, file=sys.stderr)
        db = os.path.join(data, "punchclock.sqlite")
        sampler = Sampler(db, server.pid, sim.pid)
        sampler.start()
        probe = PageProbe(port, email, password)
        probe.start()

        def grow():
            sim.send_signal(signal.SIGUSR2)
            wait_line(sim, "grew", 120)

        for name in args.cycles.split(","):
            if time.monotonic() >= args.deadline:
                say("fleet: cycle %s not run: the deadline passed" % name)
                break
            print("fleet: cycle %s" % name, file=sys.stderr)
            c = run_cycle(name, args, db, server, sim, sampler, probe,
                          grow if name == "grown" else None)
            cycles.append(c)
            say("fleet: cycle %s done (uptime: %s)\n%s\n%s\n%s" % (
                name, open("/proc/loadavg").read().strip(), TABLE_HEAD, cycle_row(c),
                cycle_details(c)))
            if c["cut_short"]:
                break  # the next cycle would poll what this one never reached
            time.sleep(3)  # leases given back, the checkpointer caught up
        probe.stop.set()
        sampler.stop.set()
        with open(os.path.join(work, "serve.log")) as f:
            warnings = [l for l in f if " WARN " in l or " ERROR " in l]
        report(args, cycles, baseline, setup)
        print("serve.log: %d WARN/ERROR lines%s" % (
            len(warnings), "".join("\n  " + l.strip()[:300] for l in warnings[:8])))
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
