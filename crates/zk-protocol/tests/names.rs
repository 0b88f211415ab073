//! Names in legacy code pages, read through the real user-record decoder.
//! The byte strings were produced by Python's codecs, not by encoding_rs,
//! so these tests check our choice of codec against an independent one.

use zk_protocol::names::{DeviceLanguage, NameDecoding, NameEncoding};
use zk_protocol::records::{
    decode_user, decode_user_with, encode_name, encode_user_in, encode_user_lossy_in, UserLayout,
};
use zk_protocol::User;

/// A 72-byte user record holding `name` bytes, as a device would send it.
fn record(name: &[u8]) -> Vec<u8> {
    let mut rec = vec![0u8; 72];
    rec[0] = 7;
    rec[11..11 + name.len()].copy_from_slice(name);
    rec[39] = 1;
    rec[48..52].copy_from_slice(b"1007");
    rec
}

/// (setting string, bytes as the device stores them, the name they spell).
const CASES: &[(&str, &[u8], &str)] = &[
    (
        "UTF-8",
        &[0x4e, 0xc3, 0xba, 0xc3, 0xb1, 0x65, 0x7a],
        "Núñez",
    ),
    ("CP1252", &[0x4e, 0xfa, 0xf1, 0x65, 0x7a], "Núñez"),
    ("GB2312", &[0xd5, 0xc5, 0xce, 0xb0], "张伟"),
    ("GBK", &[0xd5, 0xc5, 0xce, 0xb0], "张伟"),
    ("GB18030", &[0xcd, 0xf5, 0x94, 0x39, 0xfc, 0x36], "王😀"),
    ("CP1256", &[0xda, 0xe1, 0xed], "علي"),
    ("CP1251", &[0xc8, 0xe2, 0xe0, 0xed], "Иван"),
    ("CP1250", &[0x44, 0x76, 0x6f, 0xf8, 0xe1, 0x6b], "Dvořák"),
    ("CP1253", &[0xcd, 0xdf, 0xea, 0xef, 0xf2], "Νίκος"),
    ("CP1254", &[0xde, 0xfc, 0x6b, 0x72, 0xfc], "Şükrü"),
    ("CP1255", &[0xe3, 0xe5, 0xe3], "דוד"),
    ("CP874", &[0xca, 0xc1, 0xaa, 0xd2, 0xc2], "สมชาย"),
    ("Shift_JIS", &[0x8e, 0x52, 0x93, 0x63], "山田"),
    ("Big5", &[0xb3, 0xaf, 0xa4, 0x6a, 0xa4, 0xe5], "陳大文"),
    ("EUC-KR", &[0xb1, 0xe8, 0xb9, 0xce], "김민"),
    ("CP1257", &[0x4a, 0xfb, 0x72, 0x61, 0x74, 0xeb], "Jūratė"),
    ("CP1258", &[0x4e, 0x67, 0x75, 0x79, 0xea, 0x6e], "Nguyên"),
];

#[test]
fn each_code_page_through_the_record_decoder() {
    for &(setting, bytes, name) in CASES {
        let enc: NameEncoding = setting.parse().unwrap();
        let u = decode_user_with(
            UserLayout::Zk8,
            &record(bytes),
            &NameDecoding::with_setting(enc),
        )
        .unwrap();
        assert_eq!(u.name, name, "{setting}");
        assert_eq!(u.name_bytes, bytes, "{setting}: raw bytes kept");
        assert_eq!(u.user_id, "1007");
        // Writing the name back gives the device's bytes again.
        assert_eq!(enc.encode(name).unwrap(), bytes, "{setting} encoder");
    }
}

#[test]
fn without_a_setting_non_utf8_falls_back_to_cp1252_and_can_be_redecoded() {
    let mut u = decode_user(UserLayout::Zk8, &record(&[0x4e, 0xfa, 0xf1, 0x65, 0x7a])).unwrap();
    assert_eq!(u.name, "Núñez");
    let mut gb = decode_user(UserLayout::Zk8, &record(&[0xd5, 0xc5, 0xce, 0xb0])).unwrap();
    assert_ne!(gb.name, "张伟", "CP1252 cannot read GB2312");
    // The owner changes the device's setting: the kept bytes decode right.
    gb.redecode_name(&NameDecoding::with_setting(NameEncoding::Gbk));
    assert_eq!(gb.name, "张伟");
    u.redecode_name(&NameDecoding::with_setting(NameEncoding::Gbk));
    assert_ne!(
        u.name, "Núñez",
        "the setting applies to every non-UTF-8 name"
    );
}

#[test]
fn valid_utf8_wins_over_the_setting() {
    let how = NameDecoding::with_setting(NameEncoding::Cp1251);
    let u = decode_user_with(UserLayout::Zk8, &record("José Ávila".as_bytes()), &how).unwrap();
    assert_eq!(u.name, "José Ávila");
}

