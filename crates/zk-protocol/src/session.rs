//! The client side of a session: session and reply ids, the CONNECT/AUTH
//! handshake, and building request bytes.

use crate::command::*;
use crate::commkey::{make_commkey, DEFAULT_TICKS};
use crate::exchange::{Answer, Exchange};
use crate::packet::{Packet, Transport};
use crate::ProtocolError;
use thiserror::Error;

/// Why a handshake did not produce a session.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HandshakeError {
    #[error("the device requires a comm key and none was given")]
    KeyRequired,
    #[error("the device rejected the comm key")]
    KeyRejected,
    #[error("not a ZK device: CONNECT was answered with {0}")]
    NotZk(String),
}

/// What to do after the answer to CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectStep {
    /// The session is ready.
    Connected,
    /// Send this AUTH request and feed its answer to [`ClientSession::on_auth_answer`].
    Authenticate,
}

/// Client-side session state. Reply ids start at 1 and skip 0, which live
/// events use, so an event can never be mistaken for an answer.
#[derive(Debug)]
pub struct ClientSession {
    transport: Transport,
    comm_key: Option<u32>,
    session_id: u16,
    reply_id: u16,
    connected: bool,
}

impl ClientSession {
    pub fn new(transport: Transport, comm_key: Option<u32>) -> Self {
        ClientSession {
            transport,
            comm_key,
            session_id: 0,
            reply_id: 0,
            connected: false,
        }
    }

    pub fn transport(&self) -> Transport {
        self.transport
    }

