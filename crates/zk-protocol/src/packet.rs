//! ZK packets and their two framings (reference §1.1–1.3).
//!
//! A packet is an 8-byte header (command, checksum, session, reply id; all
//! little-endian) followed by data. Over UDP one datagram carries one packet.
//! Over TCP each packet is prefixed by `50 50 82 7d` and a u32 length, and
//! TCP may split or merge those frames arbitrarily: [`TcpDeframer`] undoes that.

use crate::checksum::checksum;
use crate::ProtocolError;

/// Size of the ZK header.
pub const HEADER_LEN: usize = 8;
/// Size of the TCP wrapper in front of each packet.
pub const TCP_TOP_LEN: usize = 8;
/// The TCP wrapper's magic bytes.
pub const TCP_MAGIC: [u8; 4] = [0x50, 0x50, 0x82, 0x7D];
/// Largest packet we accept. Real devices send at most a 64 KiB chunk in one
/// DATA packet; anything much larger is garbage and must not make us allocate.
pub const MAX_PACKET_LEN: usize = 256 * 1024;

/// Which framing a connection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Tcp,
    Udp,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        })
    }
}

/// One ZK packet, header fields decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub command: u16,
    pub session: u16,
    pub reply: u16,
    pub data: Vec<u8>,
}

impl Packet {
    pub fn new(command: u16, session: u16, reply: u16, data: impl Into<Vec<u8>>) -> Self {
        Packet {
            command,
            session,
            reply,
            data: data.into(),
        }
    }

    /// Length of the packet on the wire without any TCP wrapper.
    pub fn wire_len(&self) -> usize {
        HEADER_LEN + self.data.len()
    }

    /// Append the bare packet (as sent over UDP) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.command.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.session.to_le_bytes());
        out.extend_from_slice(&self.reply.to_le_bytes());
        out.extend_from_slice(&self.data);
        let sum = checksum(&out[start..]);
        out[start + 2..start + 4].copy_from_slice(&sum.to_le_bytes());
    }

    /// The bare packet, as one UDP datagram.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.wire_len());
        self.encode_into(&mut out);
        out
    }

    /// The packet with its TCP wrapper, ready for one `write`.
    pub fn encode_tcp(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TCP_TOP_LEN + self.wire_len());
        self.encode_tcp_into(&mut out);
        out
    }

    /// Append the TCP-wrapped packet to `out`.
    pub fn encode_tcp_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&TCP_MAGIC);
        out.extend_from_slice(&(self.wire_len() as u32).to_le_bytes());
        self.encode_into(out);
    }

    /// Encode for the given transport.
    pub fn encode_for(&self, transport: Transport) -> Vec<u8> {
        match transport {
            Transport::Tcp => self.encode_tcp(),
            Transport::Udp => self.encode(),
        }
    }

    /// Decode one bare packet (a UDP datagram, or a TCP frame's payload),
    /// verifying its checksum.
    pub fn decode(bytes: &[u8]) -> Result<Packet, ProtocolError> {
        if bytes.len() < HEADER_LEN {
            return Err(ProtocolError::TooShort {
                len: bytes.len(),
                need: HEADER_LEN,
            });
        }
        if bytes.len() > MAX_PACKET_LEN {
            return Err(ProtocolError::TooLong {
                len: bytes.len(),
                max: MAX_PACKET_LEN,
            });
        }
        let word = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let got = word(2);
        let expected = {
            // The checksum is computed with its own field zeroed.
            let mut sum_input = Vec::with_capacity(bytes.len());
            sum_input.extend_from_slice(&bytes[..2]);
            sum_input.extend_from_slice(&[0, 0]);
            sum_input.extend_from_slice(&bytes[4..]);
            checksum(&sum_input)
        };
        if got != expected {
            return Err(ProtocolError::Checksum { expected, got });
        }
        Ok(Packet {
            command: word(0),
            session: word(4),
            reply: word(6),
            data: bytes[HEADER_LEN..].to_vec(),
        })
    }
}

