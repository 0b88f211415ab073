//! User and attendance records (reference §5.1, §5.2) and the dataset that
//! carries them: `[u32 LE byte count][records ...]`.
//!
//! Record sizes differ between firmwares and transports, so the size is
//! detected from the dataset length and the counts in GET_FREE_SIZES, and
//! decoding is incremental: a million punches never need to sit in memory
//! as raw bytes and as records at once.

use crate::names::{NameDecoding, NameEncoding, Unrepresentable};
use crate::time::DeviceTime;
use crate::ProtocolError;

/// Longest enroll ID a record can carry; never truncated below this.
pub const MAX_USER_ID_LEN: usize = 24;

/// A user as stored on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Internal slot number on the device.
    pub uid: u16,
    /// Bit 0: disabled; bits 1-3: level (0 user, 2 enroller, 6 manager, 14 admin).
    pub privilege: u8,
    pub password: String,
    /// The name as text. Decoders fill it from `name_bytes` by
    /// [`NameDecoding::decode`] (UTF-8 when valid, else the device's code
    /// page, CP1252 by default); encoders write this field.
    pub name: String,
    /// The name exactly as the device stored it (up to the first NUL), so it
    /// can be decoded again when the device's encoding setting changes.
    /// Decoders fill it; encoders ignore it.
    pub name_bytes: Vec<u8>,
    pub card: u32,
    pub group: u8,
    /// The enroll ID (PIN) people type or are identified by; the key of an employee.
    pub user_id: String,
}

/// One attendance record ("punch").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Punch {
    /// Internal slot number when the layout carries it, else 0.
    pub uid: u16,
    /// The enroll ID. For 8-byte records, which only carry `uid`, this is the
    /// uid in decimal until the caller maps it through the user table.
    pub user_id: String,
    pub time: DeviceTime,
    /// Verification method (0/3 password, 1 fingerprint, 2/4 card, 15 face).
    pub status: u8,
    /// Keypad state (0 check-in, 1 check-out, 2 break-out, 3 break-in, 4/5 overtime).
    pub punch: u8,
}

/// User record layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserLayout {
    /// 28 bytes, numeric user id (UDP / older firmware).
    Zk6,
    /// 72 bytes, 24-byte string user id (TCP / newer firmware).
    Zk8,
}

impl UserLayout {
    pub const fn size(self) -> usize {
        match self {
            UserLayout::Zk6 => 28,
            UserLayout::Zk8 => 72,
        }
    }
    pub fn from_size(size: usize) -> Option<Self> {
        match size {
            28 => Some(UserLayout::Zk6),
            72 => Some(UserLayout::Zk8),
            _ => None,
        }
    }
}

/// Attendance record layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PunchLayout {
    B8,
    B16,
    B40,
    B49,
}

impl PunchLayout {
    pub const fn size(self) -> usize {
        match self {
            PunchLayout::B8 => 8,
            PunchLayout::B16 => 16,
            PunchLayout::B40 => 40,
            PunchLayout::B49 => 49,
        }
    }
    pub fn from_size(size: usize) -> Option<Self> {
        match size {
            8 => Some(PunchLayout::B8),
            16 => Some(PunchLayout::B16),
            40 => Some(PunchLayout::B40),
            49 => Some(PunchLayout::B49),
            _ => None,
        }
    }
}

impl User {
    /// Decode `name_bytes` again, e.g. after the device's setting changed.
    pub fn redecode_name(&mut self, how: &NameDecoding) {
        self.name = how.decode(&self.name_bytes);
    }
}

/// Bytes up to the first NUL, as stored.
fn raw(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Text up to the first NUL, trimmed. Names may be in a legacy code page;
/// invalid UTF-8 is replaced rather than dropped so nothing silently
/// disappears. Shared by every fixed-width text field of the protocol.
pub(crate) fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).trim().to_string()
}

