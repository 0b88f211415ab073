//! CMD_GET_FREE_SIZES reply (reference §6): counts and capacities as u32s.

use crate::ProtocolError;

/// Counters a device reports. Real replies are 80, 92 or 112 bytes long;
/// anything from 80 bytes up is accepted and extra fields are ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FreeSizes {
    pub users: u32,
    pub fingers: u32,
    pub records: u32,
    pub oplog: u32,
    pub admins: u32,
    pub passwords: u32,
    pub fingers_cap: u32,
    pub users_cap: u32,
    pub records_cap: u32,
    pub fingers_av: u32,
    pub users_av: u32,
    pub records_av: u32,
    /// Present in replies of 92 bytes or more.
    pub faces: Option<u32>,
    pub faces_cap: Option<u32>,
}

/// Shortest reply we can read counts from.
pub const MIN_LEN: usize = 80;

impl FreeSizes {
    pub fn decode(data: &[u8]) -> Result<Self, ProtocolError> {
        if data.len() < MIN_LEN {
            return Err(ProtocolError::TooShort {
                len: data.len(),
                need: MIN_LEN,
            });
        }
        let f = |i: usize| {
            let o = i * 4;
            u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]])
        };
        let has_faces = data.len() >= 92;
        Ok(FreeSizes {
            users: f(4),
            fingers: f(6),
            records: f(8),
            oplog: f(10),
            admins: f(12),
            passwords: f(13),
            fingers_cap: f(14),
            users_cap: f(15),
            records_cap: f(16),
            fingers_av: f(17),
            users_av: f(18),
            records_av: f(19),
            faces: has_faces.then(|| f(20)),
            faces_cap: has_faces.then(|| f(22)),
        })
    }

    /// Encode as a reply of `len` bytes (80, 92 or 112; at least 80).
    pub fn encode(&self, len: usize) -> Vec<u8> {
        let len = len.max(MIN_LEN);
        let mut out = vec![0u8; len];
        let mut put = |i: usize, v: u32| {
            if i * 4 + 4 <= len {
                out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
            }
        };
        put(4, self.users);
        put(6, self.fingers);
        put(8, self.records);
        put(10, self.oplog);
        put(12, self.admins);
        put(13, self.passwords);
        put(14, self.fingers_cap);
        put(15, self.users_cap);
        put(16, self.records_cap);
        put(17, self.fingers_av);
        put(18, self.users_av);
        put(19, self.records_av);
        put(20, self.faces.unwrap_or(0));
        put(22, self.faces_cap.unwrap_or(0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pyzk_fixture() -> FreeSizes {
        FreeSizes {
            users: 7,
            fingers: 6,
            records: 605,
            oplog: 3087,
            admins: 1,
            passwords: 0,
            fingers_cap: 3000,
            users_cap: 10000,
            records_cap: 100000,
            fingers_av: 2994,
            users_av: 9993,
            records_av: 99395,
            faces: Some(0),
            faces_cap: Some(0),
        }
    }

    #[test]
    fn accepts_80_92_112_bytes() {
        let s = pyzk_fixture();
        let d80 = FreeSizes::decode(&s.encode(80)).unwrap();
        assert_eq!(d80.records, 605);
        assert_eq!(d80.faces, None);
        assert_eq!(FreeSizes::decode(&s.encode(92)).unwrap(), s);
        assert_eq!(FreeSizes::decode(&s.encode(112)).unwrap(), s);
        assert!(FreeSizes::decode(&s.encode(92)[..79]).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = FreeSizes::decode(&bytes);
        }
    }
}
