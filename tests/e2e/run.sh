#!/usr/bin/env bash
# Headless-browser test of the web UI against the real binary.
#
#   tests/e2e/run.sh <path-to-punchclock-binary>
#
# Installs what it needs if missing (npm's playwright-core, Debian's chromium;
# never a downloaded browser), starts a fresh `punchclock serve` on a free
# port with a temporary data directory (and a second one whose trials end
# at once; a third, for the security pages, with rate limits for a test's
# pace; the first and the third send mail to a small SMTP server,
# smtp_sink.py, whose mails the test reads),
# `punchclock sim` devices (one over the trial's seats, one with
# CP1252 names and a fast clock, one with GB2312 names), runs e2e.mjs,
# cleans up, and ends with "e2e: N passed, M failed".
# Screenshots are kept in $E2E_SHOT_DIR (default: a new temporary folder).
set -euo pipefail

BIN_ARG="${1:?usage: tests/e2e/run.sh <path-to-punchclock-binary>}"
BIN="$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")"
[ -x "$BIN" ] || { echo "e2e: $BIN is not an executable" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# ---- dependencies ----
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  echo "e2e: installing npm dependencies"
  (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
    || (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  CHROMIUM=/usr/bin/chromium
fi

# ---- a fresh service and a simulated device ----
WORK="$(mktemp -d -t punchclock-e2e.XXXXXX)"
SHOT_DIR="${E2E_SHOT_DIR:-$(mktemp -d -t punchclock-shots.XXXXXX)}"
mkdir -p "$SHOT_DIR"
SERVE_PID=""
SIM_PID=""
BIG_SIM_PID=""
OTHER_PIDS=""

cleanup() {
  for pid in $SERVE_PID $SIM_PID $BIG_SIM_PID $OTHER_PIDS; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $SERVE_PID $SIM_PID $BIG_SIM_PID $OTHER_PIDS; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Wait until something accepts TCP connections on 127.0.0.1:$1.
wait_port() {
  local port="$1" what="$2" log="$3" pid="$4"
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: $what exited early:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "e2e: $what did not start listening on port $port:" >&2
  cat "$log" >&2
  return 1
}

# Distinct free ports, one per name given.
TAKEN=""
for name in WEB_PORT SIM_PORT BIG_SIM_PORT LEGACY_SIM_PORT GBK_SIM_PORT TRIAL_WEB_PORT SEC_WEB_PORT SMTP_PORT; do
  p="$(free_port)"
  while [[ " $TAKEN " == *" $p "* ]]; do p="$(free_port)"; done
  TAKEN="$TAKEN $p"
  printf -v "$name" '%s' "$p"
done

# Simulated clocks keep UTC, so their drift against a company zone is known.
export TZ=UTC
"$BIN" sim --listen "127.0.0.1:$SIM_PORT" --devices 1 --users 10 --punches 400 --seed 7 \
  >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
# A device with 12 users: one more than the trial's 10 seats allow.
"$BIN" sim --listen "127.0.0.1:$BIG_SIM_PORT" --devices 1 --users 12 --punches 120 --seed 11 \
  >"$WORK/big-sim.log" 2>&1 &
BIG_SIM_PID=$!
# An older clock: names in CP1252, its clock 12 min 34 s fast.
"$BIN" sim --listen "127.0.0.1:$LEGACY_SIM_PORT" --devices 1 --users 2 --punches 30 --seed 5 \
  --name-encoding cp1252 --name "1=Núñez" --name "2=José Müller" --clock-offset-seconds 754 \
  >"$WORK/legacy-sim.log" 2>&1 &
OTHER_PIDS="$OTHER_PIDS $!"
# A Chinese clock: names in GB2312, no language reported.
"$BIN" sim --listen "127.0.0.1:$GBK_SIM_PORT" --devices 1 --users 0 --punches 0 \
  --name-encoding gbk --name "911=王小明" --name "912=李娜" \
  >"$WORK/gbk-sim.log" 2>&1 &
OTHER_PIDS="$OTHER_PIDS $!"

# An SMTP server on loopback that keeps each mail as a file in $MAIL_DIR.
MAIL_DIR="$WORK/mail"
mkdir -p "$MAIL_DIR"
python3 "$HERE/smtp_sink.py" "$MAIL_DIR" "$SMTP_PORT" >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
OTHER_PIDS="$OTHER_PIDS $SMTP_PID"

# From $WORK, so no punchclock.toml of the caller's is picked up.
(cd "$WORK" && exec env -u PUNCHCLOCK_DATABASE_URL \
  PUNCHCLOCK_ALLOW_PRIVATE_DEVICE_ADDRESSES=true \
  PUNCHCLOCK_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT?tls=none" \
  PUNCHCLOCK_MAIL_FROM="Punchclock <reports@e2e.test>" \
  PUNCHCLOCK_PUBLIC_URL="http://127.0.0.1:$WEB_PORT" \
  PUNCHCLOCK_PUBLIC_ADDRESS="${E2E_PUBLIC_ADDRESS:-198.51.100.20}" \
  RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" serve --listen "127.0.0.1:$WEB_PORT" --data-dir "$WORK/data" \
  >"$WORK/serve.log" 2>&1) &
SERVE_PID=$!
# A second service whose trials end at once, so a plan can be changed both ways.
(cd "$WORK" && exec env -u PUNCHCLOCK_DATABASE_URL PUNCHCLOCK_TRIAL_DAYS=0 \
  RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" serve --listen "127.0.0.1:$TRIAL_WEB_PORT" --data-dir "$WORK/trial-data" \
  >"$WORK/trial-serve.log" 2>&1) &
TRIAL_SERVE_PID=$!
OTHER_PIDS="$OTHER_PIDS $TRIAL_SERVE_PID"

# A third service that sends mail (to the same sink), for the account
# security and password reset pages.
# Its checks sign in, sign up and reset more often than a person would.
cat >"$WORK/sec.toml" <<'TOML'
rate_limits = { per_ip_per_minute = 1000, per_account_per_hour = 1000, device_contacts_per_company_per_minute = 20 }
TOML
(cd "$WORK" && exec env -u PUNCHCLOCK_DATABASE_URL \
  PUNCHCLOCK_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT?tls=none" \
  PUNCHCLOCK_MAIL_FROM="Punchclock <punchclock@e2e.example.com>" \
  PUNCHCLOCK_PUBLIC_URL="http://127.0.0.1:$SEC_WEB_PORT" \
  RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" serve --config "$WORK/sec.toml" --listen "127.0.0.1:$SEC_WEB_PORT" --data-dir "$WORK/sec-data" \
  >"$WORK/sec-serve.log" 2>&1) &
SEC_SERVE_PID=$!
OTHER_PIDS="$OTHER_PIDS $SEC_SERVE_PID"

if ! wait_port "$SIM_PORT" "punchclock sim" "$WORK/sim.log" "$SIM_PID" ||
  ! wait_port "$SEC_WEB_PORT" "punchclock serve (with mail)" "$WORK/sec-serve.log" "$SEC_SERVE_PID" ||
  ! wait_port "$BIG_SIM_PORT" "punchclock sim (12 users)" "$WORK/big-sim.log" "$BIG_SIM_PID" ||
  ! wait_port "$LEGACY_SIM_PORT" "punchclock sim (CP1252)" "$WORK/legacy-sim.log" "$(echo $OTHER_PIDS | cut -d' ' -f1)" ||
  ! wait_port "$SMTP_PORT" "smtp_sink.py" "$WORK/smtp.log" "$SMTP_PID" ||
  ! wait_port "$WEB_PORT" "punchclock serve" "$WORK/serve.log" "$SERVE_PID" ||
  ! wait_port "$TRIAL_WEB_PORT" "punchclock serve (no trial)" "$WORK/trial-serve.log" "$TRIAL_SERVE_PID"; then
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi
echo "e2e: serve on 127.0.0.1:$WEB_PORT, sim on 127.0.0.1:$SIM_PORT ($(head -n1 "$WORK/sim.log"))"

# ---- the test ----
status=0
PC_URL="http://127.0.0.1:$WEB_PORT" SIM_PORT="$SIM_PORT" SIM_PID="$SIM_PID" BIG_SIM_PORT="$BIG_SIM_PORT" \
  LEGACY_SIM_PORT="$LEGACY_SIM_PORT" GBK_SIM_PORT="$GBK_SIM_PORT" \
  TRIAL_URL="http://127.0.0.1:$TRIAL_WEB_PORT" MAIL_DIR="$MAIL_DIR" \
  SEC_URL="http://127.0.0.1:$SEC_WEB_PORT" \
  PC_BIN="$BIN" SHOT_DIR="$SHOT_DIR" CHROMIUM="$CHROMIUM" \
  node "$HERE/e2e.mjs" >"$WORK/e2e.out" 2>&1 || status=$?
grep -v '^e2e: [0-9]* passed' "$WORK/e2e.out" || true

if [ "$status" -ne 0 ]; then
  echo "---- serve log (last 40 lines) ----"
  tail -n 40 "$WORK/serve.log" || true
  echo "---- serve log of the service with mail (last 20 lines) ----"
  tail -n 20 "$WORK/sec-serve.log" || true
  echo "---- sim log (last 20 lines) ----"
  tail -n 20 "$WORK/sim.log" || true
fi
# The summary stays the last line.
summary="$(grep '^e2e: [0-9]* passed' "$WORK/e2e.out" | tail -n 1 || true)"
echo "${summary:-e2e: 0 passed, 1 failed}"
exit "$status"
