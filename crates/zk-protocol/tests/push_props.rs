//! Arbitrary input never panics a push parser, and every line of a body is
//! either a record or an error with its line number.

use proptest::prelude::*;
use zk_protocol::names::{NameDecoding, NameEncoding};
use zk_protocol::push::*;

fn decodings() -> impl Strategy<Value = NameDecoding> {
    prop_oneof![
        Just(NameDecoding::DEFAULT),
        Just(NameDecoding::with_setting(NameEncoding::Gb18030)),
        Just(NameDecoding::with_setting(NameEncoding::ShiftJis)),
    ]
}

/// Bytes that look like bodies: mostly protocol characters.
fn bodyish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"\t\n\r =&,:-0123456789ABCDEFPINUSERnamepin~[]".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

fn non_blank_lines(body: &[u8]) -> usize {
    body.split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn body_parsers_never_panic(body in prop_oneof![bodyish(), prop::collection::vec(any::<u8>(), 0..400)], how in decodings()) {
        let lines = non_blank_lines(&body);
        let a = parse_attlog(&body);
        prop_assert_eq!(a.lines_handled(), lines);
        let o = parse_operlog(&body, &how);
        prop_assert_eq!(o.lines_handled(), lines);
        let r = parse_rtlog(&body);
        prop_assert_eq!(r.lines_handled(), lines);
        let t = parse_tabledata(&body, &how);
        prop_assert_eq!(t.lines_handled(), lines);
        for e in a.errors.iter().chain(&o.errors) {
            prop_assert!(e.line >= 1 && !e.reason.is_empty());
        }
        let _ = parse_results(&body, &how);
        let _ = KeyValues::parse(&String::from_utf8_lossy(&body));
        let _ = DeviceInfo::parse(&String::from_utf8_lossy(&body));
        let _ = handshake::parse_options(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn requests_never_panic(method in "[A-Za-z]{0,6}", path in "(/iclock/)?[a-z.\\x00-\\x7f\u{e9}]{0,20}", query in "\\PC{0,200}") {
        if let Ok(r) = classify(&method, &path, &query) {
            prop_assert!(r.device.serial.as_str().len() <= Serial::MAX_LEN);
        }
        let _ = Endpoint::from_path(&path);
        let _ = PushVersion::parse(&query);
        let _ = time::parse_time(&query);
        let _ = timezone::parse_http_date(&query);
        let _ = parse_card(&query);
    }

    #[test]
    fn command_text_is_one_line_or_refused(name in "\\PC{0,40}|[\\t\\n\\r a-z]{0,10}", pin in "[0-9a-z\\t\\n ]{0,10}") {
        let cmd = Command::UpdateUser(UserUpdate {
            pin, name, privilege: 0, password: String::new(), card: None, group: 1,
        });
        if let Ok(text) = cmd.text() {
            prop_assert!(!text.contains('\n') && !text.contains('\r'));
            prop_assert_eq!(text.matches('\t').count(), 5);
        }
        for enc in NameEncoding::ALL {
            if let Ok(b) = format_batch(&[(CommandId::from(1), cmd.clone())], enc) {
                prop_assert!(b.body.ends_with(b"\n") || b.body == b"OK");
            }
        }
    }

    #[test]
    fn timezone_round_trips(minutes in -14 * 60..=14 * 60i32) {
        let v = TimeZoneOption::from_offset_seconds(minutes * 60).value();
        let back = TimeZoneOption::offset_minutes(v);
        if minutes.abs() > 60 || minutes % 60 == 0 {
            prop_assert_eq!(back, minutes);
        } else {
            prop_assert!((back - minutes).abs() <= 30);
        }
    }
}
