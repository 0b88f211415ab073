//! Live events (reference §8): after REG_EVENT the device pushes CMD_REG_EVENT
//! packets whose session field is the event code and whose reply id is 0.

use crate::records::text;
use crate::time::DeviceTime;
use crate::ProtocolError;

/// A punch announced live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAttendance {
    pub user_id: String,
    pub status: u8,
    pub punch: u8,
    pub time: DeviceTime,
}

/// Decode an EF_ATTLOG payload in any of the sizes devices send.
pub fn decode_attlog(data: &[u8]) -> Result<LiveAttendance, ProtocolError> {
    let (user_id, rest) = match data.len() {
        10 | 14 => (
            u16::from_le_bytes([data[0], data[1]]).to_string(),
            &data[2..],
        ),
        12 => (
            u32::from_le_bytes([data[0], data[1], data[2], data[3]]).to_string(),
            &data[4..],
        ),
        32 | 36 | 37 => (text(&data[..24]), &data[24..]),
        n if n >= 52 => (text(&data[..24]), &data[24..]),
        n => {
            return Err(ProtocolError::malformed(
                "attendance event",
                format!("unsupported {n}-byte payload"),
            ))
        }
    };
    Ok(LiveAttendance {
        user_id,
        status: rest[0],
        punch: rest[1],
        time: DeviceTime::decode_event(&rest[2..])?,
    })
}

/// Encode the 32-byte TCP form (24-byte id, status, punch, 6-byte time).
pub fn encode_attlog_32(ev: &LiveAttendance) -> Result<Vec<u8>, ProtocolError> {
    let mut v = vec![0u8; 24];
    let id = ev.user_id.as_bytes();
    let n = id.len().min(24);
    v[..n].copy_from_slice(&id[..n]);
    v.push(ev.status);
    v.push(ev.punch);
    v.extend_from_slice(&ev.time.encode_event()?);
    Ok(v)
}

/// Encode the 12-byte UDP form (u32 numeric id) that pyzk 0.9 reads.
pub fn encode_attlog_12(ev: &LiveAttendance) -> Result<Vec<u8>, ProtocolError> {
    let id: u32 = ev
        .user_id
        .parse()
        .map_err(|_| ProtocolError::malformed("attendance event", "id is not numeric"))?;
    let mut v = id.to_le_bytes().to_vec();
    v.push(ev.status);
    v.push(ev.punch);
    v.extend_from_slice(&ev.time.encode_event()?);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn captured_32_byte_event() {
        // kurenai-ryu/pyzk #8: user 1140064.
        let hex = "3131343030363400000000000000000000000000000000000f00120b1d0c3703";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let ev = decode_attlog(&bytes).unwrap();
        assert_eq!(ev.user_id, "1140064");
        assert_eq!(ev.status, 15);
        assert_eq!(ev.time, DeviceTime::new(2018, 11, 29, 12, 55, 3).unwrap());
    }

    #[test]
    fn twelve_byte_event_from_pyzk_capture() {
        let ev = LiveAttendance {
            user_id: "4822257".into(),
            status: 1,
            punch: 0,
            time: DeviceTime::new(2018, 12, 7, 19, 9, 6).unwrap(),
        };
        let b = encode_attlog_12(&ev).unwrap();
        assert_eq!(b.len(), 12);
        assert_eq!(decode_attlog(&b).unwrap(), ev);
        let b = encode_attlog_32(&ev).unwrap();
        assert_eq!(decode_attlog(&b).unwrap(), ev);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = decode_attlog(&bytes);
        }
    }
}
