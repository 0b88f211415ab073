//! `table=ATTLOG` bodies: one punch per line, TAB-separated by position
//! (adms-push.md §3.1): PIN, time, status, verify, work code, then
//! reserved and model-specific fields.

use super::body::{lossy, number, Parsed};
use super::time::parse_time;
use crate::records::MAX_USER_ID_LEN;
use crate::{DeviceTime, VerifyMethod};

/// One punch as a pushing device reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttLog {
    /// The enroll ID.
    pub pin: String,
    /// Device-local wall-clock time, no zone.
    pub time: DeviceTime,
    /// Keypad state (0 check-in, 1 check-out, …; configurable on the device).
    pub status: u16,
    pub verify: VerifyMethod,
    /// Empty when unused (devices send `0` or nothing).
    pub work_code: String,
    /// Fields after the work code (reserved, mask flag, temperature, time
    /// offset, …), as sent; their meaning differs between models.
    pub extra: Vec<String>,
}

/// Parse an ATTLOG body. Missing trailing columns are tolerated (many
/// devices send fewer); a line without a PIN or a valid time is refused.
pub fn parse_attlog(body: &[u8]) -> Parsed<AttLog> {
    Parsed::from_lines(body, parse_line)
}

fn parse_line(line: &[u8]) -> Result<AttLog, String> {
    if !line.contains(&b'\t') && line.contains(&b' ') {
        return Err("fields are separated by spaces, not TABs".into());
    }
    let fields: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
    let pin = lossy(fields[0]).trim().to_string();
    check_pin(&pin)?;
    let time_text = fields.get(1).map(|f| lossy(f)).unwrap_or_default();
    let time = parse_time(&time_text).ok_or_else(|| {
        if time_text.is_empty() {
            "no punch time after the PIN (fields must be separated by TABs)".to_string()
        } else {
            format!("punch time {time_text:?} is not YYYY-MM-DD hh:mm:ss")
        }
    })?;
    let status = optional_number("status", fields.get(2))?;
    let verify = VerifyMethod(optional_number("verify method", fields.get(3))?);
    let work_code = fields.get(4).map(|f| lossy(f).trim().to_string());
    let extra = fields.iter().skip(5).map(|f| lossy(f)).collect();
    Ok(AttLog {
        pin,
        time,
        status,
        verify,
        work_code: work_code.unwrap_or_default(),
        extra,
    })
}

/// An enroll ID as the binary protocol could also carry it.
pub(crate) fn check_pin(pin: &str) -> Result<(), String> {
    if pin.is_empty() {
        return Err("no PIN (enroll ID)".into());
    }
    if pin.len() > MAX_USER_ID_LEN {
        return Err(format!(
            "PIN {pin:?} is longer than {MAX_USER_ID_LEN} characters"
        ));
    }
    if pin.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("PIN {pin:?} contains spaces or control characters"));
    }
    Ok(())
}

fn optional_number(what: &str, field: Option<&&[u8]>) -> Result<u16, String> {
    match field {
        Some(f) if !f.iter().all(u8::is_ascii_whitespace) => number(what, f),
        _ => Ok(0),
    }
}
