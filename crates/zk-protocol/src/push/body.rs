//! Upload bodies: records separated by LF (CRLF accepted), fields by TAB
//! (adms-push.md §1 "Body format"). Parsing is per line: a malformed line
//! becomes a [`LineError`] and the lines after it are still read.

use std::fmt;

/// Why one line of a body was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based, counting every line of the body (blank ones included), so
    /// it matches what an operator sees in the raw body.
    pub line: usize,
    /// Plain words, for the device log.
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The records a body held, and the lines that were not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub errors: Vec<LineError>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            records: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<T> Parsed<T> {
    /// Lines handled: accepted and refused. The device's `OK:<n>` counts
    /// what was processed; refused lines are reported, not resent.
    pub fn lines_handled(&self) -> usize {
        self.records.len() + self.errors.len()
    }

    /// Apply `parse` to every non-blank line of `body`.
    pub(crate) fn from_lines(
        body: &[u8],
        mut parse: impl FnMut(&[u8]) -> Result<T, String>,
    ) -> Parsed<T> {
        let mut out = Parsed::default();
        for (line, text) in lines(body) {
            match parse(text) {
                Ok(r) => out.records.push(r),
                Err(reason) => out.errors.push(LineError { line, reason }),
            }
        }
        out
    }
}

/// Non-blank lines with their 1-based numbers, CR stripped.
pub(crate) fn lines(body: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(|b| b.is_ascii_whitespace()))
}

/// Split at the first occurrence of `sep`.
pub(crate) fn split_once(bytes: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let i = bytes.iter().position(|&b| b == sep)?;
    Some((&bytes[..i], &bytes[i + 1..]))
}

/// `KEY=value` pairs separated by TAB; values split at the first `=`
/// because base64 padding contains more. Empty fields (trailing TABs) are
/// skipped; a field without `=` is an error.
pub(crate) fn pairs(fields: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let mut out = Vec::new();
    for field in fields.split(|&b| b == b'\t') {
        if field.is_empty() {
            continue;
        }
        let (k, v) = split_once(field, b'=')
            .ok_or_else(|| format!("field {:?} is not KEY=value", lossy(field)))?;
        out.push((lossy(k).trim().to_string(), v));
    }
    Ok(out)
}

/// The value of `key` (case-insensitive: firmware varies, e.g. `Pin`/`PIN`).
pub(crate) fn get<'a>(pairs: &[(String, &'a [u8])], key: &str) -> Option<&'a [u8]> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| *v)
}

/// ASCII-ish protocol text; anything else replaced, never a panic.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A record-type token and the rest: `USER PIN=…` (a space after the token;
/// a TAB is accepted too).
pub(crate) fn record_type(line: &[u8]) -> (&[u8], &[u8]) {
    match line.iter().position(|&b| b == b' ' || b == b'\t') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => (line, &[]),
    }
}

/// A field that must be a number, with a plain-words error naming it.
pub(crate) fn number<T: std::str::FromStr>(what: &str, bytes: &[u8]) -> Result<T, String> {
    let text = lossy(bytes);
    text.trim()
        .parse()
        .map_err(|_| format!("{what} {text:?} is not a number"))
}
