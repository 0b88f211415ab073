//! `table=OPERLOG` bodies (adms-push.md §3.3): one table carrying several
//! record types, told apart by the first token: `USER`, `OPLOG`, and
//! biometric records (`FP`, `FACE`, `FVEIN`, `BIODATA`, `USERPIC`, `BIOPHOTO`).

use super::body::{lossy, number, pairs, record_type, Parsed};
use super::time::parse_time;
use super::user::{UserInfo, V2};
use crate::names::NameDecoding;
use crate::DeviceTime;

/// One OPERLOG line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperLogRecord {
    User(UserInfo),
    Operation(Operation),
    /// A template or photo; its content is not interpreted here.
    Biometric(Biometric),
}

/// An `OPLOG` line: something an operator or the device did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub code: u16,
    /// The operator's PIN, `0` when the device itself acted.
    pub operator: String,
    pub time: DeviceTime,
    /// obj1..obj4 as sent; their positions differ between firmwares.
    pub objects: Vec<String>,
}

impl Operation {
    /// What the code means in plain words, when the reference lists it.
    pub fn description(&self) -> Option<&'static str> {
        super::oplog_codes::describe(self.code)
    }
}

/// A biometric or photo record, kept as `KEY=value` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Biometric {
    /// `FP`, `FACE`, `FVEIN`, `BIODATA`, `USERPIC` or `BIOPHOTO`.
    pub kind: String,
    /// The enroll ID (`PIN=` or `Pin=`).
    pub pin: String,
    pub fields: Vec<(String, String)>,
}

const BIOMETRIC: &[&str] = &["FP", "FACE", "FVEIN", "BIODATA", "USERPIC", "BIOPHOTO"];

/// Parse an OPERLOG body; names are decoded by `how`.
pub fn parse_operlog(body: &[u8], how: &NameDecoding) -> Parsed<OperLogRecord> {
    Parsed::from_lines(body, |line| parse_line(line, how))
}

fn parse_line(line: &[u8], how: &NameDecoding) -> Result<OperLogRecord, String> {
    let (kind, rest) = record_type(line);
    let kind = lossy(kind);
    match kind.as_str() {
        "USER" => Ok(OperLogRecord::User(UserInfo::from_pairs(
            &pairs(rest)?,
            &V2,
            how,
        )?)),
        "OPLOG" => parse_oplog(rest).map(OperLogRecord::Operation),
        k if BIOMETRIC.contains(&k) => parse_biometric(k, rest).map(OperLogRecord::Biometric),
        _ => Err(format!("unknown record type {kind:?}")),
    }
}

fn parse_oplog(rest: &[u8]) -> Result<Operation, String> {
    let fields: Vec<String> = rest.split(|&b| b == b'\t').map(lossy).collect();
    let code = number("operation code", fields[0].as_bytes())?;
    let operator = fields.get(1).cloned().unwrap_or_default();
    let time_text = fields.get(2).cloned().unwrap_or_default();
    let time = parse_time(&time_text)
        .ok_or_else(|| format!("operation time {time_text:?} is not YYYY-MM-DD hh:mm:ss"))?;
    Ok(Operation {
        code,
        operator: operator.trim().to_string(),
        time,
        objects: fields.into_iter().skip(3).collect(),
    })
}

fn parse_biometric(kind: &str, rest: &[u8]) -> Result<Biometric, String> {
    let fields: Vec<(String, String)> = pairs(rest)?
        .into_iter()
        .map(|(k, v)| (k, lossy(v)))
        .collect();
    let pin = fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("PIN"))
        .map(|(_, v)| v.trim().to_string())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| format!("{kind} record without PIN="))?;
    Ok(Biometric {
        kind: kind.to_string(),
        pin,
        fields,
    })
}
