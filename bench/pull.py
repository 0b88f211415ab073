"""Benchmark driver (see pull.sh). Each client runs as its own process; its
wall time is measured around the process and its CPU time (user + sys) and
peak RSS come from os.wait4's rusage, so both clients are measured alike."""
import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    rss: int  # bytes
    count: int


def start_sim(bin_path, punches, users, gap_ms):
    """Start `punchclock sim` on a free port; returns (process, port)."""
    cmd = [
        bin_path, "sim",
        "--listen", "127.0.0.1:0",
        "--devices", "1",
        "--users", str(users),
        "--punches", str(punches),
        "--frame-gap-ms", str(gap_ms),
    ]
    sim = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    # It prints "punchclock sim: 1 device listening on 127.0.0.1:PORT (tcp+udp)".
    line = sim.stdout.readline()
    m = re.search(r"listening on [^ ]*:(\d+)", line)
    if not m:
        sim.kill()
        sys.exit(f"the simulator did not start: {line!r}")
    return sim, int(m.group(1))


def stop_sim(sim):
    sim.terminate()
    try:
        sim.wait(10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()


def measure(name, cmd, count_from) -> Run:
    started = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE if count_from == "stdout" else subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    # Drain pipes before reaping so a chatty child cannot block.
    out, err = p.stdout.read() if p.stdout else b"", p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - started
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{name} failed ({p.returncode}): {err.decode(errors='replace')}")
    text = (out if count_from == "stdout" else err).decode(errors="replace")
    # Ours prints "N punches" on stderr, pyzk_pull.py prints N on stdout.
    count = int(text.strip().splitlines()[-1].split()[0])
    return Run(name, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024, count)


def ours_cmd(args, port):
    return [args.bin, "device", "punches", "--host", "127.0.0.1", "--port", str(port),
            "--transport", "tcp", "--timeout", "60", "--json"]


def mb(n):
    return f"{n / 1e6:.1f} MB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pyzk-python", required=True)
    ap.add_argument("--punches", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--big", type=int, default=1_000_000, help="punches for the big pull (0 = skip)")
    ap.add_argument("--frame-gap-ms", type=int, default=5,
                    help="pause between frames, which pyzk needs to keep up")
    args = ap.parse_args()

    print(f"# {args.punches} punches, {args.users} users, TCP loopback, "
          f"sim --frame-gap-ms {args.frame_gap_ms} for both clients")
    sim, port = start_sim(args.bin, args.punches, args.users, args.frame_gap_ms)
    try:
        ours = measure("punchclock", ours_cmd(args, port), "stderr")
        pyzk = measure("pyzk 0.9", [args.pyzk_python, os.path.join(HERE, "pyzk_pull.py"),
                                    "--port", str(port)], "stdout")
    finally:
        stop_sim(sim)
    for r in (ours, pyzk):
        if r.count != args.punches:
            print(f"WARNING: {r.name} pulled {r.count} punches, expected {args.punches}")
    print()
    print(f"| client     | punches | wall (s) | CPU (s) | peak RSS |")
    print(f"|------------|---------|----------|---------|----------|")
    for r in (ours, pyzk):
        print(f"| {r.name:<10} | {r.count:>7} | {r.wall:>8.2f} | {r.cpu:>7.3f} | {mb(r.rss):>8} |")
    print(f"| pyzk / ours|         | {pyzk.wall / ours.wall:>7.1f}x | {pyzk.cpu / max(ours.cpu, 1e-3):>6.1f}x "
          f"| {pyzk.rss / ours.rss:>7.1f}x |")

    if args.big:
        raw = 4 + 40 * args.big  # the 40-byte TCP records plus the 4-byte size prefix
        print()
        print(f"# {args.big} punches with punchclock, sim --frame-gap-ms 0 (back-to-back frames)")
        sim, port = start_sim(args.bin, args.big, args.users, 0)
        try:
            big = measure("punchclock", ours_cmd(args, port), "stderr")
        finally:
            stop_sim(sim)
        if big.count != args.big:
            print(f"WARNING: pulled {big.count} punches, expected {args.big}")
        print(f"| punches | raw bytes | wall (s) | CPU (s) | peak RSS | RSS / raw |")
        print(f"|---------|-----------|----------|---------|----------|-----------|")
        print(f"| {big.count:>7} | {mb(raw):>9} | {big.wall:>8.2f} | {big.cpu:>7.3f} | {mb(big.rss):>8} "
              f"| {big.rss / raw:>9.2f} |")


if __name__ == "__main__":
    main()
