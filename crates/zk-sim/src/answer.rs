//! The frames of one answer, produced one at a time so a multi-megabyte
//! stream never sits in memory: DATA packets are encoded from the store as
//! they are sent.

use crate::store::{Snapshot, Store};
use std::collections::VecDeque;
use std::sync::RwLock;
use zk_protocol::command::CMD_DATA;
use zk_protocol::Packet;

/// Bytes encoded from the store per refill: 64 DATA packets.
const PACKETS_PER_REFILL: usize = 64;

/// The reply to one request: fixed frames and at most one data stream.
#[derive(Debug)]
pub(crate) struct Answer {
    parts: VecDeque<Part>,
    /// Close the connection (or forget the UDP session) once sent.
    pub(crate) close: bool,
}

#[derive(Debug)]
enum Part {
    Frame(Packet),
    Data(DataStream),
}

/// DATA packets carrying dataset bytes `[off, end)`; the session field
/// counts packets 0, 1, 2… like real firmware.
#[derive(Debug)]
struct DataStream {
    snap: Snapshot,
    off: usize,
    end: usize,
    packet: usize,
    reply: u16,
    index: u16,
    buf: Vec<u8>,
    pos: usize,
}

impl Answer {
    pub(crate) fn one(p: Packet) -> Answer {
        Answer {
            parts: VecDeque::from([Part::Frame(p)]),
            close: false,
        }
    }

    /// `head`, then `[off, off + len)` of `snap` in DATA packets of at most
    /// `packet` bytes, then `tail`.
    pub(crate) fn stream(
        head: Packet,
        snap: Snapshot,
        off: usize,
        len: usize,
        packet: usize,
        tail: Packet,
    ) -> Answer {
        let data = DataStream {
            snap,
            off,
            end: off + len,
            packet: packet.max(1),
            reply: head.reply,
            index: 0,
            buf: Vec::new(),
            pos: 0,
        };
        Answer {
            parts: VecDeque::from([Part::Frame(head), Part::Data(data), Part::Frame(tail)]),
            close: false,
        }
    }

    pub(crate) fn closing(mut self) -> Answer {
        self.close = true;
        self
    }

    /// More than one frame: frames are paced by the device's frame gap.
    pub(crate) fn is_multi(&self) -> bool {
        self.parts.len() > 1
    }

    /// The next frame to send, `None` when the answer is complete.
    pub(crate) fn next_frame(&mut self, store: &RwLock<Store>) -> Option<Packet> {
        loop {
            match self.parts.front_mut()? {
                Part::Frame(_) => match self.parts.pop_front() {
                    Some(Part::Frame(p)) => return Some(p),
                    _ => unreachable!("front was a frame"),
                },
                Part::Data(d) => match d.next_packet(store) {
                    Some(p) => return Some(p),
                    None => {
                        self.parts.pop_front();
                    }
                },
            }
        }
    }
}

impl DataStream {
    fn next_packet(&mut self, store: &RwLock<Store>) -> Option<Packet> {
        if self.pos >= self.buf.len() {
            if self.off >= self.end {
                return None;
            }
            let n = (self.packet * PACKETS_PER_REFILL).min(self.end - self.off);
            self.buf.clear();
            self.pos = 0;
            let store = store.read().unwrap_or_else(|e| e.into_inner());
            self.snap.read(&store, self.off, n, &mut self.buf);
            self.off += n;
            if self.buf.is_empty() {
                return None;
            }
        }
        let n = self.packet.min(self.buf.len() - self.pos);
        let p = Packet::new(
            CMD_DATA,
            self.index,
            self.reply,
            &self.buf[self.pos..self.pos + n],
        );
        self.pos += n;
        self.index = self.index.wrapping_add(1);
        Some(p)
    }
}
