"""Crash campaign: `punchclock serve` killed with SIGKILL during large syncs.

    python3 crash.py --bin PATH [--kills 100] [--pg-url postgres://...]

Simulated devices hold PUNCHES punches each. Every round starts the
service on the same database, waits for it to finish the syncs the last
kill cut short (the scheduler picks them up again), adds one more device
(the scheduler polls a new device at once) and asks for "Sync now" too,
then kills the process with SIGKILL at a random moment while it syncs. A
sync is stored in batches, each its own transaction, so a kill may leave a
device stored in part; the next sync completes it. Checked:

- after every kill: the database passes its integrity check (SQLite:
  PRAGMA integrity_check), no punch is stored twice, and every stored punch
  is one its device holds (compared with the simulator's own listing);
- after every restart's syncs complete, and at the end: every device's
  stored punches equal its log exactly, punch by punch.

Talks only to 127.0.0.1. Prints "crash: N passed, M failed".
"""

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "instances"))
from instances import Psql, free_port, with_database  # noqa: E402

ANCHOR = "2026-11-01"
USERS = 3


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--punches", type=int, default=10000)
    p.add_argument("--pg-url", help="PostgreSQL server (a fresh database is made); SQLite without")
    p.add_argument("--seed", type=int, default=int(time.time()))
    return p.parse_args()


