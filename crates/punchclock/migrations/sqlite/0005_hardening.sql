-- Issue 11 (hardening). Keep in step with the other backend's 0005.

-- Comm keys sealed at rest (store/sealed.rs); the plain column is emptied
-- by the service on start, once it has the key.
ALTER TABLE devices ADD COLUMN comm_key_sealed TEXT;

-- Idle expiry: a session unused for `session_idle_minutes` ends.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;

-- Password reset: only the token's hash is kept; single use, expiring.
CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER  NOT NULL,
    expires_at  INTEGER  NOT NULL,
    used_at     INTEGER,
    -- 'reset': sets a new password; 'confirm': confirms a sign-up.
    purpose     TEXT    NOT NULL DEFAULT 'reset' CHECK (purpose IN ('reset', 'confirm'))
);
CREATE INDEX password_resets_account ON password_resets (account_id);

-- One value sealed with the secrets key on first start: every later start
-- must open it, so a wrong or missing key is refused at once.
CREATE TABLE secrets_check (
    id      INTEGER PRIMARY KEY,
    sealed  TEXT    NOT NULL
);

-- Sign-ups confirmed by mail (when mail is on): the owner cannot log in
-- until the mailed link is opened. Accounts made before are confirmed.
ALTER TABLE accounts ADD COLUMN confirmed BOOLEAN NOT NULL DEFAULT TRUE;
