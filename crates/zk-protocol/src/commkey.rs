//! Comm-key ("communication password") authentication (reference §3).
//!
//! After CONNECT the device answers ACK_UNAUTH when a key is set; the client
//! then proves the key with CMD_AUTH and four bytes derived from the key and
//! the session id the device handed out.

/// The byte pyzk and node-zklib use as "ticks"; the original SDK used a tick count.
pub const DEFAULT_TICKS: u8 = 50;

/// Steps 1-5: bit-reversed key plus session, XOR "ZKSO", halves swapped.
fn scramble(key: u32, session: u16) -> [u8; 4] {
    let k = key.reverse_bits().wrapping_add(u32::from(session));
    let b = k.to_le_bytes();
    let c = [b[0] ^ b'Z', b[1] ^ b'K', b[2] ^ b'S', b[3] ^ b'O'];
    [c[2], c[3], c[0], c[1]]
}

/// The 4-byte CMD_AUTH payload for `key` in session `session`.
pub fn make_commkey(key: u32, session: u16, ticks: u8) -> [u8; 4] {
    let d = scramble(key, session);
    [d[0] ^ ticks, d[1] ^ ticks, ticks, d[3] ^ ticks]
}

/// Device-side check of a CMD_AUTH payload: the ticks byte is read from byte 2.
pub fn verify_commkey(key: u32, session: u16, data: &[u8]) -> bool {
    let [a, b, ticks, d] = match data {
        [a, b, c, d, ..] => [*a, *b, *c, *d],
        _ => return false,
    };
    make_commkey(key, session, ticks) == [a, b, ticks, d]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        assert_eq!(make_commkey(12, 0x45CF, 50), [0x61, 0x4D, 0x32, 0x3C]);
        assert_eq!(make_commkey(45, 0x45CF, 50), [0x61, 0xC9, 0x32, 0x3C]);
        assert_eq!(make_commkey(0, 0x45CF, 50), [0x61, 0x7D, 0x32, 0x3C]);
        assert_eq!(make_commkey(123456, 0x1234, 50), [0x26, 0x7F, 0x32, 0xEB]);
        assert_eq!(make_commkey(1, 0, 50), [0x61, 0xFD, 0x32, 0x79]);
    }

    #[test]
    fn verify_reads_ticks_from_byte_two() {
        let with_other_ticks = make_commkey(123456, 0x1234, 0x99);
        assert!(verify_commkey(123456, 0x1234, &with_other_ticks));
        assert!(!verify_commkey(123457, 0x1234, &with_other_ticks));
        // The low byte of the sum lands in the discarded position, so a session
        // differing only there verifies too; one differing in the next byte does not.
        assert!(verify_commkey(123456, 0x1235, &with_other_ticks));
        assert!(!verify_commkey(123456, 0x1334, &with_other_ticks));
        assert!(!verify_commkey(123456, 0x1234, &with_other_ticks[..3]));
    }

    #[test]
    fn huge_keys_do_not_overflow() {
        // pyzk raises here; we wrap, which is what a 32-bit device does.
        let _ = make_commkey(u32::MAX, u16::MAX, 1);
    }
}
