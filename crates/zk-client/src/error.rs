//! Errors a shop owner or technician can act on: each message names the step
//! that failed and says in plain words what went wrong.

use std::net::SocketAddr;
use std::time::Duration;
use zk_protocol::command::name;
use zk_protocol::ProtocolError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the name {host} did not resolve: {detail}")]
    Resolve { host: String, detail: String },

    #[error("connection refused by {addr}: check the router's port forwarding and that the device is on")]
    Refused { addr: SocketAddr },

    #[error("no answer within {} while {step}: the device is off, unreachable or busy", secs(*after))]
    Timeout { step: &'static str, after: Duration },

    #[error("the device requires a comm key (communication password) and none was given")]
    KeyRequired,

    #[error(
        "the device rejected the comm key: check the communication password set on the device"
    )]
    KeyRejected,

    #[error("not a ZK device: {detail}")]
    NotZk { detail: String },

    #[error("the device refused the request while {step} (it answered {} / code {code})", name(*code))]
    Device { step: &'static str, code: u16 },

    #[error("the device sent a malformed reply while {step}: {source}")]
    Protocol {
        step: &'static str,
        source: ProtocolError,
    },

    #[error("the device closed the connection while {step}")]
    Closed { step: &'static str },

    #[error("network error while {step}: {source}")]
    Io {
        step: &'static str,
        source: std::io::Error,
    },
}

/// The step of REG_EVENT, by which a refusal is told apart.
pub(crate) const STEP_ENABLE_EVENTS: &str =
    "enabling live events (the device may not support them)";

fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl ClientError {
    /// A short stable tag for logs, metrics and the app's device status.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Resolve { .. } => "dns",
            ClientError::Refused { .. } => "refused",
            ClientError::Timeout { .. } => "timeout",
            ClientError::KeyRequired | ClientError::KeyRejected => "comm_key",
            ClientError::NotZk { .. } => "not_zk",
            e if e.is_events_refused() => "events_refused",
            ClientError::Device { .. } => "device",
            ClientError::Protocol { .. } => "protocol",
            ClientError::Closed { .. } => "closed",
            ClientError::Io { .. } => "io",
        }
    }

    /// The device answered REG_EVENT with an error: it has no live events
    /// (older firmware), so it can only be polled. Kept a `Device` error so
    /// matches on the variants stay as they are; `kind()` says
    /// "events_refused".
    pub fn is_events_refused(&self) -> bool {
        matches!(self, ClientError::Device { step, .. } if *step == STEP_ENABLE_EVENTS)
    }

    /// Failures to reach or talk to the device at all, as opposed to a device
    /// that answered but refused or garbled one request.
    pub fn is_connection(&self) -> bool {
        !matches!(
            self,
            ClientError::Device { .. } | ClientError::Protocol { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_step_in_plain_words() {
        let e = ClientError::Timeout {
            step: "reading punches",
            after: Duration::from_secs(10),
        };
        assert_eq!(e.kind(), "timeout");
        assert_eq!(
            e.to_string(),
            "no answer within 10 s while reading punches: the device is off, unreachable or busy"
        );
        let e = ClientError::Device {
            step: "reading users",
            code: 2001,
        };
        assert!(e.to_string().contains("ACK_ERROR"), "{e}");
        let e = ClientError::Refused {
            addr: "127.0.0.1:4370".parse().unwrap(),
        };
        assert!(e
            .to_string()
            .starts_with("connection refused by 127.0.0.1:4370"));
        assert_eq!(ClientError::KeyRejected.kind(), "comm_key");
    }
}
