-- A device's punches by time. The punch list filtered by device and a
-- date range (GET /api/v1/punches, /punches) could only narrow by device
-- through punches_device (device_id) or by time through the company's
-- time index (punches_company_time; since 0014 with the employee), and
-- SQLite's planner took the company's index:
-- 22 s at 3 M punches, 1.6 s for one device newest first. An index on
-- (device_id, punched_at) serves both the device and the range, in the
-- listing's order; it still leads with device_id, so it also serves the
-- device page's punch counts (store/punches.rs) and the ON DELETE SET NULL
-- of a deleted device, which is all punches_device did.
-- Keep in step with migrations/postgres.
DROP INDEX punches_device;
CREATE INDEX punches_device_time ON punches (device_id, punched_at);