#[test]
fn the_language_picks_the_default_and_the_setting_overrides_it() {
    let chinese = NameDecoding {
        setting: None,
        language: DeviceLanguage::parse("83"),
    };
    let u = decode_user_with(
        UserLayout::Zk8,
        &record(&[0xd5, 0xc5, 0xce, 0xb0]),
        &chinese,
    );
    assert_eq!(u.unwrap().name, "张伟");
    let arabic = NameDecoding {
        setting: None,
        language: DeviceLanguage::parse("B"),
    };
    assert_eq!(arabic.fallback(), NameEncoding::Arabic1256);
    let overridden = NameDecoding {
        setting: Some(NameEncoding::Cp1251),
        ..chinese
    };
    assert_eq!(overridden.fallback(), NameEncoding::Cp1251);
    let unknown = NameDecoding {
        setting: None,
        language: DeviceLanguage::parse("999"),
    };
    assert_eq!(unknown.fallback(), NameEncoding::Cp1252);
}

#[test]
fn zk6_names_of_eight_bytes_without_a_terminator() {
    let mut rec = vec![0u8; 28];
    rec[8..16].copy_from_slice(&[0x4e, 0xfa, 0xf1, 0x65, 0x7a, 0x20, 0x41, 0x2e]);
    let u = decode_user(UserLayout::Zk6, &rec).unwrap();
    assert_eq!(u.name, "Núñez A.");
    assert_eq!(u.name_bytes.len(), 8);
}

fn user(name: &str) -> User {
    User {
        uid: 5,
        privilege: 0,
        password: String::new(),
        name: name.into(),
        name_bytes: Vec::new(),
        card: 0,
        group: 1,
        user_id: "1005".into(),
    }
}

#[test]
fn writing_refuses_what_the_code_page_cannot_store() {
    let mut out = vec![];
    let err = encode_user_in(
        UserLayout::Zk8,
        &user("Zoë 张"),
        NameEncoding::Cp1252,
        &mut out,
    )
    .unwrap_err();
    assert_eq!(err.chars, vec!['张']);
    assert_eq!(err.to_string(), "CP1252 cannot store '张'");
    assert!(out.is_empty(), "nothing written on refusal");
    encode_user_lossy_in(
        UserLayout::Zk8,
        &user("Zoë 张"),
        NameEncoding::Cp1252,
        &mut out,
    );
    let back = decode_user(UserLayout::Zk8, &out).unwrap();
    assert_eq!(back.name, "Zoë ?");
}

#[test]
fn writing_cuts_long_names_at_a_character_boundary() {
    // 12 Chinese characters are 24 GBK bytes; a 72-byte record holds 23.
    let name = "张伟张伟张伟张伟张伟张伟";
    let bytes = encode_name(UserLayout::Zk8, name, NameEncoding::Gbk, false).unwrap();
    assert_eq!(bytes.len(), 22);
    let mut out = vec![];
    encode_user_in(UserLayout::Zk8, &user(name), NameEncoding::Gbk, &mut out).unwrap();
    let back = decode_user_with(
        UserLayout::Zk8,
        &out,
        &NameDecoding::with_setting(NameEncoding::Gbk),
    )
    .unwrap();
    assert_eq!(back.name, "张伟张伟张伟张伟张伟张");
    let utf8 = encode_name(UserLayout::Zk6, "Núñez Díaz", NameEncoding::Utf8, false).unwrap();
    assert_eq!(String::from_utf8(utf8).unwrap(), "Núñez "); // 8 bytes max, whole chars
}

#[test]
fn settings_parse_case_insensitively_and_list_what_is_supported() {
    assert_eq!("windows-1252".parse(), Ok(NameEncoding::Cp1252));
    assert_eq!(" gb2312 ".parse(), Ok(NameEncoding::Gbk));
    assert_eq!("SJIS".parse(), Ok(NameEncoding::ShiftJis));
    assert_eq!("utf8".parse(), Ok(NameEncoding::Utf8));
    for enc in NameEncoding::ALL {
        assert_eq!(
            enc.name().parse(),
            Ok(enc),
            "{enc} parses from its own name"
        );
    }
    let err = "klingon".parse::<NameEncoding>().unwrap_err().to_string();
    assert!(err.contains("klingon") && err.contains("CP1252") && err.contains("GB18030"));
}

#[test]
fn every_language_in_the_reference_has_a_code_page() {
    assert_eq!(DeviceLanguage::known().count(), 23);
    for l in DeviceLanguage::known() {
        assert!(l.name().is_some() && l.name_encoding().is_some(), "{l:?}");
    }
    assert_eq!(DeviceLanguage::parse("S"), Some(DeviceLanguage(83)));
    assert_eq!(
        DeviceLanguage(97).name_encoding(),
        Some(NameEncoding::Cp1252)
    );
    assert_eq!(DeviceLanguage::parse("xx"), None);
}

#[test]
fn writing_follows_the_setting_then_the_evidence() {
    let spanish = NameDecoding {
        setting: None,
        language: DeviceLanguage::parse("97"),
    };
    assert_eq!(spanish.for_writing(false), NameEncoding::Utf8);
    assert_eq!(spanish.for_writing(true), NameEncoding::Cp1252);
    let set = NameDecoding::with_setting(NameEncoding::Cp1250);
    assert_eq!(set.for_writing(false), NameEncoding::Cp1250);
}
