//! The buffered bulk read (reference §4): PREPARE_BUFFER (1503), then
//! READ_BUFFER (1504) chunk by chunk, then FREE_DATA (1502).

use crate::command::{CMD_ATTLOG_RRQ, CMD_USERTEMP_RRQ};
use crate::ProtocolError;

/// Largest chunk requested over TCP (pyzk's MAX_CHUNK).
pub const TCP_MAX_CHUNK: u32 = 0xFFC0;
/// Largest chunk requested over UDP: 16 datagrams of 1024 bytes.
pub const UDP_MAX_CHUNK: u32 = 16 * 1024;
/// Payload size of each DATA packet real TCP firmware sends.
pub const TCP_DATA_PACKET: usize = 1008;
/// Payload size of each DATA datagram over UDP (pyzk truncates larger ones).
pub const UDP_DATA_PACKET: usize = 1024;

/// The tables a client can bulk-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Users,
    Punches,
}

impl Table {
    fn inner(self) -> (u16, u32) {
        match self {
            Table::Users => (CMD_USERTEMP_RRQ, 5),
            Table::Punches => (CMD_ATTLOG_RRQ, 0),
        }
    }
}

/// The 11-byte PREPARE_BUFFER payload: `01, u16 inner command, u32 fct, u32 ext`.
pub fn prepare_request(table: Table) -> Vec<u8> {
    let (cmd, fct) = table.inner();
    let mut v = Vec::with_capacity(11);
    v.push(1);
    v.extend_from_slice(&cmd.to_le_bytes());
    v.extend_from_slice(&fct.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

/// Device side: which table a PREPARE_BUFFER asks for. Keyed on the inner
/// command, since clients disagree about fct for attendance.
pub fn parse_prepare_request(data: &[u8]) -> Result<Table, ProtocolError> {
    if data.len() < 3 {
        return Err(ProtocolError::TooShort {
            len: data.len(),
            need: 11,
        });
    }
    match u16::from_le_bytes([data[1], data[2]]) {
        CMD_USERTEMP_RRQ => Ok(Table::Users),
        CMD_ATTLOG_RRQ => Ok(Table::Punches),
        other => Err(ProtocolError::malformed(
            "prepare-buffer request",
            format!("unsupported table command {other}"),
        )),
    }
}

/// The 13-byte "data stat" in the ACK_OK to PREPARE_BUFFER: `00, u32 size, u32 size, u32 x`.
pub fn data_stat(size: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(13);
    v.push(0);
    v.extend_from_slice(&size.to_le_bytes());
    v.extend_from_slice(&size.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

/// The dataset size in a data stat (bytes 1..5; the rest is ignored as by every client).
pub fn parse_data_stat(data: &[u8]) -> Result<u32, ProtocolError> {
    if data.len() < 5 {
        return Err(ProtocolError::TooShort {
            len: data.len(),
            need: 5,
        });
    }
    Ok(u32::from_le_bytes([data[1], data[2], data[3], data[4]]))
}

/// READ_BUFFER payload: `u32 start, u32 size`.
pub fn read_request(start: u32, size: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(8);
    v.extend_from_slice(&start.to_le_bytes());
    v.extend_from_slice(&size.to_le_bytes());
    v
}

/// Device side: parse a READ_BUFFER request.
pub fn parse_read_request(data: &[u8]) -> Result<(u32, u32), ProtocolError> {
    if data.len() < 8 {
        return Err(ProtocolError::TooShort {
            len: data.len(),
            need: 8,
        });
    }
    Ok((
        u32::from_le_bytes([data[0], data[1], data[2], data[3]]),
        u32::from_le_bytes([data[4], data[5], data[6], data[7]]),
    ))
}

/// PREPARE_DATA payload: `u32 chunk size, u32 packet size`.
pub fn prepare_data(size: u32, packet: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(8);
    v.extend_from_slice(&size.to_le_bytes());
    v.extend_from_slice(&packet.to_le_bytes());
    v
}

/// The chunk size announced by PREPARE_DATA (the packet size is advisory).
pub fn parse_prepare_data(data: &[u8]) -> Result<u32, ProtocolError> {
    if data.len() < 4 {
        return Err(ProtocolError::TooShort {
            len: data.len(),
            need: 4,
        });
    }
    Ok(u32::from_le_bytes([data[0], data[1], data[2], data[3]]))
}

/// Plans the READ_BUFFER requests for a dataset of `total` bytes.
#[derive(Debug, Clone)]
pub struct ChunkPlan {
    total: u32,
    next: u32,
    max_chunk: u32,
}

impl ChunkPlan {
    pub fn new(total: u32, max_chunk: u32) -> Self {
        ChunkPlan {
            total,
            next: 0,
            max_chunk: max_chunk.max(1),
        }
    }

    /// The next `(start, size)` to request, or `None` when all are done.
    pub fn next_chunk(&mut self) -> Option<(u32, u32)> {
        if self.next >= self.total {
            return None;
        }
        let size = self.max_chunk.min(self.total - self.next);
        let start = self.next;
        self.next += size;
        Some((start, size))
    }

    pub fn total(&self) -> u32 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn request_bytes_match_reference() {
        assert_eq!(
            prepare_request(Table::Users),
            [1, 9, 0, 5, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            prepare_request(Table::Punches),
            [1, 0x0d, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            parse_prepare_request(&prepare_request(Table::Punches)).unwrap(),
            Table::Punches
        );
        // Captured stat: 00 b4130000 b4130000 cdef2300
        let stat = [0, 0xb4, 0x13, 0, 0, 0xb4, 0x13, 0, 0, 0xcd, 0xef, 0x23, 0];
        assert_eq!(parse_data_stat(&stat).unwrap(), 0x13b4);
        assert_eq!(parse_data_stat(&data_stat(200_004)).unwrap(), 200_004);
    }

    #[test]
    fn chunk_plan_covers_everything_once() {
        let mut plan = ChunkPlan::new(200_004, TCP_MAX_CHUNK);
        let chunks: Vec<_> = std::iter::from_fn(|| plan.next_chunk()).collect();
        assert_eq!(chunks.len(), 4);
        assert_eq!(chunks[0], (0, 65472));
        assert_eq!(chunks.iter().map(|c| c.1).sum::<u32>(), 200_004);
        assert!(ChunkPlan::new(0, 10).next_chunk().is_none());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
            let _ = parse_prepare_request(&bytes);
            let _ = parse_data_stat(&bytes);
            let _ = parse_read_request(&bytes);
            let _ = parse_prepare_data(&bytes);
        }
    }
}
