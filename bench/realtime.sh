#!/usr/bin/env bash
# Realtime capture at scale: one process holds 1,000 realtime connections
# to simulated devices; prints the clients' CPU over 60 s idle and the
# tap-to-client latency (p50/p99/max) when every device is tapped.
# A harness, not a test: it prints figures and never fails on them.
# Usage: bench/realtime.sh [--devices N] [--idle-secs S] [--heartbeat-secs S] [--rounds R]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --locked -q -p zk-client --example realtime_idle -- "$@"
