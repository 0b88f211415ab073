-- Names from older clocks (issue 14 item 12). Keep in step with
-- migrations/sqlite/0008_name_encoding.sql.

-- The code page the device stores names in ('auto': its language's, else
-- CP1252; valid UTF-8 is always read as UTF-8). A closed list, checked by
-- domain::NameSetting.
ALTER TABLE devices ADD COLUMN name_encoding TEXT NOT NULL DEFAULT 'auto';
-- The device's name exactly as it sent it, and which device sent it, so
-- the name can be decoded again when that device's setting changes. Only
-- name_from_device is ever rewritten from them, never a name a person typed.
ALTER TABLE employees ADD COLUMN name_bytes BYTEA;
ALTER TABLE employees ADD COLUMN name_device_id BIGINT;
CREATE INDEX employees_name_device ON employees (company_id, name_device_id) WHERE name_bytes IS NOT NULL;