/// Reassembles TCP-wrapped packets from a byte stream that may split or merge
/// frames at any boundary.
#[derive(Debug, Default)]
pub struct TcpDeframer {
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed; compacted lazily to avoid quadratic copying.
    pos: usize,
}

impl TcpDeframer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes as they came off the socket.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet returned as packets.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete packet, `Ok(None)` if more bytes are needed.
    ///
    /// An error means the stream is out of sync (or a frame is corrupt) and
    /// the connection should not be trusted further.
    pub fn next_packet(&mut self) -> Result<Option<Packet>, ProtocolError> {
        self.next_frame()?.map(Packet::decode).transpose()
    }

    /// The next complete frame's packet bytes (the TCP wrapper checked and
    /// removed, the packet itself not yet decoded), `Ok(None)` if more bytes
    /// are needed. For a peer that wants to answer a corrupt packet rather
    /// than drop the connection. An error means the wrapper is broken and
    /// the stream cannot be recovered.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, ProtocolError> {
        let avail = &self.buf[self.pos..];
        if avail.len() < TCP_TOP_LEN {
            // Check the magic early so garbage fails fast instead of waiting.
            let n = avail.len().min(4);
            if avail[..n] != TCP_MAGIC[..n] {
                let mut m = [0u8; 4];
                m[..n].copy_from_slice(&avail[..n]);
                return Err(ProtocolError::BadMagic(m));
            }
            return Ok(None);
        }
        let magic = [avail[0], avail[1], avail[2], avail[3]];
        if magic != TCP_MAGIC {
            return Err(ProtocolError::BadMagic(magic));
        }
        let len = u32::from_le_bytes([avail[4], avail[5], avail[6], avail[7]]) as usize;
        if len > MAX_PACKET_LEN {
            return Err(ProtocolError::TooLong {
                len,
                max: MAX_PACKET_LEN,
            });
        }
        if len < HEADER_LEN {
            return Err(ProtocolError::TooShort {
                len,
                need: HEADER_LEN,
            });
        }
        if avail.len() < TCP_TOP_LEN + len {
            return Ok(None);
        }
        let start = self.pos + TCP_TOP_LEN;
        self.pos = start + len;
        Ok(Some(&self.buf[start..start + len]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::*;
    use proptest::prelude::*;

    #[test]
    fn connect_over_tcp_matches_reference_bytes() {
        let p = Packet::new(CMD_CONNECT, 0, 0, vec![]);
        assert_eq!(
            p.encode_tcp(),
            [0x50, 0x50, 0x82, 0x7d, 8, 0, 0, 0, 0xe8, 0x03, 0x17, 0xfc, 0, 0, 0, 0]
        );
    }

    #[test]
    fn auth_frame_matches_reference_bytes() {
        let p = Packet::new(CMD_AUTH, 0x45CF, 1, vec![0x61, 0x4d, 0x32, 0x3c]);
        let expected = [
            0x50, 0x50, 0x82, 0x7d, 0x0c, 0, 0, 0, 0x4e, 0x04, 0x4e, 0x2c, 0xcf, 0x45, 0x01, 0x00,
            0x61, 0x4d, 0x32, 0x3c,
        ];
        assert_eq!(p.encode_tcp(), expected);
    }

    #[test]
    fn decode_rejects_bad_checksum() {
        let mut bytes = Packet::new(CMD_ACK_OK, 0xFB2F, 0, vec![]).encode();
        assert_eq!(bytes, [0xd0, 0x07, 0xff, 0xfc, 0x2f, 0xfb, 0, 0]);
        bytes[2] ^= 1;
        assert!(matches!(
            Packet::decode(&bytes),
            Err(ProtocolError::Checksum { .. })
        ));
    }

    #[test]
    fn deframer_handles_merged_and_split_frames() {
        let a = Packet::new(CMD_DATA, 0, 7, vec![1u8; 1008]);
        let b = Packet::new(CMD_DATA, 1, 7, vec![2u8; 500]);
        let c = Packet::new(CMD_ACK_OK, 2, 7, vec![]);
        let mut stream = a.encode_tcp();
        stream.extend(b.encode_tcp());
        stream.extend(c.encode_tcp());
        // One byte at a time.
        let mut d = TcpDeframer::new();
        let mut out = vec![];
        for byte in &stream {
            d.push(std::slice::from_ref(byte));
            while let Some(p) = d.next_packet().unwrap() {
                out.push(p);
            }
        }
        assert_eq!(out, vec![a.clone(), b.clone(), c.clone()]);
        // All at once.
        let mut d = TcpDeframer::new();
        d.push(&stream);
        let mut out = vec![];
        while let Some(p) = d.next_packet().unwrap() {
            out.push(p);
        }
        assert_eq!(out, vec![a, b, c]);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn next_frame_hands_over_a_corrupt_packet_and_goes_on() {
        let mut bad = Packet::new(CMD_OPTIONS_RRQ, 5, 9, b"~Platform\0".to_vec()).encode_tcp();
        bad[TCP_TOP_LEN + 2] ^= 1;
        let good = Packet::new(CMD_CONNECT, 0, 1, vec![]);
        let mut d = TcpDeframer::new();
        d.push(&bad);
        d.push(&good.encode_tcp());
        let raw = d.next_frame().unwrap().unwrap().to_vec();
        assert!(matches!(
            Packet::decode(&raw),
            Err(ProtocolError::Checksum { .. })
        ));
        assert_eq!(d.next_packet().unwrap(), Some(good));
        assert_eq!(d.next_frame().unwrap(), None);
    }

    #[test]
    fn deframer_rejects_garbage_early() {
        let mut d = TcpDeframer::new();
        d.push(b"HT");
        assert!(matches!(d.next_packet(), Err(ProtocolError::BadMagic(_))));
    }

    #[test]
    fn deframer_rejects_huge_length() {
        let mut d = TcpDeframer::new();
        d.push(&[0x50, 0x50, 0x82, 0x7d, 0xff, 0xff, 0xff, 0x7f]);
        assert!(matches!(
            d.next_packet(),
            Err(ProtocolError::TooLong { .. })
        ));
    }

    proptest! {
        #[test]
        fn roundtrip(cmd: u16, session: u16, reply: u16, data in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let p = Packet::new(cmd, session, reply, data);
            prop_assert_eq!(Packet::decode(&p.encode()).unwrap(), p.clone());
            let mut d = TcpDeframer::new();
            d.push(&p.encode_tcp());
            prop_assert_eq!(d.next_packet().unwrap().unwrap(), p);
        }

        #[test]
        fn split_anywhere(
            packets in proptest::collection::vec((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..300)), 1..8),
            cuts in proptest::collection::vec(1usize..64, 1..64),
        ) {
            let packets: Vec<Packet> = packets.into_iter().enumerate()
                .map(|(i, (c, d))| Packet::new(c, i as u16, 3, d)).collect();
            let stream: Vec<u8> = packets.iter().flat_map(|p| p.encode_tcp()).collect();
            let mut d = TcpDeframer::new();
            let mut out = vec![];
            let mut at = 0;
            let mut cut = cuts.iter().cycle();
            while at < stream.len() {
                let n = (*cut.next().unwrap()).min(stream.len() - at);
                d.push(&stream[at..at + n]);
                at += n;
                while let Some(p) = d.next_packet().unwrap() { out.push(p); }
            }
            prop_assert_eq!(out, packets);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Packet::decode(&bytes);
            let mut d = TcpDeframer::new();
            d.push(&bytes);
            for _ in 0..8 {
                match d.next_packet() { Ok(Some(_)) => {}, _ => break }
            }
        }
    }
}
