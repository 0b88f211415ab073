-- Attendance (issue 8): shifts, holidays, leave, the company's attendance
-- rules, each employee's shift, and corrections (punches added by hand and
-- voided punches). Keep in step with migrations/postgres.
--
-- Attendance days are not stored: they are computed from these rows and
-- the punches on every read (see ARCHITECTURE.md, "Attendance"), so a late
-- punch, a correction or a changed setting shows at once.

-- Times of day are 'HH:MM' on the company's wall clock; weekdays are
-- 'mon,tue,…'. Values are validated by attendance::Shift::parse first.
CREATE TABLE shifts (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id            INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name                  TEXT    NOT NULL CHECK (name <> ''),
    start_time            TEXT    NOT NULL,
    end_time              TEXT    NOT NULL,
    weekdays              TEXT    NOT NULL,
    late_grace_minutes    INTEGER NOT NULL CHECK (late_grace_minutes >= 0),
    early_grace_minutes   INTEGER NOT NULL CHECK (early_grace_minutes >= 0),
    window_before_minutes INTEGER NOT NULL CHECK (window_before_minutes >= 0),
    window_after_minutes  INTEGER NOT NULL CHECK (window_after_minutes >= 0),
    break_minutes         INTEGER NOT NULL CHECK (break_minutes >= 0),
    break_after_minutes   INTEGER NOT NULL CHECK (break_after_minutes >= 0),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    UNIQUE (company_id, name),
    UNIQUE (company_id, id)
);

-- The rules, per company. Durations are whole seconds; NULL turns a
-- threshold off. The service refuses a shift of another company, and a
-- shift still in use is never deleted (SET NULL is only a safety net).
ALTER TABLE companies ADD COLUMN default_shift_id INTEGER REFERENCES shifts (id) ON DELETE SET NULL;
ALTER TABLE companies ADD COLUMN double_tap_seconds INTEGER NOT NULL DEFAULT 120 CHECK (double_tap_seconds >= 0);
ALTER TABLE companies ADD COLUMN punch_status_reliable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE companies ADD COLUMN min_rest_seconds INTEGER NOT NULL DEFAULT 14400 CHECK (min_rest_seconds > 0);
ALTER TABLE companies ADD COLUMN weekly_overtime_seconds INTEGER CHECK (weekly_overtime_seconds > 0);
ALTER TABLE companies ADD COLUMN absent_below_seconds INTEGER CHECK (absent_below_seconds >= 0);
ALTER TABLE companies ADD COLUMN half_day_below_seconds INTEGER CHECK (half_day_below_seconds >= 0);

-- An employee's own shift; NULL follows the company default.
ALTER TABLE employees ADD COLUMN shift_id INTEGER REFERENCES shifts (id) ON DELETE SET NULL;
CREATE INDEX employees_shift ON employees (shift_id);

-- Dates are 'YYYY-MM-DD' in the company's zone.
CREATE TABLE holidays (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    date       TEXT    NOT NULL,
    name       TEXT    NOT NULL CHECK (name <> ''),
    created_at INTEGER NOT NULL,
    UNIQUE (company_id, date)
);

CREATE TABLE leave_periods (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id  INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    from_date   TEXT    NOT NULL,
    to_date     TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('vacation', 'sick', 'other')),
    created_at  INTEGER NOT NULL,
    CHECK (from_date <= to_date),
    FOREIGN KEY (company_id, employee_id) REFERENCES employees (company_id, id) ON DELETE CASCADE
);
CREATE INDEX leave_periods_employee ON leave_periods (company_id, employee_id, from_date);

-- Corrections. Raw device columns are never updated: a punch added by hand
-- is a new row (manual, no device), and voiding only sets a flag that
-- unvoiding clears. Who, when and why are in audit_events.
ALTER TABLE punches ADD COLUMN manual BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE punches ADD COLUMN voided BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE audit_events ADD COLUMN punch_id INTEGER;
ALTER TABLE audit_events ADD COLUMN employee_id INTEGER;
CREATE INDEX audit_events_kind ON audit_events (company_id, kind, created_at);

-- The last successful sync of each device, for provisional days.
CREATE INDEX device_logs_last_sync ON device_logs (device_id, kind, outcome, started_at);
