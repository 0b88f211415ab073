//! The 16-bit ones'-complement checksum over a ZK packet (reference §1.4).

/// Checksum of `packet` (header with the checksum field zeroed, then data).
///
/// Words are little-endian; sums above 0xFFFF wrap with an end-around carry;
/// an odd trailing byte is added as a low byte; the result is `0xFFFF - sum`.
pub fn checksum(packet: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut words = packet.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_le_bytes([w[0], w[1]]));
        if sum > 0xFFFF {
            sum -= 0xFFFF;
        }
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last);
        if sum > 0xFFFF {
            sum -= 0xFFFF;
        }
    }
    // `sum` is at most 0xFFFF here, so this cannot underflow.
    (0xFFFF - sum) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn connect_example() {
        // e8 03 00 00 00 00 00 00 -> 0xFC17
        assert_eq!(checksum(&hex("e803000000000000")), 0xFC17);
    }

    #[test]
    fn ack_ok_with_carry() {
        // d0 07 .. 2f fb 00 00 -> 0xFCFF (sum wraps past 0xFFFF)
        assert_eq!(checksum(&hex("d00700002ffb0000")), 0xFCFF);
    }

    #[test]
    fn odd_length_vector() {
        // adrobinoga test vector 2: d0 07 [chk] f3 8d 0a 00 09 -> 0x6A29
        assert_eq!(checksum(&hex("d0070000f38d0a0009")), 0x6A29);
    }

    #[test]
    fn auth_frame_from_reference() {
        // 4e04 [4e2c] cf45 0100 614d323c
        assert_eq!(checksum(&hex("4e040000cf450100614d323c")), 0x2C4E);
    }

    #[test]
    fn empty_is_ffff() {
        assert_eq!(checksum(&[]), 0xFFFF);
    }
}
