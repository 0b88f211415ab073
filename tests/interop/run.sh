#!/usr/bin/env bash
# Interop test: pyzk 0.9, an independent client, against `punchclock sim`.
#
# Usage: tests/interop/run.sh PATH/TO/punchclock
#   PYZK_VENV    virtualenv for pyzk (default /tmp/punchclock-pyzk-venv)
#   FRAME_GAP_MS pause between frames of multi-frame answers (default 10);
#                pyzk 0.9 stalls when 1008-byte DATA frames arrive
#                back-to-back, as on real firmware (reference §11.2), so the
#                simulator paces them; a pull that still times out under load
#                is retried by pyzk_pull.py and marked "(after retry)"
#
# Each check compares what a client pulled with the simulator's own data,
# printed by the hidden `punchclock sim --dump`. Ends with
# "interop: N passed, M failed" and exits non-zero if anything failed.
set -uo pipefail

BIN=${1:?usage: $0 PATH/TO/punchclock}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GAP=${FRAME_GAP_MS:-10}
PY=$("$ROOT/.ci/pyzk.sh" "${PYZK_VENV:-/tmp/punchclock-pyzk-venv}") || {
    echo "interop: cannot set up pyzk"
    exit 1
}
WORK=$(mktemp -d)
# Punches are generated on the days before a date; pin it so the dump and
# the serving process agree even across midnight.
ANCHOR=$(date +%F)
PASSED=0
FAILED=0
SIM_PIDS=()

cleanup() {
    for pid in "${SIM_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }

# start_sim NAME SIM-ARGS...: start one simulated device on a free port,
# set SIM_PORT, and dump its users, punches and identity to $WORK/NAME.*.json.
start_sim() {
    local name=$1
    shift
    local args=(--anchor-date "$ANCHOR" "$@")
    for what in users punches info; do
        "$BIN" sim "${args[@]}" --dump "$what" >"$WORK/$name.$what.json" || {
            echo "interop: $BIN sim --dump $what failed"
            exit 1
        }
    done
    "$BIN" sim --listen 127.0.0.1:0 "${args[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    SIM_PIDS+=($!)
    local line=""
    for _ in $(seq 100); do
        line=$(head -n1 "$WORK/$name.out")
        [ -n "$line" ] && break
        sleep 0.1
    done
    # "punchclock sim: 1 device listening on 127.0.0.1:PORT (tcp+udp)"
    SIM_PORT=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) (tcp+udp)$/\1/p' <<<"$line")
    if [ -z "$SIM_PORT" ]; then
        echo "interop: simulator $name did not start: ${line:-no output}"
        cat "$WORK/$name.err"
        exit 1
    fi
    echo "sim $name on port $SIM_PORT: $*"
}

# pyzk_check LABEL EXPECTED.json PYZK-ARGS...: pull with pyzk, compare.
pyzk_check() {
    local label=$1 expected=$2
    shift 2
    local out="$WORK/pull.json"
    if ! timeout 120 "$PY" "$HERE/pyzk_pull.py" "$@" >"$out" 2>"$WORK/pull.err"; then
        fail "$label: $(tr '\n' ' ' <"$WORK/pull.err")"
    elif "$PY" "$HERE/compare.py" "$expected" "$out"; then
        if grep -q "retry:" "$WORK/pull.err"; then
            ok "$label (after retry)"
        else
            ok "$label"
        fi
    else
        fail "$label"
    fi
}

# pyzk_refused LABEL PYZK-ARGS...: pyzk must fail with "Unauthenticated".
pyzk_refused() {
    local label=$1
    shift
    if timeout 60 "$PY" "$HERE/pyzk_pull.py" "$@" >/dev/null 2>"$WORK/pull.err"; then
        fail "$label: pyzk got in"
    elif grep -q Unauthenticated "$WORK/pull.err"; then
        ok "$label"
    else
        fail "$label: $(tr '\n' ' ' <"$WORK/pull.err")"
    fi
}

# --- the punchclock client against the same simulators ----------------------
# `punchclock device users|punches --json` must return exactly the device's
# data too. Called once per simulator with: NAME PORT [COMM_KEY].
# (Maintainers: the place to extend client-side interop checks.)
punchclock_client_checks() {
    local name=$1 port=$2 key=${3:-}
    local t what ignore
    for t in tcp udp; do
        for what in users punches; do
            # 16-byte UDP punch records carry no uid; the CLI reports 0.
            ignore=()
            [ "$t" = udp ] && [ "$what" = punches ] && ignore=(--ignore uid)
            if ! timeout 120 "$BIN" device "$what" --host 127.0.0.1 --port "$port" \
                --transport "$t" ${key:+--comm-key "$key"} --json \
                >"$WORK/pc.json" 2>"$WORK/pc.err"; then
                fail "punchclock $t $what ($name): $(tail -n 3 "$WORK/pc.err" | tr '\n' ' ')"
            elif "$PY" "$HERE/compare.py" "${ignore[@]}" "$WORK/$name.$what.json" "$WORK/pc.json"; then
                ok "punchclock $t $what ($name)"
            else
                fail "punchclock $t $what ($name)"
            fi
        done
        if [ -n "$key" ]; then
            if timeout 60 "$BIN" device users --host 127.0.0.1 --port "$port" --transport "$t" \
                --comm-key $((key + 1)) --json >/dev/null 2>"$WORK/pc.err"; then
                fail "punchclock $t wrong comm key refused ($name): it got in"
            else
                ok "punchclock $t wrong comm key refused ($name)"
            fi
        fi
    done
}

# Chunked reads: users and punches exceed the inline limit over both
# transports (UDP users 40 x 28 B; TCP punches span two 65472-byte chunks).
start_sim plain --seed 7 --users 40 --punches 3000 --frame-gap-ms "$GAP"
P=$SIM_PORT
for t in tcp udp; do
    flag=$([ $t = udp ] && echo --udp)
    pyzk_check "pyzk $t users (chunked)" "$WORK/plain.users.json" --port "$P" $flag --what users
    pyzk_check "pyzk $t punches (chunked)" "$WORK/plain.punches.json" --port "$P" $flag --what punches
    pyzk_check "pyzk $t identity" "$WORK/plain.info.json" --port "$P" $flag --what info
done
punchclock_client_checks plain "$P"

# Comm key: right key gets the data, a wrong or missing one is refused.
start_sim keyed --seed 8 --users 40 --punches 500 --comm-key 123456 --frame-gap-ms "$GAP"
P=$SIM_PORT
for t in tcp udp; do
    flag=$([ $t = udp ] && echo --udp)
    pyzk_check "pyzk $t users with comm key" "$WORK/keyed.users.json" --port "$P" $flag --password 123456 --what users
    pyzk_check "pyzk $t punches with comm key" "$WORK/keyed.punches.json" --port "$P" $flag --password 123456 --what punches
    pyzk_refused "pyzk $t wrong comm key refused" --port "$P" $flag --password 654321 --what users
    pyzk_refused "pyzk $t missing comm key refused" --port "$P" $flag --what users
done
punchclock_client_checks keyed "$P" 123456

# Small tables come inline (CMD_DATA in answer to PREPARE_BUFFER).
start_sim small --seed 9 --users 5 --punches 10
P=$SIM_PORT
for t in tcp udp; do
    flag=$([ $t = udp ] && echo --udp)
    pyzk_check "pyzk $t users (inline)" "$WORK/small.users.json" --port "$P" $flag --what users
    pyzk_check "pyzk $t punches (inline)" "$WORK/small.punches.json" --port "$P" $flag --what punches
done
punchclock_client_checks small "$P"

echo "interop: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
