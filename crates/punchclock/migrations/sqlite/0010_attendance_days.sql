-- Attendance days, stored (issue 8 §6). Keep in step with migrations/postgres.
--
-- A row is the engine's result for one employee and date, computed from
-- what was stored when it was written. Every write that can change a day
-- (new punches from a poll or a push, manual punches, voids, shifts, an
-- employee's shift, the company's rules or zone, holidays, leave) deletes
-- the rows it can affect in its own transaction and bumps the company's
-- attendance_epoch; the next read recomputes missing rows and stores them
-- only if the epoch has not moved since it started loading. So a row that
-- exists is current, and a crash or retry can only leave a row missing,
-- never stale (see ARCHITECTURE.md, "Attendance").
ALTER TABLE companies ADD COLUMN attendance_epoch INTEGER NOT NULL DEFAULT 0;

-- Instants are Unix seconds; offsets are recomputed from the company zone.
-- closes_at is when the day's window closes: a read compares it with the
-- devices' last syncs and recomputes a day whose provisional flag is
-- no longer right. flags is the engine's flag bit set.
CREATE TABLE attendance_days (
    company_id             INTEGER NOT NULL,
    employee_id            INTEGER NOT NULL,
    date                   TEXT    NOT NULL,
    shift_id               INTEGER,
    scheduled_start        INTEGER,
    scheduled_end          INTEGER,
    status                 TEXT    NOT NULL,
    first_in               INTEGER,
    last_out               INTEGER,
    worked_seconds         INTEGER NOT NULL,
    break_deducted_seconds INTEGER NOT NULL,
    late_seconds           INTEGER NOT NULL,
    early_leave_seconds    INTEGER NOT NULL,
    daily_overtime_seconds INTEGER NOT NULL,
    weekly_overtime_seconds INTEGER NOT NULL,
    flags                  INTEGER NOT NULL,
    provisional            BOOLEAN NOT NULL,
    closes_at              INTEGER NOT NULL,
    holiday                TEXT,
    leave_kind             TEXT,
    PRIMARY KEY (company_id, date, employee_id),
    FOREIGN KEY (company_id, employee_id) REFERENCES employees (company_id, id) ON DELETE CASCADE
);
CREATE INDEX attendance_days_employee ON attendance_days (company_id, employee_id, date);
