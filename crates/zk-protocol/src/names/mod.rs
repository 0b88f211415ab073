//! User names in whatever encoding the device stores them.
//!
//! Decoding rule (issue 14 item 12): UTF-8 when the bytes are valid UTF-8;
//! otherwise the device's encoding setting; without a setting, the code page
//! of the device's menu language when it reported one; CP1252 as the last
//! resort. The raw bytes are kept beside the decoded text (see
//! [`crate::User::name_bytes`]) so a name can be decoded again after the
//! setting changes.

mod encoding;
mod language;

pub use encoding::{NameEncoding, UnknownEncoding, Unrepresentable};
pub use language::DeviceLanguage;

/// What is known about a device's text: its setting and its language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameDecoding {
    /// The per-device setting chosen by the owner, if any.
    pub setting: Option<NameEncoding>,
    /// The language the device reported, if any.
    pub language: Option<DeviceLanguage>,
}

impl NameDecoding {
    /// Only the last-resort fallback is known.
    pub const DEFAULT: NameDecoding = NameDecoding {
        setting: None,
        language: None,
    };

    /// A decoding with the owner's setting.
    pub fn with_setting(setting: NameEncoding) -> NameDecoding {
        NameDecoding {
            setting: Some(setting),
            language: None,
        }
    }

    /// The code page used for bytes that are not UTF-8.
    pub fn fallback(&self) -> NameEncoding {
        self.setting
            .or_else(|| self.language.and_then(DeviceLanguage::name_encoding))
            .unwrap_or(NameEncoding::Cp1252)
    }

    /// Decode name bytes by the rule above, trimmed of spaces.
    pub fn decode(&self, bytes: &[u8]) -> String {
        self.decode_text(bytes).trim().to_string()
    }

    /// Decode text by the rule above, untrimmed (for protocol lines, where
    /// TABs are separators).
    pub fn decode_text<'a>(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => std::borrow::Cow::Owned(self.fallback().decode(bytes)),
        }
    }

    /// The encoding to write names in. Without a setting there is no sure
    /// sign of what the device expects: `legacy_seen` (a name read from it
    /// was not UTF-8) says it uses its language's code page; otherwise UTF-8.
    pub fn for_writing(&self, legacy_seen: bool) -> NameEncoding {
        match self.setting {
            Some(enc) => enc,
            None if legacy_seen => self.fallback(),
            None => NameEncoding::Utf8,
        }
    }
}
