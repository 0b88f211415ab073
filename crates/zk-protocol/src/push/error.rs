use thiserror::Error;

/// A push request that cannot be served, in plain words for the device log.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PushError {
    #[error("the request has no SN (serial number)")]
    MissingSerial,
    #[error("serial number {0:?} is not 1-32 letters, digits, '-' or '_'")]
    BadSerial(String),
    #[error("{0:?} is not an /iclock/ endpoint")]
    UnknownPath(String),
    #[error("the upload names no table")]
    MissingTable,
    #[error("{0}")]
    UnknownRequest(String),
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
}
