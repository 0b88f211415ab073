-- Issue 12 §2: end-of-day reports. Keep in step with
-- migrations/sqlite/0011_daily_reports.sql.

-- One row per company, local day and recipient ('employee:<id>' or
-- 'account:<id>'): claimed in the transaction that queues the report in
-- the outbox, so however many instances run the job, each person gets a
-- day's report once. A resend by hand (`resend=true`) counts up `sends`.
CREATE TABLE report_deliveries (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    recipient  TEXT    NOT NULL,
    sends      BIGINT NOT NULL DEFAULT 1,
    first_at   BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    PRIMARY KEY (company_id, day, recipient)
);
