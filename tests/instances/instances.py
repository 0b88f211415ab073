"""Several `punchclock serve` instances on one PostgreSQL, one killed.

    python3 instances.py --bin PATH --pg-url postgres://... [--devices 100]

Starts simulated devices and three instances that share a fresh database,
signs up through one of them and adds the devices (polled every minute).
As soon as the second instance holds leases it is killed with SIGKILL,
mid-poll. Then it checks, from the database:

- the killed instance's devices were polled by another instance within
  their lease (poll_attempt_timeout_seconds + 60 s);
- every device was polled in every cycle, never twice in one (no two polls
  of a device closer than the interval less its jitter);
- every punch the devices hold is stored exactly once, and the logs count
  each as new exactly once.

Everything listens on and talks to 127.0.0.1 only, and stops by itself.
Prints "instances: N passed, M failed"; exits 1 on any failure.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

ATTEMPT_TIMEOUT = 20  # poll_attempt_timeout_seconds; the lease is this + 60 s
LEASE = ATTEMPT_TIMEOUT + 60
INTERVAL = 60  # the instances' poll_interval_minutes = 1, with +-10% jitter
CYCLES = 2  # full cycles observed after the first poll of every device


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--pg-url", required=True, help="any database on the server; a fresh one is made")
    p.add_argument("--devices", type=int, default=100)
    p.add_argument("--punches", type=int, default=300)
    p.add_argument("--rtt-ms", type=int, default=100)
    p.add_argument("--max-concurrent-polls", type=int, default=10)
    return p.parse_args()


class Psql:
    """Runs SQL through psql; results as lists of string tuples."""

    def __init__(self, url):
        self.url = url
        self.exe = os.environ.get("PSQL") or find_psql()

    def rows(self, sql):
        out = subprocess.run([self.exe, self.url, "-XAtq", "-F", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def value(self, sql):
        return int(self.rows(sql)[0][0])


def find_psql():
    bin_dir = os.environ.get("PUNCHCLOCK_PG_BIN")
    if bin_dir and os.path.exists(os.path.join(bin_dir, "psql")):
        return os.path.join(bin_dir, "psql")
    found = shutil.which("psql")
    if not found:
        sys.exit("instances: psql not found (set PSQL or PUNCHCLOCK_PG_BIN)")
    return found


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def api(base, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data, {"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise SystemExit("instances: %s answered %d: %s" % (path, e.code, e.read()[:300]))


def wait_until(what, check, limit):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise SystemExit("instances: timed out waiting for " + what)


def start_sim(args, work):
    """The simulated devices, on consecutive ports from a free-looking base."""
    for _ in range(20):
        base = random.randrange(20000, 60000 - args.devices)
        log = open(os.path.join(work, "sim.log"), "w")
        sim = subprocess.Popen([args.bin, "sim", "--listen", "127.0.0.1:%d" % base,
                                "--devices", str(args.devices), "--users", "5",
                                "--punches", str(args.punches), "--rtt-ms", str(args.rtt_ms),
                                "--tcp-only"], stdout=subprocess.PIPE, stderr=log, text=True)
        line = sim.stdout.readline()
        if "listening" in line:
            return sim, base
        sim.wait()
    raise SystemExit("instances: the simulator could not find free ports")


# Instances sharing one database must share the key sealing its secrets
# (each has a data directory of its own, so none may make its own key file).
SECRETS_KEY = os.urandom(32).hex()


def start_instance(args, work, db_url, n, key=None):
    port = free_port()
    config = os.path.join(work, "instance%d.toml" % n)
    with open(config, "w") as f:
        f.write('database_url = "%s"\n' % db_url)
        f.write('secrets_key = "%s"\n' % (key or SECRETS_KEY))
        f.write('instance_id = "instance-%d"\n' % n)
        f.write("allow_private_device_addresses = true\n")
        f.write("max_concurrent_polls = %d\n" % args.max_concurrent_polls)
        f.write("poll_attempt_timeout_seconds = %d\n" % ATTEMPT_TIMEOUT)
        f.write("poll_interval_minutes = 1\n")
        f.write('[[plans]]\nid = "unlimited"\nname = "Unlimited"\nmonthly_price_cents = 0\n')
    log = open(os.path.join(work, "instance%d.log" % n), "w")
    proc = subprocess.Popen([args.bin, "serve", "--config", config,
                             "--listen", "127.0.0.1:%d" % port,
                             "--data-dir", os.path.join(work, "data%d" % n)],
                            stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d/api/v1" % port
    wait_until("instance %d to answer" % n, lambda: answers(base, proc), 60)
    return proc, base


def answers(base, proc):
    if proc.poll() is not None:
        raise SystemExit("instances: an instance exited at start (see its log)")
    try:
        urllib.request.urlopen(base + "/openapi.json", timeout=2).read()
        return True
    except OSError:
        return False


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_devices(base, sim_port, count):
    token = api(base, "/signup", {"company": "Instances", "email": "owner@instances.example.com",
                                  "password": "a long and unusual passphrase",
                                  "timezone": "Europe/Berlin"})["token"]
    for i in range(count):
        api(base, "/devices", {"name": "Clock %d" % i, "host": "127.0.0.1",
                               "port": sim_port + i, "transport": "tcp"}, token)


def kill_mid_poll(db, victim):
    """SIGKILL the instance as soon as it holds live leases; returns the
    devices it held and the moment (database seconds) it died."""
    def held():
        return db.rows("SELECT id FROM devices WHERE lease_owner = 'instance-1' "
                       "AND lease_until > extract(epoch FROM now())::bigint")
    leased = wait_until("instance 1 to lease devices", held, 120)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = db.value("SELECT extract(epoch FROM now())::bigint")
    return sorted(int(r[0]) for r in leased), killed_at


def sync_logs(db):
    """Every device's successful polls: {device: [(started_at, duration_ms)]}."""
    logs = {}
    for device, started, ms in db.rows("SELECT device_id, started_at, duration_ms FROM device_logs "
                                       "WHERE kind = 'sync' AND outcome = 'ok' "
                                       "ORDER BY device_id, started_at"):
        logs.setdefault(int(device), []).append((int(started), int(ms)))
    return logs


