//! The device's menu language, as the protocols report it, and the code
//! page a clock in that language stores names in.
//!
//! Source: adms-push.md §2.1 (`language=` on the push handshake), which
//! quotes ZKTeco's Attendance PUSH protocol, appendix 2 (A40), plus four
//! codes only in its V5.8 digest (A58). The binary protocol has a `Language`
//! option (zk-protocol.md §7.1, Windows SDK list) and the push INFO reply a
//! `Language` key (adms-push.md §4.2); neither reference gives their values,
//! so they are parsed with the same table (an unverified assumption).
//! The codes are ASCII letters ('E' = 69 English, 'S' = 83 Simplified Chinese).

use crate::names::NameEncoding;

/// A menu language code reported by the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceLanguage(pub u16);

/// Code, language, the Windows code page such devices use for names.
const LANGUAGES: &[(u16, &str, NameEncoding)] = &[
    (69, "English", NameEncoding::Cp1252),
    (83, "Simplified Chinese", NameEncoding::Gbk),
    (84, "Traditional Chinese", NameEncoding::Big5),
    (97, "Spanish", NameEncoding::Cp1252),
    (80, "Portuguese", NameEncoding::Cp1252),
    (82, "Russian", NameEncoding::Cp1251),
    (71, "German", NameEncoding::Cp1252),
    (65, "Persian", NameEncoding::Arabic1256),
    (76, "Thai", NameEncoding::Thai874),
    (73, "Indonesian", NameEncoding::Cp1252),
    (74, "Japanese", NameEncoding::ShiftJis),
    (75, "Korean", NameEncoding::EucKr),
    (86, "Vietnamese", NameEncoding::Vietnamese1258),
    (116, "Turkish", NameEncoding::Turkish1254),
    (72, "Hebrew", NameEncoding::Hebrew1255),
    (105, "Italian", NameEncoding::Cp1252),
    (89, "Slovak", NameEncoding::Cp1250),
    (103, "Greek", NameEncoding::Greek1253),
    (112, "Polish", NameEncoding::Cp1250),
    // A58 only.
    (70, "French", NameEncoding::Cp1252),
    (66, "Arabic", NameEncoding::Arabic1256),
    (90, "Czech", NameEncoding::Cp1250),
    (68, "Dutch", NameEncoding::Cp1252),
];

impl DeviceLanguage {
    /// Parse a reported value: a decimal code (`83`), or the single ASCII
    /// letter the code stands for (`S`). Anything else is `None`.
    pub fn parse(value: &str) -> Option<DeviceLanguage> {
        let v = value.trim();
        if let Ok(code) = v.parse::<u16>() {
            return Some(DeviceLanguage(code));
        }
        match v.as_bytes() {
            [b] if b.is_ascii_alphabetic() => Some(DeviceLanguage(u16::from(*b))),
            _ => None,
        }
    }

    /// The language's English name, when the code is in the reference.
    pub fn name(self) -> Option<&'static str> {
        LANGUAGES.iter().find(|l| l.0 == self.0).map(|l| l.1)
    }

    /// The code page a clock in this language stores names in, if known.
    pub fn name_encoding(self) -> Option<NameEncoding> {
        LANGUAGES.iter().find(|l| l.0 == self.0).map(|l| l.2)
    }

    /// Chinese-language devices send GB2312 text over push (adms-push.md §1).
    pub fn is_chinese(self) -> bool {
        matches!(self.0, 83 | 84)
    }

    /// Every language code the reference lists.
    pub fn known() -> impl Iterator<Item = DeviceLanguage> {
        LANGUAGES.iter().map(|l| DeviceLanguage(l.0))
    }
}
