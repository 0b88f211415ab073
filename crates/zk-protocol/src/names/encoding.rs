//! The code pages a device may store user names in, and the two directions
//! of conversion through `encoding_rs`.

use encoding_rs::Encoding;
use std::fmt;
use std::str::FromStr;

/// A text encoding a device may use for user names.
///
/// Older clocks store names in the Windows code page of their menu language
/// (reference zk-protocol.md §9 "Names / encoding", adms-push.md §1
/// "Character set"); newer firmware uses UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameEncoding {
    Utf8,
    /// Western European (Spanish, Portuguese, German, French, …). The last resort.
    Cp1252,
    /// Simplified Chinese: GB2312 and its superset GBK (CP936).
    Gbk,
    /// Simplified Chinese, the full GB18030 (a superset of GBK).
    Gb18030,
    /// Traditional Chinese.
    Big5,
    /// Japanese.
    ShiftJis,
    /// Korean (encoding_rs's EUC-KR is the CP949 superset).
    EucKr,
    /// Central European (Polish, Czech, Slovak, Hungarian, …).
    Cp1250,
    /// Cyrillic.
    Cp1251,
    Greek1253,
    Turkish1254,
    Hebrew1255,
    /// Arabic and Persian.
    Arabic1256,
    Baltic1257,
    Vietnamese1258,
    /// Thai (also known as TIS-620).
    Thai874,
}

/// A name has characters the device's encoding cannot store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{encoding} cannot store {}", describe(.chars))]
pub struct Unrepresentable {
    pub encoding: NameEncoding,
    /// Each offending character once, in order of appearance.
    pub chars: Vec<char>,
}

fn describe(chars: &[char]) -> String {
    let list: Vec<String> = chars.iter().map(|c| format!("'{c}'")).collect();
    list.join(", ")
}

