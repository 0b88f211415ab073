//! Misbehaviours a simulated device can be told to show, switchable at run
//! time, so clients can be tested against broken and hostile devices.

use rand::Rng;
use std::time::Duration;
use zk_protocol::packet::{HEADER_LEN, TCP_MAGIC};
use zk_protocol::{Packet, Transport};

/// Faults of one device. `Faults::default()` is a healthy device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The port refuses: TCP listener closed (ECONNREFUSED), UDP socket
    /// closed (its sessions forgotten). Open TCP sessions carry on; clearing
    /// the fault re-opens the same port.
    pub refuse: bool,
    /// Delay every reply by this much.
    pub delay: Option<Duration>,
    /// Close the connection after writing this many bytes (UDP: go silent
    /// towards that peer until it CONNECTs again).
    pub drop_after_bytes: Option<usize>,
    /// Replies carry a wrong checksum.
    pub corrupt_checksum: bool,
    /// The first frame a connection sends at or after this many bytes has a
    /// wrong checksum (once); the rest are intact.
    pub corrupt_frame_after_bytes: Option<usize>,
    /// After this many bytes the connection goes quiet: nothing more is
    /// sent, nothing is closed (a stall past any client timeout).
    pub stall_after_bytes: Option<usize>,
    /// Reply with random non-ZK bytes.
    pub garbage: bool,
    /// Answer every command after CONNECT/AUTH with ACK_ERROR.
    pub ack_error: bool,
    /// REG_EVENT is answered with ACK_ERROR, as by firmware without live events.
    pub refuse_events: bool,
    /// Replies after CONNECT carry a different session id than the one handed out.
    pub wrong_session: bool,
}

/// Encode `p` for the wire, with a broken checksum if asked to.
pub(crate) fn encode_frame(p: &Packet, transport: Transport, corrupt: bool) -> Vec<u8> {
    let mut bytes = p.encode_for(transport);
    if corrupt {
        let at = match transport {
            Transport::Tcp => zk_protocol::packet::TCP_TOP_LEN + 2,
            Transport::Udp => 2,
        };
        // Any non-zero XOR makes the checksum wrong.
        bytes[at] ^= 0x5A;
        bytes[at + 1] ^= 0xA5;
    }
    bytes
}

/// A copy of one encoded frame with its checksum broken (bytes too short
/// to be a frame are returned as they are).
pub(crate) fn corrupt_one(bytes: &[u8], transport: Transport) -> Vec<u8> {
    let at = match transport {
        Transport::Tcp => zk_protocol::packet::TCP_TOP_LEN + 2,
        Transport::Udp => 2,
    };
    let mut v = bytes.to_vec();
    if v.len() >= at + 2 {
        v[at] ^= 0x5A;
        v[at + 1] ^= 0xA5;
    }
    v
}

/// Random bytes that are not a ZK frame for `transport`.
pub(crate) fn garbage(transport: Transport) -> Vec<u8> {
    let mut rng = rand::thread_rng();
    let len = rng.gen_range(HEADER_LEN + 8..64);
    let mut v: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
    // Never the TCP magic's first byte, so a TCP reader fails at once.
    if v[0] == TCP_MAGIC[0] {
        v[0] ^= 0xFF;
    }
    // A UDP datagram must not pass as a packet by chance (1 in 65536).
    if transport == Transport::Udp && Packet::decode(&v).is_ok() {
        v[2] ^= 0x5A;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use zk_protocol::TcpDeframer;

    #[test]
    fn corrupt_frames_fail_the_checksum_only() {
        let p = Packet::new(2000, 0x1234, 7, vec![1, 2, 3]);
        let udp = encode_frame(&p, Transport::Udp, true);
        assert!(matches!(
            Packet::decode(&udp),
            Err(zk_protocol::ProtocolError::Checksum { .. })
        ));
        assert_eq!(
            Packet::decode(&encode_frame(&p, Transport::Udp, false)).unwrap(),
            p
        );
        let mut d = TcpDeframer::new();
        d.push(&encode_frame(&p, Transport::Tcp, true));
        assert!(matches!(
            d.next_packet(),
            Err(zk_protocol::ProtocolError::Checksum { .. })
        ));
    }

    #[test]
    fn garbage_is_never_a_frame() {
        for _ in 0..200 {
            assert!(Packet::decode(&garbage(Transport::Udp)).is_err());
            let mut d = TcpDeframer::new();
            d.push(&garbage(Transport::Tcp));
            assert!(d.next_packet().is_err());
        }
    }
}
