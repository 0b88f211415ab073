//! Collecting the answer to one request.
//!
//! A device answers a command with one reply packet, with one inline DATA
//! packet, or with PREPARE_DATA, any number of DATA packets and a closing
//! ACK_OK — all carrying the request's reply id. Packets with another reply id
//! (leftovers of an earlier, timed-out request) and live events are handed
//! back as ignored, so they can never be taken for this command's answer.

use crate::buffer::parse_prepare_data;
use crate::command::*;
use crate::packet::Packet;
use crate::ProtocolError;

/// Largest multi-packet answer we assemble: a TCP chunk is at most 0xFFC0.
pub const MAX_ANSWER_LEN: usize = 4 * 1024 * 1024;

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// One reply packet: ACK_OK, ACK_ERROR, ACK_UNAUTH, ...
    Reply {
        code: u16,
        session: u16,
        data: Vec<u8>,
    },
    /// Data sent inline in a single CMD_DATA packet.
    Inline(Vec<u8>),
    /// Data announced by PREPARE_DATA, carried by DATA packets, closed by ACK_OK.
    Stream(Vec<u8>),
}

/// Why a packet was not part of this exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// A reply to another request (another reply id).
    Stale { command: u16, reply: u16 },
    /// An unsolicited live event.
    Event(Packet),
}

/// Result of feeding one packet to an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Pending,
    Done(Answer),
    Ignored(Ignored),
}

#[derive(Debug)]
enum State {
    Waiting,
    Streaming { expected: usize, buf: Vec<u8> },
    Finished,
}

/// The state of one request awaiting its answer.
#[derive(Debug)]
pub struct Exchange {
    command: u16,
    reply: u16,
    state: State,
}

impl Exchange {
    pub fn new(command: u16, reply: u16) -> Self {
        Exchange {
            command,
            reply,
            state: State::Waiting,
        }
    }

    pub fn command(&self) -> u16 {
        self.command
    }

    pub fn reply_id(&self) -> u16 {
        self.reply
    }

    /// Bytes of a streamed answer received so far (for progress).
    pub fn received(&self) -> usize {
        match &self.state {
            State::Streaming { buf, .. } => buf.len(),
            _ => 0,
        }
    }

    /// Feed one packet that arrived on the connection.
    pub fn on_packet(&mut self, p: Packet) -> Result<Step, ProtocolError> {
        if p.command == CMD_REG_EVENT && p.reply == 0 && self.reply != 0 {
            return Ok(Step::Ignored(Ignored::Event(p)));
        }
        if p.reply != self.reply {
            return Ok(Step::Ignored(Ignored::Stale {
                command: p.command,
                reply: p.reply,
            }));
        }
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Finished => Ok(Step::Ignored(Ignored::Stale {
                command: p.command,
                reply: p.reply,
            })),
            State::Waiting => match p.command {
                CMD_PREPARE_DATA => {
                    let expected = parse_prepare_data(&p.data)? as usize;
                    if expected > MAX_ANSWER_LEN {
                        return Err(ProtocolError::TooLong {
                            len: expected,
                            max: MAX_ANSWER_LEN,
                        });
                    }
                    self.state = State::Streaming {
                        expected,
                        buf: Vec::with_capacity(expected),
                    };
                    Ok(Step::Pending)
                }
                CMD_DATA => Ok(Step::Done(Answer::Inline(p.data))),
                code => Ok(Step::Done(Answer::Reply {
                    code,
                    session: p.session,
                    data: p.data,
                })),
            },
            State::Streaming { expected, mut buf } => match p.command {
                CMD_DATA => {
                    if buf.len() + p.data.len() > expected {
                        return Err(ProtocolError::malformed(
                            "data stream",
                            format!(
                                "{} bytes received, {expected} announced",
                                buf.len() + p.data.len()
                            ),
                        ));
                    }
                    buf.extend_from_slice(&p.data);
                    self.state = State::Streaming { expected, buf };
                    Ok(Step::Pending)
                }
                CMD_ACK_OK if buf.len() == expected => Ok(Step::Done(Answer::Stream(buf))),
                CMD_ACK_OK => Err(ProtocolError::malformed(
                    "data stream",
                    format!("ended after {} of {expected} announced bytes", buf.len()),
                )),
                got => Err(ProtocolError::UnexpectedReply {
                    request: self.command,
                    got,
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_reply() {
        let mut ex = Exchange::new(CMD_GET_TIME, 5);
        let step = ex
            .on_packet(Packet::new(CMD_ACK_OK, 9, 5, vec![1, 2, 3, 4]))
            .unwrap();
        assert_eq!(
            step,
            Step::Done(Answer::Reply {
                code: CMD_ACK_OK,
                session: 9,
                data: vec![1, 2, 3, 4]
            })
        );
    }

    #[test]
    fn streamed_chunk_with_stale_and_event_interleaved() {
        let mut ex = Exchange::new(CMD_READ_BUFFER, 7);
        let feed = |ex: &mut Exchange, p| ex.on_packet(p).unwrap();
        assert_eq!(
            feed(
                &mut ex,
                Packet::new(
                    CMD_PREPARE_DATA,
                    9,
                    7,
                    crate::buffer::prepare_data(10, 1008)
                )
            ),
            Step::Pending
        );
        // A late answer to an earlier request must not be mixed in.
        assert!(matches!(
            feed(&mut ex, Packet::new(CMD_DATA, 0, 6, vec![9; 4])),
            Step::Ignored(Ignored::Stale { reply: 6, .. })
        ));
        assert!(matches!(
            feed(&mut ex, Packet::new(CMD_REG_EVENT, 1, 0, vec![0; 32])),
            Step::Ignored(Ignored::Event(_))
        ));
        assert_eq!(
            feed(&mut ex, Packet::new(CMD_DATA, 0, 7, vec![1; 6])),
            Step::Pending
        );
        assert_eq!(
            feed(&mut ex, Packet::new(CMD_DATA, 1, 7, vec![2; 4])),
            Step::Pending
        );
        let mut want = vec![1; 6];
        want.extend([2; 4]);
        assert_eq!(
            feed(&mut ex, Packet::new(CMD_ACK_OK, 2, 7, vec![])),
            Step::Done(Answer::Stream(want))
        );
    }

    #[test]
    fn short_or_long_streams_are_errors() {
        let mut ex = Exchange::new(CMD_READ_BUFFER, 1);
        ex.on_packet(Packet::new(
            CMD_PREPARE_DATA,
            0,
            1,
            crate::buffer::prepare_data(4, 1008),
        ))
        .unwrap();
        assert!(ex
            .on_packet(Packet::new(CMD_DATA, 0, 1, vec![0; 5]))
            .is_err());

        let mut ex = Exchange::new(CMD_READ_BUFFER, 1);
        ex.on_packet(Packet::new(
            CMD_PREPARE_DATA,
            0,
            1,
            crate::buffer::prepare_data(4, 1008),
        ))
        .unwrap();
        ex.on_packet(Packet::new(CMD_DATA, 0, 1, vec![0; 3]))
            .unwrap();
        assert!(ex.on_packet(Packet::new(CMD_ACK_OK, 0, 1, vec![])).is_err());
    }

    #[test]
    fn absurd_announcement_is_refused() {
        let mut ex = Exchange::new(CMD_READ_BUFFER, 1);
        assert!(ex
            .on_packet(Packet::new(
                CMD_PREPARE_DATA,
                0,
                1,
                crate::buffer::prepare_data(u32::MAX, 1008)
            ))
            .is_err());
    }
}
