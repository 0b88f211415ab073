#!/usr/bin/env bash
# Schemathesis against the served OpenAPI document of a real `punchclock
# serve`, with a real token (signed up first).
#
#   tests/schemathesis/run.sh PATH/TO/punchclock
#
# Checks: no server errors, every status and content type documented, every
# response matching its schema, and what the document forbids refused.
# A fixed example budget keeps the step under 3 minutes on 2 cores: the
# examples and coverage phases are deterministic (about 2,500 cases: every
# documented example, boundary and missing or wrong-typed field), and the
# fuzzing phase adds at most SCHEMATHESIS_EXAMPLES (default 50) random
# cases per operation, from a fixed seed. 50 took the step from about 11
# minutes (at 300) to about 2; raise it for a longer hunt by hand.
#
# Everything runs in a network namespace of its own with only loopback
# (`unshare -n`, as root), so the devices schemathesis invents (any host) can
# never be contacted: the poller finds no route. Without that isolation the
# run refuses to start. Ends with "schemathesis: N passed, M failed".
set -euo pipefail

BIN_ARG="${1:?usage: tests/schemathesis/run.sh PATH/TO/punchclock}"
BIN="$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${SCHEMATHESIS_VENV:-/tmp/punchclock-schemathesis-venv}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-50}"

if ! "$VENV/bin/schemathesis" --version >/dev/null 2>&1; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
# Work around a CPython 3.11 parser bug that Hypothesis trips over (see
# ast_guard.py); a no-op on later Pythons.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp "$HERE/ast_guard.py" "$site/punchclock_ast_guard.py"
echo 'import punchclock_ast_guard' > "$site/punchclock_ast_guard.pth"

if [ "${PUNCHCLOCK_ISOLATED:-}" != 1 ]; then
    # Re-run inside a fresh network namespace with only loopback up.
    exec unshare --net -- env PUNCHCLOCK_ISOLATED=1 bash -c \
        'ip link set lo up && exec "$0" "$@"' "$0" "$BIN"
fi

WORK="$(mktemp -d -t punchclock-schemathesis.XXXXXX)"
SERVE_PID=""
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=18080
"$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
BASE="http://127.0.0.1:$PORT/api/v1"
# Wait for the server, then sign up twice for real tokens: one for the run,
# and a throwaway one (another company) for the operations that end the
# token they are called with, run last on their own.
read -r TOKEN THROWAWAY < <(python3 - "$BASE" <<'PY'
import json, sys, time, urllib.request
base = sys.argv[1]
for _ in range(200):
    try:
        urllib.request.urlopen(base + "/openapi.json", timeout=2).read()
        break
    except OSError:
        time.sleep(0.1)
tokens = []
for n in ("", "-throwaway"):
    body = json.dumps({"company": "Schemathesis" + n,
                       "email": f"owner{n}@schemathesis.example.com",
                       "password": "a long and unusual passphrase", "timezone": "Europe/Berlin"})
    req = urllib.request.Request(base + "/signup", body.encode(), {"content-type": "application/json"})
    tokens.append(json.load(urllib.request.urlopen(req, timeout=10))["token"])
print(*tokens)
PY
)
# Operations that end the token they are called with (log out, log out
# everywhere, revoke a session: the run's own may be the one generated)
# would turn the rest of the run into 401s: the main run leaves them out.
SELF_ENDING=(--exclude-path /logout --exclude-operation-id logoutEverywhere --exclude-operation-id revokeSession)
run_schemathesis() {
    local token=$1 junit=$2
    shift 2
    "$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" run "$BASE/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection \
        --phases examples,coverage,fuzzing \
        --max-examples "$EXAMPLES" \
        --seed 11 \
        --workers 2 \
        --request-timeout 20 \
        --no-color \
        --report junit --report-junit-path "$junit" "$@"
}
set +e
run_schemathesis "$TOKEN" "$WORK/junit.xml" "${SELF_ENDING[@]}" | tee "$WORK/out.txt"
status=${PIPESTATUS[0]}
# Then those, with the throwaway company's token (after the first that
# ends it, they must answer 401 as documented).
run_schemathesis "$THROWAWAY" "$WORK/junit-self-ending.xml" \
    --include-operation-id logoutEverywhere --include-operation-id revokeSession | tee -a "$WORK/out.txt"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
set -e
if grep -q 'panicked' "$WORK/serve.log"; then
    echo "the server panicked:" && grep -A5 panicked "$WORK/serve.log"
    status=1
fi
python3 - "$status" "$WORK/junit.xml" "$WORK/junit-self-ending.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = [c for path in sys.argv[2:] for c in ET.parse(path).getroot().iter("testcase")]
failed = passed = 0
for c in cases:
    if c.find("failure") is not None or c.find("error") is not None:
        failed += 1
    else:
        passed += 1
if sys.argv[1] != "0" and failed == 0:
    failed = 1
print(f"schemathesis: {passed} passed, {failed} failed")
PY
exit "$status"
