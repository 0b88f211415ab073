//! A device's name-encoding setting (issue 14 item 12): which code page
//! the names it stores are in, or `auto`. The closed list the pages and
//! the API offer; `zk_protocol::NameDecoding` applies it.

use zk_protocol::{DeviceLanguage, NameDecoding, NameEncoding};

text_enum!(
    /// What the owner chose for a device's names. `Auto`: the code page of
    /// the device's menu language when it reports one, else CP1252. Valid
    /// UTF-8 is read as UTF-8 whatever the setting.
    NameSetting {
        Auto => "auto",
        Utf8 => "utf-8",
        Cp1252 => "cp1252",
        Gb2312 => "gb2312",
        Gb18030 => "gb18030",
        Big5 => "big5",
        ShiftJis => "shift_jis",
        EucKr => "euc-kr",
        Cp1250 => "cp1250",
        Cp1251 => "cp1251",
        Cp1253 => "cp1253",
        Cp1254 => "cp1254",
        Cp1255 => "cp1255",
        Cp1256 => "cp1256",
        Cp1257 => "cp1257",
        Cp1258 => "cp1258",
        Cp874 => "cp874",
    }
);

impl NameSetting {
    /// The code page chosen; `None` for `Auto`.
    pub fn encoding(self) -> Option<NameEncoding> {
        Some(match self {
            NameSetting::Auto => return None,
            NameSetting::Utf8 => NameEncoding::Utf8,
            NameSetting::Cp1252 => NameEncoding::Cp1252,
            // GBK is the superset GB2312 clocks actually write.
            NameSetting::Gb2312 => NameEncoding::Gbk,
            NameSetting::Gb18030 => NameEncoding::Gb18030,
            NameSetting::Big5 => NameEncoding::Big5,
            NameSetting::ShiftJis => NameEncoding::ShiftJis,
            NameSetting::EucKr => NameEncoding::EucKr,
            NameSetting::Cp1250 => NameEncoding::Cp1250,
            NameSetting::Cp1251 => NameEncoding::Cp1251,
            NameSetting::Cp1253 => NameEncoding::Greek1253,
            NameSetting::Cp1254 => NameEncoding::Turkish1254,
            NameSetting::Cp1255 => NameEncoding::Hebrew1255,
            NameSetting::Cp1256 => NameEncoding::Arabic1256,
            NameSetting::Cp1257 => NameEncoding::Baltic1257,
            NameSetting::Cp1258 => NameEncoding::Vietnamese1258,
            NameSetting::Cp874 => NameEncoding::Thai874,
        })
    }

    /// How the device's names are read: this setting, then the language
    /// the device reported (if any), then CP1252.
    pub fn decoding(self, language: Option<u16>) -> NameDecoding {
        NameDecoding {
            setting: self.encoding(),
            language: language.map(DeviceLanguage),
        }
    }

    /// What the setting form shows for it.
    pub fn label(self) -> &'static str {
        match self {
            NameSetting::Auto => "Automatic (the device's language, else Western CP1252)",
            NameSetting::Utf8 => "UTF-8 (newer firmware)",
            NameSetting::Cp1252 => "Western European: Spanish, Portuguese, German… (CP1252)",
            NameSetting::Gb2312 => "Simplified Chinese (GB2312 / GBK)",
            NameSetting::Gb18030 => "Simplified Chinese, full (GB18030)",
            NameSetting::Big5 => "Traditional Chinese (Big5)",
            NameSetting::ShiftJis => "Japanese (Shift_JIS)",
            NameSetting::EucKr => "Korean (EUC-KR)",
            NameSetting::Cp1250 => "Central European: Polish, Czech… (CP1250)",
            NameSetting::Cp1251 => "Cyrillic: Russian, Ukrainian… (CP1251)",
            NameSetting::Cp1253 => "Greek (CP1253)",
            NameSetting::Cp1254 => "Turkish (CP1254)",
            NameSetting::Cp1255 => "Hebrew (CP1255)",
            NameSetting::Cp1256 => "Arabic, Persian (CP1256)",
            NameSetting::Cp1257 => "Baltic (CP1257)",
            NameSetting::Cp1258 => "Vietnamese (CP1258)",
            NameSetting::Cp874 => "Thai (CP874)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_round_trips_and_names_its_code_page() {
        for s in NameSetting::ALL {
            assert_eq!(s.as_str().parse::<NameSetting>(), Ok(*s));
            assert_eq!(s.encoding().is_none(), *s == NameSetting::Auto);
        }
        assert!(
            "GB2312".parse::<NameSetting>().is_err(),
            "the list is exact"
        );
        assert_eq!(NameSetting::Gb2312.encoding(), Some(NameEncoding::Gbk));
    }

    #[test]
    fn auto_follows_the_language_then_cp1252() {
        let gbk = [0xcd, 0xf5, 0xd0, 0xa1, 0xc3, 0xf7];
        assert_eq!(NameSetting::Auto.decoding(Some(83)).decode(&gbk), "王小明");
        assert_ne!(NameSetting::Auto.decoding(None).decode(&gbk), "王小明");
        assert_eq!(NameSetting::Gb2312.decoding(None).decode(&gbk), "王小明");
        let nunez = [0x4e, 0xfa, 0xf1, 0x65, 0x7a];
        assert_eq!(NameSetting::Auto.decoding(None).decode(&nunez), "Núñez");
        assert_eq!(
            NameSetting::Cp1256
                .decoding(Some(69))
                .decode("Núñez".as_bytes()),
            "Núñez"
        );
    }
}