fn put_text(out: &mut [u8], s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(out.len());
    out[..n].copy_from_slice(&b[..n]);
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Decode one user record; `rec.len()` must equal the layout size. Names
/// that are not UTF-8 are read as CP1252; see [`decode_user_with`].
pub fn decode_user(layout: UserLayout, rec: &[u8]) -> Result<User, ProtocolError> {
    decode_user_with(layout, rec, &NameDecoding::DEFAULT)
}

/// Decode one user record, reading its name as `how` says.
pub fn decode_user_with(
    layout: UserLayout,
    rec: &[u8],
    how: &NameDecoding,
) -> Result<User, ProtocolError> {
    if rec.len() != layout.size() {
        return Err(ProtocolError::malformed(
            "user record",
            format!("{} bytes, expected {}", rec.len(), layout.size()),
        ));
    }
    Ok(match layout {
        UserLayout::Zk6 => User {
            uid: u16_at(rec, 0),
            privilege: rec[2],
            password: text(&rec[3..8]),
            name: how.decode(raw(&rec[8..16])),
            name_bytes: raw(&rec[8..16]).to_vec(),
            card: u32_at(rec, 16),
            group: rec[21],
            user_id: u32_at(rec, 24).to_string(),
        },
        UserLayout::Zk8 => User {
            uid: u16_at(rec, 0),
            privilege: rec[2],
            password: text(&rec[3..11]),
            name: how.decode(raw(&rec[11..35])),
            name_bytes: raw(&rec[11..35]).to_vec(),
            card: u32_at(rec, 35),
            group: rec[39],
            user_id: text(&rec[48..72]),
        },
    })
}

/// Name bytes a user record of `layout` holds (the rest of the field is NUL).
pub const fn name_capacity(layout: UserLayout) -> usize {
    match layout {
        UserLayout::Zk6 => 8,
        UserLayout::Zk8 => 23,
    }
}

/// `name` in `enc`, cut at a character boundary to what `layout` holds.
/// With `lossy`, characters `enc` cannot store become `?`; without, they
/// are an error.
pub fn encode_name(
    layout: UserLayout,
    name: &str,
    enc: NameEncoding,
    lossy: bool,
) -> Result<Vec<u8>, Unrepresentable> {
    if !lossy {
        enc.encode(name)?;
    }
    let cap = name_capacity(layout);
    let mut out = Vec::with_capacity(cap);
    let mut buf = [0u8; 4];
    for c in name.chars() {
        let bytes = enc.encode_lossy(c.encode_utf8(&mut buf));
        if out.len() + bytes.len() > cap {
            break;
        }
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

/// Encode one user record with its name in UTF-8 (the simulator's side).
pub fn encode_user(layout: UserLayout, u: &User, out: &mut Vec<u8>) {
    encode_user_in(layout, u, NameEncoding::Utf8, out).expect("UTF-8 stores every character");
}

/// Encode one user record with its name in `enc`, for writing a user to a
/// device (USER_WRQ). A name with characters `enc` cannot store is refused.
pub fn encode_user_in(
    layout: UserLayout,
    u: &User,
    enc: NameEncoding,
    out: &mut Vec<u8>,
) -> Result<(), Unrepresentable> {
    let name = encode_name(layout, &u.name, enc, false)?;
    put_user(layout, u, &name, out);
    Ok(())
}

/// As [`encode_user_in`], replacing what `enc` cannot store with `?`.
pub fn encode_user_lossy_in(layout: UserLayout, u: &User, enc: NameEncoding, out: &mut Vec<u8>) {
    let name = encode_name(layout, &u.name, enc, true).expect("lossy never fails");
    put_user(layout, u, &name, out);
}

fn put_user(layout: UserLayout, u: &User, name: &[u8], out: &mut Vec<u8>) {
    let mut rec = vec![0u8; layout.size()];
    rec[0..2].copy_from_slice(&u.uid.to_le_bytes());
    rec[2] = u.privilege;
    match layout {
        UserLayout::Zk6 => {
            put_text(&mut rec[3..7], &u.password);
            rec[8..8 + name.len()].copy_from_slice(name);
            rec[16..20].copy_from_slice(&u.card.to_le_bytes());
            rec[21] = u.group;
            let id: u32 = u.user_id.parse().unwrap_or(u32::from(u.uid));
            rec[24..28].copy_from_slice(&id.to_le_bytes());
        }
        UserLayout::Zk8 => {
            put_text(&mut rec[3..10], &u.password);
            rec[11..11 + name.len()].copy_from_slice(name);
            rec[35..39].copy_from_slice(&u.card.to_le_bytes());
            rec[39] = u.group;
            put_text(&mut rec[48..72], &u.user_id);
        }
    }
    out.extend_from_slice(&rec);
}

/// Decode one attendance record; `rec.len()` must equal the layout size.
pub fn decode_punch(layout: PunchLayout, rec: &[u8]) -> Result<Punch, ProtocolError> {
    if rec.len() != layout.size() {
        return Err(ProtocolError::malformed(
            "attendance record",
            format!("{} bytes, expected {}", rec.len(), layout.size()),
        ));
    }
    Ok(match layout {
        // Real captures (pyzk #99) put the time at offset 4, not 3 as pyzk reads it.
        PunchLayout::B8 => Punch {
            uid: u16_at(rec, 0),
            user_id: u16_at(rec, 0).to_string(),
            status: rec[2],
            punch: rec[3],
            time: DeviceTime::decode(u32_at(rec, 4))?,
        },
        PunchLayout::B16 => Punch {
            uid: 0,
            user_id: u32_at(rec, 0).to_string(),
            time: DeviceTime::decode(u32_at(rec, 4))?,
            status: rec[8],
            punch: rec[9],
        },
        PunchLayout::B40 | PunchLayout::B49 => Punch {
            uid: u16_at(rec, 0),
            user_id: text(&rec[2..26]),
            status: rec[26],
            time: DeviceTime::decode(u32_at(rec, 27))?,
            punch: rec[31],
        },
    })
}

/// Encode one attendance record (the simulator's side).
pub fn encode_punch(
    layout: PunchLayout,
    p: &Punch,
    out: &mut Vec<u8>,
) -> Result<(), ProtocolError> {
    let t = p.time.encode()?;
    let start = out.len();
    out.resize(start + layout.size(), 0);
    let rec = &mut out[start..];
    match layout {
        PunchLayout::B8 => {
            rec[0..2].copy_from_slice(&p.uid.to_le_bytes());
            rec[2] = p.status;
            rec[3] = p.punch;
            rec[4..8].copy_from_slice(&t.to_le_bytes());
        }
        PunchLayout::B16 => {
            let id: u32 = p.user_id.parse().unwrap_or(u32::from(p.uid));
            rec[0..4].copy_from_slice(&id.to_le_bytes());
            rec[4..8].copy_from_slice(&t.to_le_bytes());
            rec[8] = p.status;
            rec[9] = p.punch;
        }
        PunchLayout::B40 | PunchLayout::B49 => {
            rec[0..2].copy_from_slice(&p.uid.to_le_bytes());
            put_text(&mut rec[2..26], &p.user_id);
            rec[26] = p.status;
            rec[27..31].copy_from_slice(&t.to_le_bytes());
            rec[31] = p.punch;
            rec[36] = 0xFF;
        }
    }
    Ok(())
}

/// Pick the attendance layout for a dataset of `total` record bytes.
///
/// `count` is the record count from GET_FREE_SIZES when known; it can be
/// stale or wrong (some firmwares report it elsewhere), so divisibility
/// decides when the count does not, and `preferred` breaks ties.
pub fn detect_punch_layout(
    total: usize,
    count: Option<u32>,
    preferred: PunchLayout,
) -> Result<PunchLayout, ProtocolError> {
    detect(
        total,
        count,
        preferred,
        PunchLayout::from_size,
        &[40, 49, 16, 8],
    )
    .ok_or_else(|| {
        ProtocolError::malformed(
            "attendance table",
            format!("{total} bytes is not a whole number of 8, 16, 40 or 49-byte records"),
        )
    })
}

/// Pick the user layout for a dataset of `total` record bytes.
pub fn detect_user_layout(
    total: usize,
    count: Option<u32>,
    preferred: UserLayout,
) -> Result<UserLayout, ProtocolError> {
    detect(total, count, preferred, UserLayout::from_size, &[72, 28]).ok_or_else(|| {
        ProtocolError::malformed(
            "user table",
            format!("{total} bytes is not a whole number of 28 or 72-byte records"),
        )
    })
}

fn detect<L: Copy + PartialEq>(
    total: usize,
    count: Option<u32>,
    preferred: L,
    from_size: fn(usize) -> Option<L>,
    sizes: &[usize],
) -> Option<L> {
    if total == 0 {
        return Some(preferred);
    }
    if let Some(n) = count.filter(|&n| n > 0) {
        let n = n as usize;
        if total.is_multiple_of(n) {
            if let Some(l) = from_size(total / n) {
                return Some(l);
            }
        }
    }
    let fits: Vec<L> = sizes
        .iter()
        .filter(|&&s| total.is_multiple_of(s))
        .filter_map(|&s| from_size(s))
        .collect();
    if fits.contains(&preferred) {
        Some(preferred)
    } else {
        fits.first().copied()
    }
}

/// What a dataset decoder yields as it goes.
pub trait RecordLayout: Copy {
    type Record;
    fn size(self) -> usize;
    fn decode(self, rec: &[u8]) -> Result<Self::Record, ProtocolError>;
}

impl RecordLayout for UserLayout {
    type Record = User;
    fn size(self) -> usize {
        UserLayout::size(self)
    }
    fn decode(self, rec: &[u8]) -> Result<User, ProtocolError> {
        decode_user(self, rec)
    }
}

impl RecordLayout for PunchLayout {
    type Record = Punch;
    fn size(self) -> usize {
        PunchLayout::size(self)
    }
    fn decode(self, rec: &[u8]) -> Result<Punch, ProtocolError> {
        decode_punch(self, rec)
    }
}

/// Incremental decoder for a `[u32 byte count][records]` dataset arriving in
/// chunks of any size. The layout is chosen once the 4-byte prefix is known.
pub struct DatasetDecoder<L: RecordLayout> {
    choose: Box<dyn Fn(usize) -> Result<L, ProtocolError> + Send>,
    layout: Option<L>,
    prefix: Vec<u8>,
    declared: usize,
    consumed: usize,
    partial: Vec<u8>,
    /// Records that failed to decode (e.g. an impossible date); skipped, counted.
    pub skipped: usize,
    pub first_error: Option<ProtocolError>,
}

impl<L: RecordLayout> DatasetDecoder<L> {
    /// `choose` maps the declared record-byte count to a layout.
    pub fn new(choose: impl Fn(usize) -> Result<L, ProtocolError> + Send + 'static) -> Self {
        DatasetDecoder {
            choose: Box::new(choose),
            layout: None,
            prefix: Vec::with_capacity(4),
            declared: 0,
            consumed: 0,
            partial: Vec::new(),
            skipped: 0,
            first_error: None,
        }
    }

    /// The layout, once the prefix has been seen.
    pub fn layout(&self) -> Option<L> {
        self.layout
    }

    /// Record bytes the dataset announced.
    pub fn declared(&self) -> usize {
        self.declared
    }

    /// Feed the next piece of the dataset; decoded records go to `sink`.
    ///
    /// A record that does not decode is skipped and counted rather than
    /// aborting the pull: one corrupt punch must not cost all the others.
    pub fn push(
        &mut self,
        mut bytes: &[u8],
        sink: &mut dyn FnMut(L::Record),
    ) -> Result<(), ProtocolError> {
        if self.layout.is_none() {
            let need = 4 - self.prefix.len();
            let take = need.min(bytes.len());
            self.prefix.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.prefix.len() < 4 {
                return Ok(());
            }
            self.declared = u32_at(&self.prefix, 0) as usize;
            self.layout = Some((self.choose)(self.declared)?);
        }
        let layout = self.layout.expect("set above");
        let size = layout.size();
        if self.consumed + bytes.len() > self.declared {
            return Err(ProtocolError::malformed(
                "dataset",
                format!(
                    "more bytes than the {} the dataset announced",
                    self.declared
                ),
            ));
        }
        self.consumed += bytes.len();
        if !self.partial.is_empty() {
            let take = (size - self.partial.len()).min(bytes.len());
            self.partial.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.partial.len() == size {
                let rec = std::mem::take(&mut self.partial);
                self.emit(layout, &rec, sink);
            }
        }
        let mut recs = bytes.chunks_exact(size);
        for rec in &mut recs {
            self.emit(layout, rec, sink);
        }
        self.partial.extend_from_slice(recs.remainder());
        Ok(())
    }

    fn emit(&mut self, layout: L, rec: &[u8], sink: &mut dyn FnMut(L::Record)) {
        match layout.decode(rec) {
            Ok(r) => sink(r),
            Err(e) => {
                self.skipped += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    /// Check that the dataset ended where it said it would.
    pub fn finish(&self) -> Result<(), ProtocolError> {
        if self.layout.is_none() && !self.prefix.is_empty() {
            return Err(ProtocolError::malformed("dataset", "truncated size prefix"));
        }
        if self.consumed != self.declared || !self.partial.is_empty() {
            return Err(ProtocolError::malformed(
                "dataset",
                format!(
                    "announced {} record bytes, received {}",
                    self.declared, self.consumed
                ),
            ));
        }
        Ok(())
    }
}

/// Build a whole dataset (prefix + records), for the simulator and tests.
pub fn dataset(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + records.len());
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    out.extend_from_slice(records);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> DeviceTime {
        DeviceTime::new(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn adrobinoga_40_byte_record() {
        // uid 1, user "1", verify 1 (fingerprint), time 0x2368B36B, state 0.
        let mut rec = vec![0u8; 40];
        rec[0] = 1;
        rec[2] = b'1';
        rec[26] = 1;
        rec[27..31].copy_from_slice(&0x2368B36Bu32.to_le_bytes());
        let p = decode_punch(PunchLayout::B40, &rec).unwrap();
        assert_eq!(p.user_id, "1");
        assert_eq!(p.status, 1);
        assert_eq!(p.time, t(2018, 6, 25, 17, 50, 35));
    }

    #[test]
    fn eight_byte_record_time_at_offset_four() {
        let mut rec = vec![0u8; 8];
        rec[0] = 13;
        rec[2] = 1;
        rec[4..8].copy_from_slice(&t(2019, 3, 4, 7, 54, 58).encode().unwrap().to_le_bytes());
        let p = decode_punch(PunchLayout::B8, &rec).unwrap();
        assert_eq!((p.uid, p.time), (13, t(2019, 3, 4, 7, 54, 58)));
    }

    #[test]
    fn long_enroll_ids_are_kept_whole() {
        let id = "ABCDEFGHIJKLMNOPQRSTUVWX"; // 24 characters
        let u = User {
            uid: 9,
            privilege: 14,
            password: "123".into(),
            name: "Ada Lovelace".into(),
            name_bytes: b"Ada Lovelace".to_vec(),
            card: 4242,
            group: 1,
            user_id: id.into(),
        };
        let mut buf = vec![];
        encode_user(UserLayout::Zk8, &u, &mut buf);
        assert_eq!(decode_user(UserLayout::Zk8, &buf).unwrap(), u);
        let p = Punch {
            uid: 9,
            user_id: id.into(),
            time: t(2026, 11, 28, 9, 0, 0),
            status: 15,
            punch: 1,
        };
        for layout in [PunchLayout::B40, PunchLayout::B49] {
            let mut buf = vec![];
            encode_punch(layout, &p, &mut buf).unwrap();
            assert_eq!(decode_punch(layout, &buf).unwrap(), p);
        }
    }

    #[test]
    fn zk6_user_roundtrip() {
        let u = User {
            uid: 3,
            privilege: 0,
            password: "".into(),
            name: "Bob".into(),
            name_bytes: b"Bob".to_vec(),
            card: 0,
            group: 1,
            user_id: "1002".into(),
        };
        let mut buf = vec![];
        encode_user(UserLayout::Zk6, &u, &mut buf);
        assert_eq!(buf.len(), 28);
        assert_eq!(decode_user(UserLayout::Zk6, &buf).unwrap(), u);
    }

    #[test]
    fn detection() {
        // Count agrees.
        assert_eq!(
            detect_punch_layout(49 * 3, Some(3), PunchLayout::B40).unwrap(),
            PunchLayout::B49
        );
        // Count stale: 40*10 is also divisible by 16 and 8; prefer transport default.
        assert_eq!(
            detect_punch_layout(400, Some(7), PunchLayout::B40).unwrap(),
            PunchLayout::B40
        );
        assert_eq!(
            detect_punch_layout(400, None, PunchLayout::B16).unwrap(),
            PunchLayout::B16
        );
        assert!(detect_punch_layout(7, None, PunchLayout::B40).is_err());
        assert_eq!(
            detect_user_layout(28 * 5, Some(5), UserLayout::Zk8).unwrap(),
            UserLayout::Zk6
        );
        // 504 = 7*72 = 18*28: the count decides.
        assert_eq!(
            detect_user_layout(504, Some(18), UserLayout::Zk8).unwrap(),
            UserLayout::Zk6
        );
    }

    #[test]
    fn decoder_streams_and_checks_length() {
        let mut recs = vec![];
        let p = Punch {
            uid: 1,
            user_id: "7".into(),
            time: t(2025, 5, 5, 5, 5, 5),
            status: 1,
            punch: 0,
        };
        for _ in 0..10 {
            encode_punch(PunchLayout::B40, &p, &mut recs).unwrap();
        }
        let data = dataset(&recs);
        let mut dec = DatasetDecoder::new(|n| detect_punch_layout(n, Some(10), PunchLayout::B40));
        let mut got = vec![];
        for piece in data.chunks(3) {
            dec.push(piece, &mut |r| got.push(r)).unwrap();
        }
        dec.finish().unwrap();
        assert_eq!(got.len(), 10);
        assert!(got.iter().all(|r| *r == p));

        let mut dec = DatasetDecoder::new(|n| detect_punch_layout(n, None, PunchLayout::B40));
        dec.push(&data[..data.len() - 1], &mut |_| {}).unwrap();
        assert!(dec.finish().is_err());
    }

    #[test]
    fn corrupt_record_is_skipped_not_fatal() {
        let mut recs = vec![0u8; 80];
        recs[40 + 2] = b'5';
        let good = t(2024, 1, 31, 8, 30, 0).encode().unwrap();
        recs[40 + 27..40 + 31].copy_from_slice(&good.to_le_bytes());
        // First record: time 0xFFFFFFFF (year 2133 Feb 30-ish or invalid).
        recs[27..31].copy_from_slice(&(((24 * 12 + 1) * 31 + 30) * 86400u32).to_le_bytes());
        let mut dec = DatasetDecoder::new(|n| detect_punch_layout(n, Some(2), PunchLayout::B40));
        let mut got = vec![];
        dec.push(&dataset(&recs), &mut |r| got.push(r)).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(dec.skipped, 1);
    }

    proptest! {
        #[test]
        fn arbitrary_records_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            for l in [PunchLayout::B8, PunchLayout::B16, PunchLayout::B40, PunchLayout::B49] {
                let _ = decode_punch(l, &bytes);
                if bytes.len() >= l.size() { let _ = decode_punch(l, &bytes[..l.size()]); }
            }
            for l in [UserLayout::Zk6, UserLayout::Zk8] {
                let _ = decode_user(l, &bytes);
                if bytes.len() >= l.size() { let _ = decode_user(l, &bytes[..l.size()]); }
            }
            let mut dec = DatasetDecoder::new(|n| detect_punch_layout(n, None, PunchLayout::B40));
            let _ = dec.push(&bytes, &mut |_| {});
            let _ = dec.finish();
        }
    }
}
