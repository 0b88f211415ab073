//! Short answers the server sends (adms-push.md §3.1, §4, §9).

/// Acknowledges a poll with nothing queued, a devicecmd body, a ping, an
/// option push or an rtlog.
pub const OK: &str = "OK";

/// Acknowledges an upload of `n` records. A40's form `OK:<n>`; firmware
/// checks only the status 200 and the leading `OK` (§3.1, §10).
pub fn ok_count(n: usize) -> String {
    format!("OK:{n}")
}

/// ZKTeco's own servers' answer to a serial number they do not know (§6),
/// with status 200 so the device keeps calling and can be claimed later.
pub const UNKNOWN_DEVICE: &str = "UNKNOWN DEVICE";

/// Headers ZKTeco's own server sent with every answer (§1), besides `Date`.
pub const HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "text/plain"),
    ("Pragma", "no-cache"),
    ("Cache-Control", "no-store"),
];
