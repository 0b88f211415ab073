#!/usr/bin/env bash
# The several-instances check at full size: 1,000 simulated devices of
# 1,000 punches, three instances on one PostgreSQL, one killed with SIGKILL
# mid-poll; reports the same checks as the CI run, and how long it took.
#
#   bench/instances.sh            (builds release, starts a throwaway PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p punchclock
# shellcheck source=.ci/postgres.sh
source .ci/postgres.sh
ulimit -n 8192 2>/dev/null || true
bash tests/instances/run.sh target/release/punchclock \
    --devices 1000 --punches 1000 --rtt-ms 100 --max-concurrent-polls 64
