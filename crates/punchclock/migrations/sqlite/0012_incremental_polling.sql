-- Incremental polling (issue 10 §2).
--
-- devices.synced_*: the device as the last successful sync found it
-- (domain::SyncMark): its counters when that sync started (users, punches,
-- operation-log entries, capacities), how many punch records it read
-- (position) and a fingerprint of the records just before that position
-- (tail), and when every punch was last handed to the store. NULL until
-- the first sync under this scheme, which is then a full one.
ALTER TABLE devices ADD COLUMN synced_users INTEGER;
ALTER TABLE devices ADD COLUMN synced_punches INTEGER;
ALTER TABLE devices ADD COLUMN synced_oplog INTEGER;
ALTER TABLE devices ADD COLUMN synced_user_capacity INTEGER;
ALTER TABLE devices ADD COLUMN synced_punch_capacity INTEGER;
ALTER TABLE devices ADD COLUMN synced_position INTEGER;
ALTER TABLE devices ADD COLUMN synced_tail TEXT;
ALTER TABLE devices ADD COLUMN full_synced_at INTEGER;

-- What each poll did and cost: full, incremental or unchanged; bytes on
-- the wire; punches read that the store already had.
ALTER TABLE device_logs ADD COLUMN mode TEXT CHECK (mode IN ('full', 'incremental', 'unchanged'));
ALTER TABLE device_logs ADD COLUMN bytes_received INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_logs ADD COLUMN bytes_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_logs ADD COLUMN punches_known INTEGER NOT NULL DEFAULT 0;
