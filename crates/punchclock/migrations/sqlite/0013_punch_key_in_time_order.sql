-- The punch key in time order (issue 10 §3, ingest speed). A punch is
-- still identified by (company, device serial, device time, enroll id);
-- only the column order of its unique index changes, so a device's new
-- punches, which come in time order, append at the end of the key instead
-- of landing on one leaf page per enroll id. Every ON CONFLICT on punches
-- names the new order (store/punch_ingest.rs, store/corrections.rs).
-- SQLite cannot change a table's UNIQUE constraint in place, so the table
-- is rebuilt, keeping every id and the AUTOINCREMENT high-water mark
-- (webhook cursors compare ids); PostgreSQL does the same statements.
-- The other indexes stay as they were (bench/README.md, "Ingest speed",
-- has what each costs an insert). Keep in step with migrations/postgres.
CREATE TABLE punches_new (
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
    manual        BOOLEAN NOT NULL DEFAULT FALSE,
    voided        BOOLEAN NOT NULL DEFAULT FALSE,
    FOREIGN KEY (company_id, employee_id) REFERENCES employees (company_id, id) ON DELETE CASCADE,
    -- Identity of a punch: never the device row id or its address.
    UNIQUE (company_id, device_serial, device_time, enroll_id)
);

-- Ids are never reused: the new table's counter starts where the old one was.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'punches_new', seq FROM sqlite_sequence WHERE name = 'punches';

INSERT INTO punches_new (id, company_id, employee_id, enroll_id, device_id, device_serial,
        device_time, punched_at, status, punch_type, uid, device_log_id, created_at, manual, voided)
    SELECT id, company_id, employee_id, enroll_id, device_id, device_serial,
        device_time, punched_at, status, punch_type, uid, device_log_id, created_at, manual, voided
    FROM punches ORDER BY id;

DROP TABLE punches;
ALTER TABLE punches_new RENAME TO punches;

CREATE INDEX punches_company_time ON punches (company_id, punched_at);
CREATE INDEX punches_employee_time ON punches (employee_id, punched_at);
CREATE INDEX punches_device ON punches (device_id);
