#!/usr/bin/env python3
"""Push benchmark (issue 13 §4): thousands of push devices sending Realtime
punches to one `punchclock serve` over loopback.

Reports the p99 time from upload to commit (a device's ATTLOG request until
its `OK`, which is only answered after the commit) and the server's CPU time
(user + sys from /proc/<pid>/stat) while the fleet punches.

The devices belong to 20 companies (a multi-tenant instance; one company's
uploads are committed a few at a time). Baselines from the same run against the same server: one device punching
once a second (the latency of an idle server), and the server's CPU while the
whole fleet is online but not punching (handshaken, polling `getrequest`
every Delay). A harness, not a test: it prints figures and never fails on
them. Everything runs on 127.0.0.1 and stops by itself.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time

from harness import Server, cpu_seconds, wait_line


def sim_args(args, devices, seed):
    return [args.bin, "sim", "--devices", str(devices), "--users", str(args.users),
            "--seed", str(seed)]


def serials(args, devices, seed):
    out = subprocess.run(sim_args(args, devices, seed) + ["--dump", "serials"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def phase(args, base, pid, devices, rate, seconds, idle, seed):
    """One `sim --push` run: CPU while idle, then while punching; upload times."""
    cmd = sim_args(args, devices, seed) + [
        "--push", base, "--punches-per-second", str(rate),
        "--measure-seconds", str(seconds), "--idle-seconds", str(idle)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    wait_line(proc, "push devices calling", 60)
    wait_line(proc, "all online", 600)
    c0, t0 = cpu_seconds(pid), time.monotonic()
    wait_line(proc, "punching", idle + 60)
    c1, t1 = cpu_seconds(pid), time.monotonic()
    report = json.loads(proc.stdout.readline())
    c2, t2 = cpu_seconds(pid), time.monotonic()
    proc.wait(timeout=120)
    report["idle_cpu_share"] = (c1 - c0) / max(t1 - t0, 1e-9)
    report["idle_seconds"] = t1 - t0
    report["cpu_s"] = c2 - c1
    report["wall_s"] = t2 - t1
    report["cpu_share"] = (c2 - c1) / (t2 - t1)
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/punchclock")
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=100.0, help="punches/s over the fleet")
    ap.add_argument("--seconds", type=int, default=60, help="punching time")
    ap.add_argument("--idle-seconds", type=int, default=20)
    ap.add_argument("--users", type=int, default=5, help="users per device")
    ap.add_argument("--companies", type=int, default=20,
                    help="companies the devices belong to, evenly")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="punchclock-push-bench-")
    # Every simulated device calls from 127.0.0.1; real ones come from many
    # addresses, so the per-address limit is lifted for this run only.
    config = ("[rate_limits]\nper_ip_per_minute = 100000\n"
              "[push]\nper_source = { per_second = 100000, burst = 100000 }\n")
    try:
        with Server(args.bin, tmp, config) as server:
            api = server.api
            tokens = [api.sign_up(f"Push Bench {c}", f"owner{c}@push-bench.example.com")
                      for c in range(max(args.companies, 1))]
            t = time.monotonic()
            one = serials(args, 1, 11)
            fleet = serials(args, args.devices, 12)
            for i, s in enumerate(one + fleet):
                api.ok("POST", "/devices", {"name": s, "mode": "push", "serial_number": s},
                       tokens[i % len(tokens)])
            print(f"claimed {len(one) + len(fleet)} push devices in "
                  f"{time.monotonic() - t:.1f} s", file=sys.stderr)
            base_run = phase(args, server.base, server.pid, 1, 1.0, 20, 0, 11)
            fleet_run = phase(args, server.base, server.pid, args.devices, args.rate,
                              args.seconds, args.idle_seconds, 12)
            total = sum(api.ok("GET", "/punches?limit=1", None, tk)["total"] for tk in tokens)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    made = base_run["punches"] + fleet_run["punches"]
    print(json.dumps({"baseline": base_run, "fleet": fleet_run}, indent=1), file=sys.stderr)
    print(f"\n{args.devices} push devices of {len(tokens)} companies, {args.rate:g} punches/s "
          f"for {args.seconds} s "
          f"(Realtime=1, SQLite, {args.bin})")
    print(f"{'':34} {'baseline':>10} {'fleet':>10} {'ratio':>8}")
    b, f = base_run, fleet_run
    print(f"{'upload→commit p50 (ms)':34} {b['p50_ms']:10.2f} {f['p50_ms']:10.2f} "
          f"{f['p50_ms'] / max(b['p50_ms'], 1e-9):7.1f}x")
    print(f"{'upload→commit p99 (ms)':34} {b['p99_ms']:10.2f} {f['p99_ms']:10.2f} "
          f"{f['p99_ms'] / max(b['p99_ms'], 1e-9):7.1f}x")
    print(f"{'server CPU, fleet idle (% core)':34} {'':10} {100 * f['idle_cpu_share']:10.1f}")
    print(f"{'server CPU, punching (% core)':34} {100 * b['cpu_share']:10.1f} "
          f"{100 * f['cpu_share']:10.1f} "
          f"{f['cpu_share'] / max(f['idle_cpu_share'], 1e-9):7.1f}x idle")
    print(f"{'server CPU time, punching (s)':34} {b['cpu_s']:10.2f} {f['cpu_s']:10.2f}")
    print(f"punches made {made}, stored {total}, upload failures {f['failures']}")
    print("targets: p99 < 100 ms, CPU < 20% of one core")


if __name__ == "__main__":
    main()
