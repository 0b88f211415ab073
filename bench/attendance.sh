#!/usr/bin/env bash
# Issue 8 §6: attendance from the database, in release, on SQLite and on a
# throwaway PostgreSQL. A month for 1,000 employees with 4 punches a day
# (120,000 punches, stored through the real sync path), read through the
# service from the stored attendance days: the first month read (computes
# and stores every day), the month's summary, one day for everyone, a sync
# storing 10,000 new punches and the first read of the days it touched,
# and a rule change with the recompute it causes.
# Each figure is a median of 7 runs and a ratio to a plain full scan of the
# month's punches in the same run. Prints figures; never fails on them.
#
#   bench/attendance.sh              # SQLite and PostgreSQL
#   bench/attendance.sh --sqlite     # SQLite only
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--sqlite" ]; then
    export PUNCHCLOCK_PG_PORT="${PUNCHCLOCK_PG_PORT:-5434}"
    # shellcheck source=../.ci/postgres.sh
    source .ci/postgres.sh
    export PUNCHCLOCK_BENCH_POSTGRES_URL="$PUNCHCLOCK_TEST_POSTGRES_URL"
fi
cargo run --quiet --release --locked -p punchclock --example attendance_store
