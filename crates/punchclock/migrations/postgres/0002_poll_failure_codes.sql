-- Typed failure reasons: the code beside each plain-words reason.
-- Codes are the text of domain::PollFailure; rows from before this
-- migration keep NULL (their reason text is all there is).

ALTER TABLE device_logs ADD COLUMN reason_code TEXT;

ALTER TABLE devices ADD COLUMN last_error_code TEXT;
