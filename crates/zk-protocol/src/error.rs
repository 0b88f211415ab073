use thiserror::Error;

/// Everything that can be wrong with bytes that came from the other side.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    #[error("frame too short: {len} bytes, need at least {need}")]
    TooShort { len: usize, need: usize },
    #[error("not a ZK frame: bad TCP magic {0:02x?}")]
    BadMagic([u8; 4]),
    #[error("frame announces {len} bytes, more than the {max}-byte limit")]
    TooLong { len: usize, max: usize },
    #[error("checksum mismatch: frame says {got:#06x}, content gives {expected:#06x}")]
    Checksum { expected: u16, got: u16 },
    #[error("invalid device time value {0}")]
    InvalidTime(u32),
    #[error("time out of the encodable range (2000-2099): {0}")]
    TimeOutOfRange(String),
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("unexpected reply {got} to {request}")]
    UnexpectedReply { request: u16, got: u16 },
}

impl ProtocolError {
    pub(crate) fn malformed(what: &'static str, detail: impl Into<String>) -> Self {
        ProtocolError::Malformed {
            what,
            detail: detail.into(),
        }
    }
}