def checks(db, args, leased, killed_at, logs):
    """(name, passed, detail) for each property."""
    results = []
    late = [d for d in leased
            if not any(killed_at <= s <= killed_at + LEASE + 15 for s, _ in logs.get(d, []))]
    results.append(("the killed instance's %d leased devices were taken over within the lease"
                    % len(leased), not late, "not taken over: %s" % late[:10]))
    min_gap = int(INTERVAL * 0.9) - 2
    twice = [(d, a, b) for d, polls in logs.items()
             for (a, _), (b, _) in zip(polls, polls[1:]) if b - a < min_gap]
    results.append(("no device was polled twice in one cycle", not twice,
                    "polls closer than %d s: %s" % (min_gap, twice[:5])))
    max_gap = int(INTERVAL * 1.1) + 15
    skipped = [(d, a, b) for d, polls in logs.items()
               for (a, _), (b, _) in zip(polls, polls[1:])
               if b - a > max_gap and d not in leased]
    results.append(("every device was polled in every cycle", not skipped,
                    "gaps over %d s: %s" % (max_gap, skipped[:5])))
    expected = args.devices * args.punches
    stored = db.value("SELECT count(*) FROM punches")
    results.append(("every punch stored once (%d expected)" % expected, stored == expected,
                    "%d stored" % stored))
    counted = db.value("SELECT coalesce(sum(punches_new), 0) FROM device_logs")
    results.append(("each punch counted as new exactly once", counted == expected,
                    "%d counted" % counted))
    return results


def observe(db, args):
    """Waits until every device has CYCLES polls after its first."""
    def done():
        logs = sync_logs(db)
        return len(logs) == args.devices and all(len(p) > CYCLES for p in logs.values())
    wait_until("%d polls of every device" % (CYCLES + 1), done, INTERVAL * (CYCLES + 2) + LEASE)


def wrong_key_refused(args, work, db_url):
    """An instance given another secrets_key exits at start and says why."""
    title = "an instance with another secrets_key is refused at start"
    try:
        proc, _ = start_instance(args, work, db_url, 9, key=os.urandom(32).hex())
    except SystemExit:
        with open(os.path.join(work, "instance9.log")) as f:
            log = f.read()
        return (title, "secrets_key" in log, "its log does not name secrets_key:\n" + log[-2000:])
    proc.kill()
    proc.wait()
    return (title, False, "it started and answered")


def main():
    args = parse_args()
    work = tempfile.mkdtemp(prefix="punchclock-instances.")
    admin = Psql(args.pg_url)
    name = "instances_%d" % os.getpid()
    admin.rows("CREATE DATABASE " + name)
    db = Psql(with_database(args.pg_url, name))
    procs = []
    try:
        sim, sim_port = start_sim(args, work)
        procs.append(sim)
        instances = [start_instance(args, work, db.url, n) for n in range(3)]
        procs += [proc for proc, _ in instances]
        started = time.monotonic()
        add_devices(instances[0][1], sim_port, args.devices)
        leased, killed_at = kill_mid_poll(db, instances[1][0])
        print("instances: instance-1 killed holding %d leases" % len(leased), flush=True)
        observe(db, args)
        for proc, _ in (instances[0], instances[2]):
            proc.terminate()
            proc.wait(timeout=40)
        results = checks(db, args, leased, killed_at, sync_logs(db))
        results.append(wrong_key_refused(args, work, db.url))
        print("instances: %d devices, %d s" % (args.devices, time.monotonic() - started))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        admin.rows("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    for title, ok, detail in results:
        print("%s %s%s" % ("ok  " if ok else "FAIL", title, "" if ok else ": " + detail))
    failed = sum(1 for _, ok, _ in results if not ok)
    print("instances: %d passed, %d failed" % (len(results) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
