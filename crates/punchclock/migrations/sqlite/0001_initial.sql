-- Punchclock schema (SQLite). Keep in step with migrations/postgres.
-- Timestamps are unix seconds (UTC); device wall-clock times are TEXT
-- 'YYYY-MM-DDTHH:MM:SS'. AUTOINCREMENT so ids of deleted rows are never
-- reused (logs and URLs keep pointing at the right thing).

CREATE TABLE companies (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT    NOT NULL,
    timezone              TEXT    NOT NULL,
    poll_interval_minutes INTEGER NOT NULL DEFAULT 30 CHECK (poll_interval_minutes > 0),
    plan                  TEXT    NOT NULL,
    seats                 INTEGER NOT NULL CHECK (seats >= 0),
    trial_ends_at         INTEGER,
    blocked               BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            INTEGER NOT NULL
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('owner')),
    created_at    INTEGER NOT NULL
);
CREATE INDEX accounts_company ON accounts (company_id);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT    NOT NULL UNIQUE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE devices (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id            INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name                  TEXT    NOT NULL,
    host                  TEXT    NOT NULL,
    port                  INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    comm_key              INTEGER,
    transport             TEXT    NOT NULL DEFAULT 'auto' CHECK (transport IN ('auto', 'tcp', 'udp')),
    timezone              TEXT,
    enabled               BOOLEAN NOT NULL DEFAULT TRUE,
    poll_interval_minutes INTEGER CHECK (poll_interval_minutes > 0),
    serial_number         TEXT,
    device_name           TEXT,
    platform              TEXT,
    firmware              TEXT,
    mac                   TEXT,
    user_count            INTEGER,
    punch_count           INTEGER,
    user_capacity         INTEGER,
    punch_capacity        INTEGER,
    clock_drift_seconds   INTEGER,
    status                TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'online', 'offline')),
    last_attempt_at       INTEGER,
    last_seen_at          INTEGER,
    last_error            TEXT,
    next_poll_at          INTEGER NOT NULL,
    history_pulled        BOOLEAN NOT NULL DEFAULT FALSE,
    lease_owner           TEXT,
    lease_until           INTEGER,
    created_at            INTEGER NOT NULL,
    UNIQUE (company_id, id)
);
-- The poller's "what is due" scan.
CREATE INDEX devices_due ON devices (next_poll_at) WHERE enabled;

CREATE TABLE device_logs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id     INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    device_id      INTEGER NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('sync', 'test')),
    started_at     INTEGER NOT NULL,
    duration_ms    INTEGER NOT NULL CHECK (duration_ms >= 0),
    host           TEXT    NOT NULL,
    address        TEXT,
    transport_used TEXT    CHECK (transport_used IN ('auto', 'tcp', 'udp')),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('ok', 'failed')),
    users_read     INTEGER NOT NULL DEFAULT 0,
    punches_read   INTEGER NOT NULL DEFAULT 0,
    punches_new    INTEGER NOT NULL DEFAULT 0,
    employees_new  INTEGER NOT NULL DEFAULT 0,
    reason         TEXT,
    serial_number  TEXT,
    -- Composite key: a log row can only point at a device of its own company.
    FOREIGN KEY (company_id, device_id) REFERENCES devices (company_id, id) ON DELETE CASCADE
);
CREATE INDEX device_logs_device ON device_logs (device_id, started_at);

CREATE TABLE employees (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id       INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    enroll_id        TEXT    NOT NULL CHECK (enroll_id <> ''),
    name_from_device TEXT,
    first_name       TEXT,
    last_name        TEXT,
    designation      TEXT,
    email            TEXT,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (company_id, enroll_id),
    UNIQUE (company_id, id)
);

CREATE TABLE punches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No FK on company_id: the (company_id, employee_id) key below implies it,
    -- and every FK costs a lookup per inserted punch.
    company_id    INTEGER NOT NULL,
    employee_id   INTEGER NOT NULL,
    enroll_id     TEXT    NOT NULL,
    -- Deleting a device keeps its punches.
    device_id     INTEGER REFERENCES devices (id) ON DELETE SET NULL,
    device_serial TEXT    NOT NULL,
    device_time   TEXT    NOT NULL,
    punched_at    INTEGER NOT NULL,
    status        INTEGER NOT NULL,
    punch_type    INTEGER NOT NULL,
    uid           INTEGER NOT NULL,
    -- Informational; Store::delete_device clears it with the device's logs.
    device_log_id INTEGER,
    created_at    INTEGER NOT NULL,
    FOREIGN KEY (company_id, employee_id) REFERENCES employees (company_id, id) ON DELETE CASCADE,
    -- Identity of a punch: never the device row id or its address.
    UNIQUE (company_id, device_serial, enroll_id, device_time)
);
CREATE INDEX punches_company_time ON punches (company_id, punched_at);
CREATE INDEX punches_employee_time ON punches (employee_id, punched_at);
CREATE INDEX punches_device ON punches (device_id);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL,
    from_value TEXT,
    to_value   TEXT,
    detail     TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_events_company ON audit_events (company_id, created_at);
