"""Crash campaign: `punchclock serve` killed with SIGKILL during large syncs.

    python3 crash.py --bin PATH [--kills 100] [--pg-url postgres://...]

Simulated devices hold PUNCHES punches each. Every round starts the
service on the same database, adds one more device (the scheduler polls a
new device at once) and asks for "Sync now" too, then kills the process
with SIGKILL at a random moment while it syncs. After every kill:

- the database passes its integrity check (SQLite: PRAGMA integrity_check);
- every device holds either none of its punches or all of them (a poll is
  one transaction: never half stored), and no punch is stored twice.

At the end the service runs without being killed until every device is
synced, and the stored punches equal the devices' logs exactly (compared
punch by punch with the simulator's own listing for a sample of devices).
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


def check_after_kill(db, punches):
    """Problems found right after a kill (empty when none)."""
    problems = []
    verdict = db.integrity()
    if verdict != "ok":
        problems.append("integrity check: %s" % verdict)
    half = {port: n for port, n in per_device(db).items() if n not in (0, punches)}
    if half:
        problems.append("devices stored in part: %s" % half)
    total, distinct = db.rows("SELECT COUNT(*), COUNT(DISTINCT device_serial || '|' || "
                              "enroll_id || '|' || device_time) FROM punches")[0]
    if int(total) != int(distinct):
        problems.append("%d punches stored twice" % (int(total) - int(distinct)))
    return problems


def device_listing(args, devices, i):
    out = subprocess.run([args.bin, "sim", "--dump", "punches", "--dump-device", str(i),
                          "--devices", str(devices), "--users", str(USERS), "--punches",
                          str(args.punches), "--anchor-date", ANCHOR],
                         check=True, capture_output=True, text=True).stdout
    return sorted((p["user_id"], p["time"]) for p in json.loads(out))


def run_rounds(args, work, db, config, sim_port):
    """The kill rounds; returns (token, rounds cut mid-sync, problems)."""
    rng = random.Random(args.seed)
    token, cut, problems = None, 0, []
    for i in range(args.kills):
        proc, base = start_service(args, work, config)
        if token is None:
            token = api(base, "/signup", {"company": "Crash", "email": "owner@crash.example.com",
                                          "password": "a long and unusual passphrase",
                                          "timezone": "Europe/Berlin"})["token"]
        device = api(base, "/devices", {"name": "Clock %d" % i, "host": "127.0.0.1",
                                        "port": sim_port + i, "transport": "tcp"}, token)
        sync_later(base, token, device["id"])
        time.sleep(rng.uniform(0.0, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = per_device(db).get(sim_port + i, 0)
        cut += stored == 0
        found = check_after_kill(db, args.punches)
        problems += ["after kill %d: %s" % (i + 1, p) for p in found]
    return token, cut, problems


def finish(args, work, db, config, token, devices, sim_port):
    """Runs the service unkilled until every device is synced; compares."""
    proc, base = start_service(args, work, config)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            counts = per_device(db)
            short = [p for p in range(sim_port, sim_port + args.kills)
                     if counts.get(p, 0) != args.punches]
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
    mismatched = []
    for i in random.Random(args.seed).sample(range(args.kills), min(5, args.kills)):
        port = sim_port + i
        stored = sorted((e, t) for e, t in db.rows(
            "SELECT p.enroll_id, p.device_time FROM punches p JOIN devices d "
            "ON d.id = p.device_id WHERE d.port = %d" % port))
        if stored != device_listing(args, devices, i):
            mismatched.append(i)
    results.append(("stored punches equal the devices' logs, punch by punch (5 devices)",
                     not mismatched, "differ: %s" % mismatched))
    final = check_after_kill(db, args.punches)
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
        token, cut, problems = run_rounds(args, work, db, config, sim_port)
        results = [("%d kills during syncs (%d before the device was stored, %d after)"
                    % (args.kills, cut, args.kills - cut), not problems,
                    "; ".join(problems[:5]))]
        results += finish(args, work, db, config, token, args.kills, sim_port)
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
