-- Real-time capture past one machine: each realtime device's live
-- connection is leased to one instance at a time, renewed while held.
-- Keep in step with migrations/sqlite/0009_live_leases.sql.
ALTER TABLE devices ADD COLUMN live_owner TEXT;
ALTER TABLE devices ADD COLUMN live_until BIGINT;
CREATE INDEX devices_live ON devices (live_until) WHERE realtime;
