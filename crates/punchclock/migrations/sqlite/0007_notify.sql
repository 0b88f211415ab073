-- Issue 12: telling people (mail, end-of-day reports, alerts, webhooks),
-- real-time capture and device care. Keep in step with
-- migrations/postgres/0007_notify.sql.

-- Per-company settings of reports, alert rules and device care. A company
-- without a row has the defaults written here.
CREATE TABLE notify_settings (
    company_id              INTEGER PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    -- "HH:MM" in the company's zone.
    report_time             TEXT    NOT NULL DEFAULT '19:00',
    offline_alert           BOOLEAN NOT NULL DEFAULT TRUE,
    offline_after_polls     INTEGER NOT NULL DEFAULT 3 CHECK (offline_after_polls BETWEEN 1 AND 100),
    drift_alert             BOOLEAN NOT NULL DEFAULT TRUE,
    drift_threshold_seconds INTEGER NOT NULL DEFAULT 120 CHECK (drift_threshold_seconds BETWEEN 10 AND 86400),
    log_full_alert          BOOLEAN NOT NULL DEFAULT TRUE,
    log_full_percent        INTEGER NOT NULL DEFAULT 80 CHECK (log_full_percent BETWEEN 1 AND 100),
    seat_alert              BOOLEAN NOT NULL DEFAULT TRUE,
    -- Device care: opt-in automatic actions, each audit-logged.
    auto_set_clock          BOOLEAN NOT NULL DEFAULT FALSE,
    auto_rotate_log         BOOLEAN NOT NULL DEFAULT FALSE,
    auto_rotate_percent     INTEGER NOT NULL DEFAULT 90 CHECK (auto_rotate_percent BETWEEN 50 AND 100),
    updated_at              INTEGER NOT NULL
);

-- Who gets mail, and addresses that bounced (with the server's words).
ALTER TABLE employees ADD COLUMN daily_report BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE employees ADD COLUMN email_bounce TEXT;
ALTER TABLE employees ADD COLUMN email_bounced_at INTEGER;
ALTER TABLE accounts ADD COLUMN daily_summary BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN alert_mail BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN email_bounce TEXT;
ALTER TABLE accounts ADD COLUMN email_bounced_at INTEGER;

-- Real-time capture: the setting, and how the live connection stands
-- ('connected', 'refused', 'retrying'; NULL when not realtime).
ALTER TABLE devices ADD COLUMN realtime BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE devices ADD COLUMN live_state TEXT;
ALTER TABLE devices ADD COLUMN live_since INTEGER;

-- Mail to send, written in the transaction of the event that causes it.
-- A worker leases due rows, sends, and marks them; Message-ID is fixed at
-- enqueue time, so a resend after a crash carries the same id.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id      INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    -- One mail per key (e.g. a day's report to one person); NULL: no key.
    dedupe_key      TEXT    UNIQUE,
    recipient       TEXT    NOT NULL,
    employee_id     INTEGER,
    account_id      INTEGER,
    message_id      TEXT    NOT NULL UNIQUE,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    unsubscribe_url TEXT,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'bounced', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_company ON mail_outbox (company_id, id);

-- Unsubscribe links: only a hash of each token is kept.
CREATE TABLE mail_unsubscribes (
    token_hash  TEXT    PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    employee_id INTEGER,
    account_id  INTEGER,
    list        TEXT    NOT NULL CHECK (list IN ('daily_report', 'daily_summary', 'alerts')),
    created_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- One end-of-day run per company and local day, whichever instance wins.
CREATE TABLE report_runs (
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    instance   TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    mails      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, day)
);

-- Device health alerts. At most one open alert per rule and subject
-- ('device:<id>' or 'company').
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id      INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    device_id       INTEGER REFERENCES devices (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('offline', 'clock_drift', 'log_full', 'seat_limit')),
    subject         TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    opened_at       INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    resolved_at     INTEGER,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX alerts_open ON alerts (company_id, kind, subject) WHERE resolved_at IS NULL;
CREATE INDEX alerts_company ON alerts (company_id, opened_at);
CREATE INDEX alerts_device ON alerts (device_id, opened_at);

-- Webhook endpoints and their deliveries (an outbox per endpoint).
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL,
    -- The HMAC signing key, shown once when the endpoint is added.
    secret     TEXT    NOT NULL,
    -- Space-separated event names.
    events     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (company_id, id)
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id      INTEGER NOT NULL,
    webhook_id      INTEGER NOT NULL,
    event           TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    -- Deliveries with one key go out in id order ('device:<id>' or 'company').
    ordering_key    TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    give_up_at      INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    -- The next attempt was asked for by hand ("Resend").
    manual          BOOLEAN NOT NULL DEFAULT FALSE,
    FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, ordering_key, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (webhook_id, id);

-- Every attempt, automatic or by hand.
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    status       INTEGER,
    error        TEXT,
    manual       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- punch.created: the last punch id turned into deliveries, per company.
CREATE TABLE webhook_cursors (
    company_id    INTEGER PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    last_punch_id INTEGER NOT NULL
);

-- What happened to a device besides polls: live capture, clock set, log
-- rotated, names written. Shown with its log.
CREATE TABLE device_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    device_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('ok', 'failed')),
    message    TEXT    NOT NULL,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    at         INTEGER NOT NULL,
    FOREIGN KEY (company_id, device_id) REFERENCES devices (company_id, id) ON DELETE CASCADE
);
CREATE INDEX device_events_device ON device_events (device_id, id);
