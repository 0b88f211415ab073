"""CPU of one pull while frames trickle in (issue 10 §2).

The same 100,000-punch device is pulled with `punchclock device punches`
three ways in one run: frames back to back, then with a 1 ms and a 3 ms gap
between frames (`punchclock sim --frame-gap-ms`). Each pull is its own
process; its CPU time (user + sys) comes from os.wait4's rusage. The ratio
to the back-to-back pull of the same run is what must stay within 1.2.

A harness, not a test: it prints figures and never fails on them."""
import argparse
import statistics

from pull import measure, ours_cmd, start_sim, stop_sim


def pull_cpu(args, gap_ms):
    """Median CPU seconds and wall seconds over --repeat pulls at one gap."""
    sim, port = start_sim(args.bin, args.punches, args.users, gap_ms)
    try:
        runs = [measure("punchclock", ours_cmd(args, port), "stderr") for _ in range(args.repeat)]
    finally:
        stop_sim(sim)
    for r in runs:
        if r.count != args.punches:
            print(f"WARNING: gap {gap_ms} ms pulled {r.count} punches, expected {args.punches}")
    return statistics.median(r.cpu for r in runs), statistics.median(r.wall for r in runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--punches", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3, help="pulls per gap; the median counts")
    ap.add_argument("--gaps", default="0,1,3", help="frame gaps in ms; the first is the baseline")
    args = ap.parse_args()
    gaps = [int(g) for g in args.gaps.split(",")]

    print(f"# {args.punches} punches over loopback TCP, median of {args.repeat} pulls per gap")
    print("| frame gap | wall (s) | CPU (s) | CPU / back-to-back |")
    print("|-----------|----------|---------|--------------------|")
    base = None
    for gap in gaps:
        cpu, wall = pull_cpu(args, gap)
        base = base or cpu
        print(f"| {gap:>6} ms | {wall:>8.2f} | {cpu:>7.3f} | {cpu / base:>18.2f} |", flush=True)


if __name__ == "__main__":
    main()