    pub fn session_id(&self) -> u16 {
        self.session_id
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    fn next_reply_id(&mut self) -> u16 {
        self.reply_id = self.reply_id.wrapping_add(1);
        if self.reply_id == 0 {
            self.reply_id = 1;
        }
        self.reply_id
    }

    /// Build a request: the exchange that will collect its answer, and the
    /// bytes to send (one write over TCP, one datagram over UDP).
    pub fn request(&mut self, command: u16, data: &[u8]) -> (Exchange, Vec<u8>) {
        let reply = self.next_reply_id();
        let packet = Packet::new(command, self.session_id, reply, data.to_vec());
        (
            Exchange::new(command, reply),
            packet.encode_for(self.transport),
        )
    }

    /// The CONNECT request.
    pub fn connect(&mut self) -> (Exchange, Vec<u8>) {
        self.session_id = 0;
        self.connected = false;
        self.request(CMD_CONNECT, &[])
    }

    /// Handle the answer to CONNECT.
    pub fn on_connect_answer(&mut self, answer: &Answer) -> Result<ConnectStep, HandshakeError> {
        match answer {
            Answer::Reply {
                code: CMD_ACK_OK,
                session,
                ..
            } => {
                self.session_id = *session;
                self.connected = true;
                Ok(ConnectStep::Connected)
            }
            Answer::Reply {
                code: CMD_ACK_UNAUTH,
                session,
                ..
            } => {
                self.session_id = *session;
                if self.comm_key.is_some() {
                    Ok(ConnectStep::Authenticate)
                } else {
                    Err(HandshakeError::KeyRequired)
                }
            }
            other => Err(HandshakeError::NotZk(describe(other))),
        }
    }

    /// The AUTH request proving the comm key (0 when none was configured).
    pub fn auth(&mut self) -> (Exchange, Vec<u8>) {
        let key = make_commkey(self.comm_key.unwrap_or(0), self.session_id, DEFAULT_TICKS);
        self.request(CMD_AUTH, &key)
    }

    /// Handle the answer to AUTH.
    pub fn on_auth_answer(&mut self, answer: &Answer) -> Result<(), HandshakeError> {
        match answer {
            Answer::Reply {
                code: CMD_ACK_OK, ..
            } => {
                self.connected = true;
                Ok(())
            }
            Answer::Reply {
                code: CMD_ACK_UNAUTH,
                ..
            } => Err(HandshakeError::KeyRejected),
            other => Err(HandshakeError::NotZk(describe(other))),
        }
    }

    /// Check that a single-packet reply belongs to our session. DATA packets
    /// reuse the session field as a packet index, so only replies are checked.
    pub fn check_session(&self, answer: &Answer) -> Result<(), ProtocolError> {
        if let Answer::Reply { session, code, .. } = answer {
            if self.connected && *session != self.session_id && *code != CMD_ACK_UNAUTH {
                return Err(ProtocolError::malformed(
                    "reply",
                    format!(
                        "for session {session:#06x}, ours is {:#06x}",
                        self.session_id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The EXIT request that ends the session.
    pub fn exit(&mut self) -> (Exchange, Vec<u8>) {
        let r = self.request(CMD_EXIT, &[]);
        self.connected = false;
        r
    }

    /// An ACK_OK with reply id 0, acknowledging a live event as pyzk does.
    pub fn event_ack(&self) -> Vec<u8> {
        Packet::new(CMD_ACK_OK, self.session_id, 0, vec![]).encode_for(self.transport)
    }
}

/// A short description of an answer for error messages.
pub fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Reply { code, data, .. } => {
            format!("{} ({code}) with {} data bytes", name(*code), data.len())
        }
        Answer::Inline(d) => format!("inline DATA of {} bytes", d.len()),
        Answer::Stream(d) => format!("a data stream of {} bytes", d.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commkey::verify_commkey;

    #[test]
    fn handshake_with_key() {
        let mut s = ClientSession::new(Transport::Tcp, Some(12));
        let (ex, bytes) = s.connect();
        assert_eq!(ex.reply_id(), 1);
        assert_eq!(&bytes[..8], &[0x50, 0x50, 0x82, 0x7d, 8, 0, 0, 0]);
        let step = s
            .on_connect_answer(&Answer::Reply {
                code: CMD_ACK_UNAUTH,
                session: 0x45CF,
                data: vec![],
            })
            .unwrap();
        assert_eq!(step, ConnectStep::Authenticate);
        let (_ex, bytes) = s.auth();
        let p = Packet::decode(&bytes[8..]).unwrap();
        assert_eq!(p.command, CMD_AUTH);
        assert_eq!(p.session, 0x45CF);
        assert!(verify_commkey(12, 0x45CF, &p.data));
        assert_eq!(
            s.on_auth_answer(&Answer::Reply {
                code: CMD_ACK_UNAUTH,
                session: 0x45CF,
                data: vec![]
            }),
            Err(HandshakeError::KeyRejected)
        );
    }

    #[test]
    fn key_required_and_not_zk() {
        let mut s = ClientSession::new(Transport::Udp, None);
        s.connect();
        assert_eq!(
            s.on_connect_answer(&Answer::Reply {
                code: CMD_ACK_UNAUTH,
                session: 1,
                data: vec![]
            }),
            Err(HandshakeError::KeyRequired)
        );
        assert!(matches!(
            s.on_connect_answer(&Answer::Inline(vec![1])),
            Err(HandshakeError::NotZk(_))
        ));
    }

    #[test]
    fn reply_ids_skip_zero_on_wrap() {
        let mut s = ClientSession::new(Transport::Udp, None);
        s.reply_id = u16::MAX - 1;
        assert_eq!(s.request(1, &[]).0.reply_id(), u16::MAX);
        assert_eq!(s.request(1, &[]).0.reply_id(), 1);
    }

    #[test]
    fn wrong_session_is_detected() {
        let mut s = ClientSession::new(Transport::Tcp, None);
        s.connect();
        s.on_connect_answer(&Answer::Reply {
            code: CMD_ACK_OK,
            session: 100,
            data: vec![],
        })
        .unwrap();
        assert!(s
            .check_session(&Answer::Reply {
                code: CMD_ACK_OK,
                session: 101,
                data: vec![]
            })
            .is_err());
        assert!(s
            .check_session(&Answer::Reply {
                code: CMD_ACK_OK,
                session: 100,
                data: vec![]
            })
            .is_ok());
    }
}
