//! Text in push bodies (adms-push.md §1 "Character set"): user names and SMS
//! are GB2312 on Chinese-language devices and UTF-8 otherwise. Decoding is
//! per line: UTF-8 when the line is valid UTF-8, else the device's setting,
//! else GB18030 (a superset of GB2312) for a Chinese-language device, else
//! the code page of its language, else CP1252.
//!
//! Devices send `language=` only on the handshake: store it per device and
//! pass it here for every later request.

use crate::names::{DeviceLanguage, NameDecoding, NameEncoding};

/// How to read a device's text.
pub fn decoding(language: Option<DeviceLanguage>, setting: Option<NameEncoding>) -> NameDecoding {
    let chinese = language.filter(|l| l.is_chinese());
    NameDecoding {
        setting: setting.or(chinese.map(|_| NameEncoding::Gb18030)),
        language,
    }
}

/// The encoding to send text to a device in (command bodies): the setting,
/// else GBK for a Chinese-language device (GB2312 firmware cannot show the
/// four-byte GB18030 forms, so those characters are refused), else UTF-8.
pub fn outgoing(language: Option<DeviceLanguage>, setting: Option<NameEncoding>) -> NameEncoding {
    match (setting, language) {
        (Some(enc), _) => enc,
        (None, Some(l)) if l.is_chinese() => NameEncoding::Gbk,
        _ => NameEncoding::Utf8,
    }
}
