# shellcheck shell=bash
# Throwaway PostgreSQL for the store tests. Meant to be sourced:
#
#   source .ci/postgres.sh      # exports PUNCHCLOCK_TEST_POSTGRES_URL
#   cargo test -p punchclock --test store
#   pg_test_stop                # or let the EXIT trap do it
#
# Installs Debian's postgresql when missing, runs initdb in a temp dir as
# the postgres user, listens on 127.0.0.1:$PUNCHCLOCK_PG_PORT (default
# 5433) with trust auth and its socket inside the temp dir. Durability is
# switched off (fsync etc.): this cluster only ever holds test data.
# Sourced, so it uses `return`, never `exit`, and does not change shell
# options.

PUNCHCLOCK_PG_PORT="${PUNCHCLOCK_PG_PORT:-5433}"

# Newest server binaries; Debian keeps them under /usr/lib/postgresql/*/bin.
__pg_find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
    elif command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
    fi
}

# Runs a command as the postgres user (initdb refuses to run as root).
__pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_test_stop() {
    if [ -n "${PUNCHCLOCK_PG_DIR:-}" ] && [ -d "$PUNCHCLOCK_PG_DIR/data" ]; then
        __pg_as_owner "$PUNCHCLOCK_PG_BIN/pg_ctl" -D "$PUNCHCLOCK_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PUNCHCLOCK_PG_DIR"
    fi
    unset PUNCHCLOCK_PG_DIR
}

__pg_start() {
    PUNCHCLOCK_PG_BIN=$(__pg_find_bin)
    if [ -z "$PUNCHCLOCK_PG_BIN" ]; then
        echo "postgres.sh: installing postgresql" >&2
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >&2 || return 1
        PUNCHCLOCK_PG_BIN=$(__pg_find_bin)
    fi
    if [ -z "$PUNCHCLOCK_PG_BIN" ]; then
        echo "postgres.sh: pg_ctl not found after install" >&2
        return 1
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "postgres.sh: running as root but there is no postgres user" >&2
        return 1
    fi

    PUNCHCLOCK_PG_DIR=$(mktemp -d /tmp/punchclock-pg.XXXXXX) || return 1
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PUNCHCLOCK_PG_DIR" || return 1
    fi

    if ! __pg_as_owner "$PUNCHCLOCK_PG_BIN/initdb" -D "$PUNCHCLOCK_PG_DIR/data" -U postgres \
        -A trust -E UTF8 --locale=C --no-sync >"$PUNCHCLOCK_PG_DIR/initdb.log" 2>&1; then
        echo "postgres.sh: initdb failed:" >&2
        cat "$PUNCHCLOCK_PG_DIR/initdb.log" >&2
        pg_test_stop
        return 1
    fi

    if ! __pg_as_owner "$PUNCHCLOCK_PG_BIN/pg_ctl" -D "$PUNCHCLOCK_PG_DIR/data" \
        -l "$PUNCHCLOCK_PG_DIR/server.log" -w -t 60 \
        -o "-p $PUNCHCLOCK_PG_PORT -k $PUNCHCLOCK_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        echo "postgres.sh: server did not start:" >&2
        cat "$PUNCHCLOCK_PG_DIR/server.log" >&2
        pg_test_stop
        return 1
    fi

    local tries=0
    until "$PUNCHCLOCK_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PUNCHCLOCK_PG_PORT"; do
        tries=$((tries + 1))
        if [ "$tries" -ge 60 ]; then
            echo "postgres.sh: server not ready after 30s" >&2
            pg_test_stop
            return 1
        fi
        sleep 0.5
    done

    export PUNCHCLOCK_PG_DIR PUNCHCLOCK_PG_BIN
    export PUNCHCLOCK_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PUNCHCLOCK_PG_PORT/postgres"
    echo "postgres.sh: PostgreSQL ready at $PUNCHCLOCK_TEST_POSTGRES_URL (data in $PUNCHCLOCK_PG_DIR)" >&2

    # Stop on exit, keeping whatever EXIT trap the caller already had.
    # `trap -p` prints the command shell-quoted; eval unquotes it.
    local previous=""
    eval "previous=$(trap -p EXIT | sed -E 's/^trap -- (.*) EXIT$/\1/')"
    # shellcheck disable=SC2064
    trap "pg_test_stop${previous:+; $previous}" EXIT
}

if [ -n "${PUNCHCLOCK_PG_DIR:-}" ] && [ -d "$PUNCHCLOCK_PG_DIR/data" ]; then
    echo "postgres.sh: already running (data in $PUNCHCLOCK_PG_DIR)" >&2
else
    __pg_start
fi