/// Canonical name, labels accepted when parsing (lower case), encoding_rs encoding.
type Entry = (NameEncoding, &'static str, &'static [&'static str]);

const TABLE: &[Entry] = &[
    (NameEncoding::Utf8, "UTF-8", &["utf-8", "utf8"]),
    (
        NameEncoding::Cp1252,
        "CP1252",
        &["cp1252", "windows-1252", "1252", "latin1", "iso-8859-1"],
    ),
    (
        NameEncoding::Gbk,
        "GBK",
        &["gbk", "gb2312", "cp936", "936", "gb_2312"],
    ),
    (NameEncoding::Gb18030, "GB18030", &["gb18030", "gb-18030"]),
    (
        NameEncoding::Big5,
        "Big5",
        &["big5", "big-5", "cp950", "950"],
    ),
    (
        NameEncoding::ShiftJis,
        "Shift_JIS",
        &["shift_jis", "shift-jis", "sjis", "cp932", "932"],
    ),
    (
        NameEncoding::EucKr,
        "EUC-KR",
        &["euc-kr", "euckr", "cp949", "949", "ks_c_5601-1987"],
    ),
    (
        NameEncoding::Cp1250,
        "CP1250",
        &["cp1250", "windows-1250", "1250"],
    ),
    (
        NameEncoding::Cp1251,
        "CP1251",
        &["cp1251", "windows-1251", "1251"],
    ),
    (
        NameEncoding::Greek1253,
        "CP1253",
        &["cp1253", "windows-1253", "1253"],
    ),
    (
        NameEncoding::Turkish1254,
        "CP1254",
        &["cp1254", "windows-1254", "1254"],
    ),
    (
        NameEncoding::Hebrew1255,
        "CP1255",
        &["cp1255", "windows-1255", "1255"],
    ),
    (
        NameEncoding::Arabic1256,
        "CP1256",
        &["cp1256", "windows-1256", "1256"],
    ),
    (
        NameEncoding::Baltic1257,
        "CP1257",
        &["cp1257", "windows-1257", "1257"],
    ),
    (
        NameEncoding::Vietnamese1258,
        "CP1258",
        &["cp1258", "windows-1258", "1258"],
    ),
    (
        NameEncoding::Thai874,
        "CP874",
        &["cp874", "windows-874", "874", "tis-620"],
    ),
];

impl NameEncoding {
    /// Every supported encoding, for settings forms and exhaustive tests.
    pub const ALL: [NameEncoding; 16] = [
        NameEncoding::Utf8,
        NameEncoding::Cp1252,
        NameEncoding::Gbk,
        NameEncoding::Gb18030,
        NameEncoding::Big5,
        NameEncoding::ShiftJis,
        NameEncoding::EucKr,
        NameEncoding::Cp1250,
        NameEncoding::Cp1251,
        NameEncoding::Greek1253,
        NameEncoding::Turkish1254,
        NameEncoding::Hebrew1255,
        NameEncoding::Arabic1256,
        NameEncoding::Baltic1257,
        NameEncoding::Vietnamese1258,
        NameEncoding::Thai874,
    ];

    fn entry(self) -> &'static Entry {
        TABLE
            .iter()
            .find(|e| e.0 == self)
            .expect("every variant is in TABLE")
    }

    /// The canonical name, as shown in settings and stored ("CP1252", "GBK", …).
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The `encoding_rs` codec behind this encoding.
    pub fn codec(self) -> &'static Encoding {
        use encoding_rs::*;
        match self {
            NameEncoding::Utf8 => UTF_8,
            NameEncoding::Cp1252 => WINDOWS_1252,
            NameEncoding::Gbk => GBK,
            NameEncoding::Gb18030 => GB18030,
            NameEncoding::Big5 => BIG5,
            NameEncoding::ShiftJis => SHIFT_JIS,
            NameEncoding::EucKr => EUC_KR,
            NameEncoding::Cp1250 => WINDOWS_1250,
            NameEncoding::Cp1251 => WINDOWS_1251,
            NameEncoding::Greek1253 => WINDOWS_1253,
            NameEncoding::Turkish1254 => WINDOWS_1254,
            NameEncoding::Hebrew1255 => WINDOWS_1255,
            NameEncoding::Arabic1256 => WINDOWS_1256,
            NameEncoding::Baltic1257 => WINDOWS_1257,
            NameEncoding::Vietnamese1258 => WINDOWS_1258,
            NameEncoding::Thai874 => WINDOWS_874,
        }
    }

    /// Decode bytes in this encoding; malformed sequences become U+FFFD.
    /// No BOM sniffing: a device name never carries one on purpose.
    pub fn decode(self, bytes: &[u8]) -> String {
        self.codec()
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }

    /// Encode for the device, refusing characters it cannot store (a name
    /// written with `?` in place of letters would be worse than an error).
    pub fn encode(self, text: &str) -> Result<Vec<u8>, Unrepresentable> {
        let (bytes, _, lossy) = self.codec().encode(text);
        if !lossy {
            return Ok(bytes.into_owned());
        }
        let mut chars: Vec<char> = Vec::new();
        for c in text.chars() {
            let mut buf = [0u8; 4];
            if self.codec().encode(c.encode_utf8(&mut buf)).2 && !chars.contains(&c) {
                chars.push(c);
            }
        }
        Err(Unrepresentable {
            encoding: self,
            chars,
        })
    }

    /// Encode, replacing each character the device cannot store with `?`
    /// (for the simulator and for callers that chose to accept the loss).
    pub fn encode_lossy(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            let mut buf = [0u8; 4];
            let (bytes, _, lossy) = self.codec().encode(c.encode_utf8(&mut buf));
            if lossy {
                out.push(b'?');
            } else {
                out.extend_from_slice(&bytes);
            }
        }
        out
    }
}

impl fmt::Display for NameEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A setting string that names no supported encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name encoding {name:?}; supported: {list}", name = .0, list = supported())]
pub struct UnknownEncoding(pub String);

fn supported() -> String {
    let names: Vec<&str> = TABLE.iter().map(|e| e.1).collect();
    names.join(", ")
}

impl FromStr for NameEncoding {
    type Err = UnknownEncoding;

    /// Case-insensitive; accepts the usual aliases ("windows-1252", "gb2312", "sjis", …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        TABLE
            .iter()
            .find(|e| e.2.contains(&wanted.as_str()))
            .map(|e| e.0)
            .ok_or_else(|| UnknownEncoding(s.to_string()))
    }
}
