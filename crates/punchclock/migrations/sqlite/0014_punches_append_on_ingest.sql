-- Punches go in appended to every index (issue 10 §3, ingest speed). A
-- device's punches come in time order over all its people, so an index
-- led by the employee put each batch's rows on one leaf page per person:
-- about 1,000 pages, 4 MB of WAL, per 2,000 punches, and it was most of
-- what a large sync cost (bench/README.md, "Ingest speed"). What it
-- answered is now kept or read elsewhere:
-- - an employee's last punch (the employees list and its order) is a
--   column the ingest advances with every punch it stores
--   (store/punch_ingest.rs, store/corrections.rs);
-- - one employee's punches in a period (attendance, the punch list's
--   filter) are read from (company_id, punched_at, employee_id): the
--   company's punches of the period, without a table read for another
--   person's.
-- Keep in step with migrations/postgres.
ALTER TABLE employees ADD COLUMN last_punch_at INTEGER;

UPDATE employees SET last_punch_at =
    (SELECT MAX(p.punched_at) FROM punches p WHERE p.employee_id = employees.id);

DROP INDEX punches_employee_time;
DROP INDEX punches_company_time;
CREATE INDEX punches_company_time_employee ON punches (company_id, punched_at, employee_id);
