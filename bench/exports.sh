#!/usr/bin/env bash
# Issue 9 §4: exporting the 120,000-punch month (1,000 employees x 4
# punches x 30 days, as in bench/attendance.sh) as CSV and as XLSX, on
# SQLite, in release, through the streamed response the API and pages
# answer with. Each figure is its own process (3 runs, median wall time,
# highest peak RSS), against the file's size; the baseline, measured in
# the same run, is a plain scan of the same punches into memory. Prints
# figures; never fails on them.
#
#   bench/exports.sh                      # release build
#   BENCH_PROFILE=dev bench/exports.sh    # debug build (a busy machine)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/pc-exports-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
profile="${BENCH_PROFILE:-release}"
cargo build --quiet --profile "$profile" --locked -p punchclock --example exports_file
case "$profile" in dev) out=debug ;; *) out="$profile" ;; esac
bin="target/$out/examples/exports_file"
echo "profile: $profile"
db="$dir/bench.sqlite"
start=$(date +%s.%N)
"$bin" prepare "$db"
echo "month stored in $(echo "$(date +%s.%N) - $start" | bc) s"
for mode in scan csv xlsx; do
    for _ in 1 2 3; do "$bin" "$mode" "$db"; done
done | python3 -c '
import json, sys, statistics
runs = {}
for line in sys.stdin:
    r = json.loads(line)
    runs.setdefault(r["mode"], []).append(r)
def fig(mode):
    rs = runs[mode]
    return (statistics.median(r["wall_ms"] for r in rs),
            max(r["peak_rss_kb"] for r in rs) / 1024,
            rs[0]["bytes"] / 1048576)
base_ms, base_rss, _ = fig("scan")
# The CSV must hold every punch the scan read.
scanned, exported = runs["scan"][0]["rows"], runs["csv"][0]["rows"]
print(f"punches scanned: {scanned}, CSV data rows: {exported}")
if scanned != exported:
    sys.exit("the CSV does not hold every punch")
print("%-44s %8s %7s %12s %7s %8s %9s" % ("what", "wall ms", "x scan", "peak RSS MB", "x scan", "file MB", "RSS/file"))
for mode, what in [("scan", "plain scan of the 120,000 punches (baseline)"),
                   ("csv", "punches as CSV, streamed"),
                   ("xlsx", "punches as XLSX, constant memory, streamed")]:
    ms, rss, mb = fig(mode)
    per = f"{rss / mb:9.2f}" if mb else "        -"
    print(f"{what:44} {ms:8.0f} {ms / base_ms:7.2f} {rss:12.1f} {rss / base_rss:7.2f} {mb:8.1f} {per}")
'
