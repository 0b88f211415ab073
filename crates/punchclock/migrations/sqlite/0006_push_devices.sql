-- Push mode (issue 13): devices that call us over HTTP (ADMS / iclock).
-- Keep in step with migrations/postgres/0006_push_devices.sql.

-- How the device is reached: polled by us, or calling us.
ALTER TABLE devices ADD COLUMN mode TEXT NOT NULL DEFAULT 'poll' CHECK (mode IN ('poll', 'push'));
-- The serial number a company claimed for push (upper case). Kept across
-- mode switches; one company only, whatever the mode.
ALTER TABLE devices ADD COLUMN push_serial TEXT;
-- Where the device's requests come from, and an address refused while
-- lock_source is on, waiting for the owner to accept it.
ALTER TABLE devices ADD COLUMN source_address TEXT;
ALTER TABLE devices ADD COLUMN pending_source_address TEXT;
ALTER TABLE devices ADD COLUMN lock_source BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE devices ADD COLUMN push_last_seen INTEGER;
ALTER TABLE devices ADD COLUMN push_handshake_at INTEGER;
-- SHA-256 of the pushcommkey / ComKey / 3.x authKey bound on first claim.
ALTER TABLE devices ADD COLUMN push_key_hash TEXT;
-- What the handshake said and what we answered.
ALTER TABLE devices ADD COLUMN push_version TEXT;
ALTER TABLE devices ADD COLUMN push_language INTEGER;
ALTER TABLE devices ADD COLUMN push_delay_seconds INTEGER;
ALTER TABLE devices ADD COLUMN attlog_stamp TEXT;
ALTER TABLE devices ADD COLUMN operlog_stamp TEXT;
-- 3.x registration: the code we issued and the session of the last config.
ALTER TABLE devices ADD COLUMN registry_code TEXT;
ALTER TABLE devices ADD COLUMN push_session_id TEXT;
CREATE UNIQUE INDEX devices_push_serial ON devices (push_serial);

-- What a push device called (handshake, attlog, …); NULL for polls.
ALTER TABLE device_logs ADD COLUMN push_call TEXT;
-- What the device reported beyond counts (operations, commands run).
ALTER TABLE device_logs ADD COLUMN detail TEXT;

-- Commands queued for push devices, handed out on getrequest and
-- finished by their devicecmd result.
CREATE TABLE push_commands (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id  INTEGER NOT NULL,
    device_id   INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('set_clock', 'query_attlog', 'query_users', 'update_user')),
    -- JSON arguments of the kind.
    args        TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'done', 'failed')),
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    finished_at INTEGER,
    return_code INTEGER,
    result      TEXT,
    FOREIGN KEY (company_id, device_id) REFERENCES devices (company_id, id) ON DELETE CASCADE
);
CREATE INDEX push_commands_device ON push_commands (device_id, state, id);

-- Serials that called without being claimed by any company: shown to the
-- operator (`punchclock push unclaimed`), capped in number.
CREATE TABLE push_unclaimed (
    serial_number  TEXT    PRIMARY KEY,
    source_address TEXT    NOT NULL,
    first_seen     INTEGER NOT NULL,
    last_seen      INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    push_version   TEXT,
    device_type    TEXT
);
CREATE INDEX push_unclaimed_last_seen ON push_unclaimed (last_seen);
