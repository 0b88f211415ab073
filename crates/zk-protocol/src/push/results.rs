//! `POST /iclock/devicecmd` bodies: one `ID=…&Return=…&CMD=…` line per
//! executed command, batched (adms-push.md §4.2). Some replies continue on
//! the following lines: `Key=Value` lines after INFO, and the `ID=…` /
//! `Return=…` / `CMD=…` / `Content=<raw>` form of Shell and GetFile.

use super::body::{lines, LineError, Parsed};
use crate::names::NameDecoding;

/// The result of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandResult {
    pub id: String,
    /// 0 (and ≥ 0 on 3.x) is success; see [`return_meaning`].
    pub code: i32,
    /// The command echo (`DATA`, `INFO`, `CHECK`, …).
    pub cmd: String,
    /// Every other `key=value` of the result, in order (INFO's options,
    /// VERIFY SUM's `AttlogSum`, `SN`, …).
    pub fields: Vec<(String, String)>,
    /// Raw bytes after `Content=` (Shell, GetFile).
    pub content: Option<Vec<u8>>,
}

impl CommandResult {
    /// Zero and other non-negative codes are success (SEC), except the
    /// enrolment failures 4–7.
    pub fn succeeded(&self) -> bool {
        self.code >= 0 && !matches!(self.code, 4..=7)
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Parse a devicecmd body; text is decoded by `how` (ZKTeco's own server
/// read these bodies as GB18030 on Chinese devices).
pub fn parse_results(body: &[u8], how: &NameDecoding) -> Parsed<CommandResult> {
    let mut out = Parsed::default();
    let mut current: Option<(usize, Partial)> = None;
    for (line_no, raw) in lines(body) {
        let text = how.decode_text(raw);
        let starts = text.starts_with("ID=") || text.starts_with("id=");
        if starts {
            finish(&mut out, current.take());
            current = Some((line_no, Partial::default()));
        }
        match current.as_mut() {
            None => out.errors.push(LineError {
                line: line_no,
                reason: "a result must start with ID=".into(),
            }),
            Some((_, p)) if text.starts_with("Content=") => {
                // Everything after `Content=` is raw output, line breaks and all.
                p.content = Some(body[content_start(body, raw)..].to_vec());
                break;
            }
            Some((_, p)) => p.add(&text),
        }
    }
    finish(&mut out, current);
    out
}

#[derive(Default)]
struct Partial {
    pairs: Vec<(String, String)>,
    content: Option<Vec<u8>>,
}

impl Partial {
    /// `a=1&b=2` on the first line; a single `Key=Value` (which may
    /// contain `&`) on continuation lines that do not look like pairs.
    fn add(&mut self, text: &str) {
        let pieces: Vec<&str> = text.split('&').collect();
        if pieces.iter().all(|p| p.contains('=')) {
            for p in pieces {
                self.push(p);
            }
        } else {
            self.push(text);
        }
    }

    fn push(&mut self, piece: &str) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        self.pairs.push((k.trim().to_string(), v.to_string()));
    }
}

fn content_start(body: &[u8], line: &[u8]) -> usize {
    // `line` is a sub-slice of `body`; the content starts after "Content=".
    let line_start = line.as_ptr() as usize - body.as_ptr() as usize;
    line_start + "Content=".len()
}

fn finish(out: &mut Parsed<CommandResult>, current: Option<(usize, Partial)>) {
    let Some((line, p)) = current else { return };
    match build(p) {
        Ok(r) => out.records.push(r),
        Err(reason) => out.errors.push(LineError { line, reason }),
    }
}

fn build(p: Partial) -> Result<CommandResult, String> {
    let mut id = None;
    let mut code = None;
    let mut cmd = None;
    let mut fields = Vec::new();
    for (k, v) in p.pairs {
        match k.to_ascii_lowercase().as_str() {
            "id" if id.is_none() => id = Some(v.trim().to_string()),
            "return" if code.is_none() => {
                code = Some(
                    v.trim()
                        .parse::<i32>()
                        .map_err(|_| format!("Return={v:?} is not a number"))?,
                )
            }
            "cmd" if cmd.is_none() => cmd = Some(v.trim().to_string()),
            _ => fields.push((k, v)),
        }
    }
    let id = id.filter(|i| !i.is_empty()).ok_or("empty ID=")?;
    Ok(CommandResult {
        id,
        code: code.ok_or("no Return= code")?,
        cmd: cmd.unwrap_or_default(),
        fields,
        content: p.content,
    })
}

/// What a return code means (A40 appendix 1 and U320 table 2.7).
pub fn return_meaning(code: i32) -> &'static str {
    match code {
        0 => "success",
        2 => "already exists",
        4 => "enrolment failed",
        5 => "finger already enrolled",
        6 => "enrolment cancelled",
        7 => "device busy",
        -1 => "parameter error",
        -2 => "size mismatch or download error",
        -3 => "flash read/write error",
        -4 => "no matching data",
        -5 => "no space left",
        -6 => "invalid data",
        -9 => "template size mismatch",
        -10 => "PIN not on the device",
        -11 => "invalid template format",
        -12 => "invalid template",
        -22 => "unknown command",
        -30 => "template algorithm version mismatch",
        -1001 => "capacity limit reached",
        -1002 => "not supported by this device",
        -1003 => "timeout",
        -1004 => "data inconsistent with the device configuration",
        -1005 => "device busy",
        -1006 => "data too long",
        -1007 => "memory error",
        -1008 => "failed to fetch server data",
        -5000 => "accepted by the master controller, waiting",
        c if c > 0 => "success",
        _ => "failed (unknown code)",
    }
}