class Database:
    """The service's database, read around the service."""

    def __init__(self, args, work):
        self.pg = None
        self.file = os.path.join(work, "data", "punchclock.sqlite")
        if args.pg_url:
            self.admin = Psql(args.pg_url)
            self.name = "crash_%d" % os.getpid()
            self.admin.rows("CREATE DATABASE " + self.name)
            self.pg = Psql(with_database(args.pg_url, self.name))

    def url(self):
        return self.pg.url if self.pg else ""

    def rows(self, sql):
        if self.pg:
            return self.pg.rows(sql)
        con = sqlite3.connect(self.file, timeout=30)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def integrity(self):
        if self.pg:
            return "ok"  # PostgreSQL recovers from its WAL; checked by reading below
        return self.rows("PRAGMA integrity_check")[0][0]

    def drop(self):
        if self.pg:
            self.admin.rows("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)


def api(base, path, body=None, token=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data, {"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.load(r)


def start_sim(args, work, devices):
    for _ in range(20):
        base = random.randrange(20000, 60000 - devices)
        sim = subprocess.Popen(
            [args.bin, "sim", "--listen", "127.0.0.1:%d" % base, "--devices", str(devices),
             "--users", str(USERS), "--punches", str(args.punches), "--anchor-date", ANCHOR,
             "--tcp-only"],
            stdout=subprocess.PIPE, stderr=open(os.path.join(work, "sim.log"), "w"), text=True)
        if "listening" in sim.stdout.readline():
            return sim, base
        sim.wait()
    raise SystemExit("crash: the simulator could not find free ports")


SECRETS_KEY = os.urandom(32).hex()


def write_config(work, db):
    path = os.path.join(work, "punchclock.toml")
    with open(path, "w") as f:
        if db.url():
            f.write('database_url = "%s"\n' % db.url())
        f.write('data_dir = "%s"\n' % os.path.join(work, "data"))
        # Every restart opens what the last one sealed: the same key.
        f.write('secrets_key = "%s"\n' % SECRETS_KEY)
        f.write('instance_id = "crash"\n')
        f.write("allow_private_device_addresses = true\n")
        f.write("poll_interval_minutes = 1440\n")
        f.write("poll_attempt_timeout_seconds = 30\n")
        f.write("rate_limits = { per_ip_per_minute = 100000, per_account_per_hour = 100000, "
                "device_contacts_per_company_per_minute = 100000 }\n")
        f.write('[[plans]]\nid = "unlimited"\nname = "Unlimited"\nmonthly_price_cents = 0\n')
    return path


def start_service(args, work, config):
    port = free_port()
    log = open(os.path.join(work, "serve.log"), "a")
    proc = subprocess.Popen([args.bin, "serve", "--config", config,
                             "--listen", "127.0.0.1:%d" % port],
                            stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d/api/v1" % port
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("crash: the service exited at start (see serve.log)")
        try:
            urllib.request.urlopen(base + "/openapi.json", timeout=2).read()
            return proc, base
        except OSError:
            time.sleep(0.05)
    raise SystemExit("crash: the service did not answer")


def sync_later(base, token, device_id):
    """Sync now, in the background; the kill usually cuts it off."""
    def run():
        try:
            api(base, "/devices/%d/sync" % device_id, {}, token, timeout=60)
        except (OSError, urllib.error.HTTPError):
            pass
    threading.Thread(target=run, daemon=True).start()


def per_device(db):
    """{sim port: stored punches} for every device."""
    rows = db.rows("SELECT d.port, COUNT(p.id) FROM devices d "
                   "LEFT JOIN punches p ON p.device_id = d.id GROUP BY d.port")
    return {int(port): int(n) for port, n in rows}


def stored_punches(db, port):
    """The device's stored punches as (enroll id, device time), sorted."""
    return sorted((e, t) for e, t in db.rows(
        "SELECT p.enroll_id, p.device_time FROM punches p JOIN devices d "
        "ON d.id = p.device_id WHERE d.port = %d" % port))


def check_database(db):
    """Integrity and duplicates (empty when none)."""
    problems = []
    verdict = db.integrity()
    if verdict != "ok":
        problems.append("integrity check: %s" % verdict)
    total, distinct = db.rows("SELECT COUNT(*), COUNT(DISTINCT device_serial || '|' || "
                              "enroll_id || '|' || device_time) FROM punches")[0]
    if int(total) != int(distinct):
        problems.append("%d punches stored twice" % (int(total) - int(distinct)))
    return problems


class Listings:
    """Each simulated device's log, as the simulator lists it (cached)."""

    def __init__(self, args, devices, sim_port):
        self.args, self.devices, self.sim_port, self.cache = args, devices, sim_port, {}

    def of_port(self, port):
        i = port - self.sim_port
        if i not in self.cache:
            self.cache[i] = device_listing(self.args, self.devices, i)
        return self.cache[i]

    def foreign(self, db, port):
        """Stored punches of the device that it does not hold (a problem
        description, or None)."""
        stored = stored_punches(db, port)
        held = set(self.of_port(port))
        foreign = [p for p in stored if p not in held]
        if foreign:
            return "port %d: %d stored punches not on the device, e.g. %s" % (
                port, len(foreign), foreign[:2])
        return None

    def differs(self, db, port):
        """Whether the device's stored punches differ from its log."""
        return stored_punches(db, port) != self.of_port(port)


def check_after_kill(db, listings, changed):
    """Problems found right after a kill (empty when none): integrity, no
    duplicates, and the devices whose count changed hold only real punches."""
    problems = check_database(db)
    for port in changed:
        foreign = listings.foreign(db, port)
        if foreign:
            problems.append(foreign)
    return problems


def wait_complete(db, ports, punches, seconds):
    """Waits (bounded) until every device in `ports` has all its punches;
    returns those still short."""
    deadline = time.monotonic() + seconds
    while True:
        counts = per_device(db)
        short = [p for p in ports if counts.get(p, 0) != punches]
        if not short or time.monotonic() > deadline:
            return short
        time.sleep(0.1)


def device_listing(args, devices, i):
    out = subprocess.run([args.bin, "sim", "--dump", "punches", "--dump-device", str(i),
                          "--devices", str(devices), "--users", str(USERS), "--punches",
                          str(args.punches), "--anchor-date", ANCHOR],
                         check=True, capture_output=True, text=True).stdout
    return sorted((p["user_id"], p["time"]) for p in json.loads(out))


def run_rounds(args, work, db, config, sim_port, listings):
    """The kill rounds; returns (token, [kills before / during / after the
    round's device was stored], syncs resumed after a restart, problems)."""
    rng = random.Random(args.seed)
    token, cut, problems, last, resumed = None, [0, 0, 0], [], {}, 0
    for i in range(args.kills):
        proc, base = start_service(args, work, config)
        # The syncs the last kill cut short are picked up again by the
        # scheduler at start: once they complete, each device holds
        # exactly its log.
        short = [p for p, n in last.items() if n != args.punches]
        if token is None:
            token = api(base, "/signup", {"company": "Crash", "email": "owner@crash.example.com",
                                          "password": "a long and unusual passphrase",
                                          "timezone": "Europe/Berlin"})["token"]
        if short:
            for port in short:
                # Joins the scheduler's poll when it already started one.
                ids = db.rows("SELECT id FROM devices WHERE port = %d" % port)
                sync_later(base, token, int(ids[0][0]))
            still = wait_complete(db, short, args.punches, 60)
            resumed += len(short) - len(still)
            if still:
                problems.append("after restart %d: never completed: %s" % (i, still))
            wrong = [p for p in short if p not in still and listings.differs(db, p)]
            if wrong:
                problems.append("after restart %d: stored punches differ from the log: %s"
                                % (i, wrong))
        device = api(base, "/devices", {"name": "Clock %d" % i, "host": "127.0.0.1",
                                        "port": sim_port + i, "transport": "tcp"}, token)
        sync_later(base, token, device["id"])
        time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts = per_device(db)
        stored = counts.get(sim_port + i, 0)
        cut[0 if stored == 0 else 1 if stored < args.punches else 2] += 1
        changed = [p for p, n in counts.items() if n != last.get(p)]
        found = check_after_kill(db, listings, changed)
        problems += ["after kill %d: %s" % (i + 1, p) for p in found]
        last = counts
    return token, cut, resumed, problems


def finish(args, work, db, config, token, listings, sim_port):
    """Runs the service unkilled until every device is synced; compares."""
    proc, base = start_service(args, work, config)
    ports = list(range(sim_port, sim_port + args.kills))
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            counts = per_device(db)
            short = [p for p in ports if counts.get(p, 0) != args.punches]
            if not short:
                break
            for port in short[:8]:
                ids = db.rows("SELECT id FROM devices WHERE port = %d" % port)
                sync_later(base, token, int(ids[0][0]))
            time.sleep(2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    results = [("every device synced whole after the last restart", not short,
                "short: %s" % short[:10])]
    mismatched = [p - sim_port for p in ports if listings.differs(db, p)]
    results.append(("stored punches equal the devices' logs, punch by punch (%d devices)"
                    % len(ports), not mismatched, "differ: %s" % mismatched[:10]))
    final = check_database(db)
    results.append(("integrity and no duplicates at the end", not final, "; ".join(final)))
    return results


def main():
    args = parse_args()
    work = tempfile.mkdtemp(prefix="punchclock-crash.")
    db = Database(args, work)
    backend = "postgres" if args.pg_url else "sqlite"
    sim = None
    try:
        sim, sim_port = start_sim(args, work, args.kills)
        config = write_config(work, db)
        started = time.monotonic()
        listings = Listings(args, args.kills, sim_port)
        token, cut, resumed, problems = run_rounds(args, work, db, config, sim_port, listings)
        results = [("%d kills during syncs (%d before the device's first batch, %d with it "
                    "stored in part, %d after it was whole; %d unfinished syncs completed after "
                    "the restart, each then equal to its log)"
                    % (args.kills, cut[0], cut[1], cut[2], resumed), not problems,
                    "; ".join(problems[:5]))]
        results += finish(args, work, db, config, token, listings, sim_port)
        print("crash: %s, %d kills, %d punches per device, seed %d, %d s" % (
            backend, args.kills, args.punches, args.seed, time.monotonic() - started))
    finally:
        if sim and sim.poll() is None:
            sim.kill()
            sim.wait()
        db.drop()
        shutil.rmtree(work, ignore_errors=True)
    for title, ok, detail in results:
        print("%s %s%s" % ("ok  " if ok else "FAIL", title, "" if ok else ": " + detail))
    failed = sum(1 for _, ok, _ in results if not ok)
    print("crash: %d passed, %d failed" % (len(results) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
