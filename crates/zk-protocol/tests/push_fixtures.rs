//! Request bodies in the shapes adms-push.md describes from real devices
//! and ZKTeco's documents, replayed through the parsers. The reference
//! quotes their shape, not their bytes; each fixture says which passage it
//! follows, and the values are our own. The bodies are files in
//! `fixtures/push/`, so the app replays the same bytes through its
//! endpoint (`crates/punchclock/tests/push_fixtures.rs`).

use zk_protocol::names::{DeviceLanguage, NameDecoding, NameEncoding};
use zk_protocol::push::*;
use zk_protocol::{DeviceTime, VerifyMethod};

fn t(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> DeviceTime {
    DeviceTime::new(y, mo, d, h, mi, s).unwrap()
}

/// §9 / S11: ATTLOG with an empty work code, a trailing TAB, CRLF line ends.
const ATTLOG_S11: &[u8] = include_bytes!("fixtures/push/attlog_s11.txt");

#[test]
fn attlog_from_the_real_device_shape() {
    let p = parse_attlog(ATTLOG_S11);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.records.len(), 3);
    let r = &p.records[0];
    assert_eq!(r.pin, "1");
    assert_eq!(r.time, t(2025, 3, 2, 7, 58, 11));
    assert_eq!((r.status, r.verify), (0, VerifyMethod(1)));
    assert_eq!(r.verify.to_string(), "fingerprint");
    assert_eq!(r.work_code, "");
    assert_eq!(r.extra, ["0", "0", ""]);
    assert_eq!(p.records[1].status, 1);
    assert_eq!(p.records[2].verify.to_string(), "face");
    assert_eq!(reply::ok_count(p.lines_handled()), "OK:3");
}

/// §3.1: A40 V3.9+ temperature fields and A58's time offset after Reserved2.
#[test]
fn attlog_with_temperature_and_time_offset_columns() {
    let body = b"1002\t2025-03-02 08:00:00\t0\t15\t0\t0\t0\t1\t36.2\t0\t+28800\t-1\n";
    let r = &parse_attlog(body).records[0];
    assert_eq!(r.extra, ["0", "0", "1", "36.2", "0", "+28800", "-1"]);
    // Fewer columns than usual are tolerated ("some devices do not have the last three fields").
    let r = &parse_attlog(b"1002\t2025-03-02 08:00:00").records[0];
    assert_eq!(
        (r.status, r.verify, r.work_code.as_str()),
        (0, VerifyMethod(0), "")
    );
}

#[test]
fn a_malformed_attlog_line_is_reported_and_the_rest_kept() {
    let body = b"1\t2025-03-02 07:58:11\t0\t1\n\
2 2025-03-02 07:59:00 0 1\n\
\n\
3\t2025-02-30 08:00:00\t0\t1\n\
\t2025-03-02 08:00:00\t0\t1\n\
4\t2025-03-02 08:01:00\tx\t1\n\
5\t2025-03-02 08:02:00\t0\t4\t\t0\t0\n";
    let p = parse_attlog(body);
    assert_eq!(
        p.records.iter().map(|r| r.pin.as_str()).collect::<Vec<_>>(),
        ["1", "5"]
    );
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 4, 5, 6]);
    assert!(p.errors[0].reason.contains("spaces"), "{}", p.errors[0]);
    assert!(p.errors[1].reason.contains("2025-02-30"), "{}", p.errors[1]);
    assert_eq!(p.errors[2].reason, "no PIN (enroll ID)");
    assert_eq!(
        p.errors[3].to_string(),
        "line 6: status \"x\" is not a number"
    );
}

/// §3.3 and §9 / S11: an OPERLOG mixing OPLOG and FP lines, code 6 with the
/// PIN in obj1, the finger in obj3 and a length in obj4; base64 with `\/`.
const OPERLOG_S11: &[u8] = include_bytes!("fixtures/push/operlog_s11.txt");

#[test]
fn operlog_mixing_operations_and_fingerprints() {
    let p = parse_operlog(OPERLOG_S11, &NameDecoding::DEFAULT);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.records.len(), 6);
    let OperLogRecord::Operation(op) = &p.records[3] else {
        panic!("{:?}", p.records[3])
    };
    assert_eq!(op.code, 6);
    assert_eq!(op.description(), Some("fingerprint enrolled"));
    assert_eq!(op.operator, "0");
    assert_eq!(op.time, t(2025, 3, 1, 9, 13, 41));
    assert_eq!(op.objects, ["1005", "0", "1", "906"]);
    let OperLogRecord::Biometric(fp) = &p.records[4] else {
        panic!("{:?}", p.records[4])
    };
    assert_eq!((fp.kind.as_str(), fp.pin.as_str()), ("FP", "1005"));
    // Split at the first '=': base64 padding stays in the value.
    assert_eq!(fp.fields[4], ("TMP".into(), "SGVsbG8\\/aGk=".into()));
    let OperLogRecord::Operation(op) = &p.records[5] else {
        panic!()
    };
    assert_eq!(op.description(), Some("user name changed"));
}

/// §9: the first FP template of S11 is damaged by a CRLF and a TAB inside
/// it; the broken tail is one bad line, and the lines around it survive.
#[test]
fn a_template_broken_by_a_line_break_costs_one_line() {
    let body = b"OPLOG 6\t0\t2025-03-01 09:13:41\t1005\t0\t0\t906\r\n\
FP PIN=1005\tFID=0\tSize=40\tValid=1\tTMP=QUJDREVGR0g\\/SUpL\r\n\
TE1OT1BRUlNUVVZX\tWFla\r\n\
OPLOG 6\t0\t2025-03-01 09:13:42\t1005\t0\t1\t1218\r\n";
    let p = parse_operlog(body, &NameDecoding::DEFAULT);
    assert_eq!(p.records.len(), 3);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 3);
    assert!(p.errors[0].reason.contains("unknown record type"));
}

/// §3.3: USER lines with every field, card in the `[hex]` form, and the
/// FVEIN `Pin`/`Tmp` capitalisation.
#[test]
fn operlog_users_and_their_fields() {
    let body = include_str!("fixtures/push/operlog_users.txt");
    let p = parse_operlog(body.as_bytes(), &NameDecoding::DEFAULT);
    assert_eq!(p.records.len(), 5);
    let OperLogRecord::User(u) = &p.records[0] else {
        panic!()
    };
    assert_eq!(u.pin, "1005");
    assert_eq!(u.name, "Núñez");
    assert_eq!(u.privilege, Some(14));
    assert_eq!(u.card, Some(123_456_789));
    assert_eq!(u.group, Some(1));
    let OperLogRecord::User(u) = &p.records[1] else {
        panic!()
    };
    assert_eq!(
        (u.name.as_str(), u.card, u.password.as_str()),
        ("", Some(4_000_000_001), "123")
    );
    let OperLogRecord::User(u) = &p.records[2] else {
        panic!()
    };
    assert_eq!((u.privilege, u.card, u.group), (None, None, None));
    let OperLogRecord::Biometric(v) = &p.records[3] else {
        panic!()
    };
    assert_eq!((v.kind.as_str(), v.pin.as_str()), ("FVEIN", "1005"));
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 6);
    assert_eq!(p.errors[0].reason, "no PIN= field");
}

/// §1 "Character set": GB2312 names on a Chinese-language device.
#[test]
fn gb2312_names_on_a_chinese_device() {
    let body: &[u8] = include_bytes!("fixtures/push/operlog_gb2312.txt");
    let q = classify(
        "POST",
        "/iclock/cdata",
        "SN=CN001&table=OPERLOG&Stamp=1&language=83",
    )
    .unwrap();
    let how = text::decoding(q.device.language, None);
    let p = parse_operlog(body, &how);
    let names: Vec<_> = p
        .records
        .iter()
        .map(|r| match r {
            OperLogRecord::User(u) => u.name.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(names, ["张伟", "Li Na"]);
    // A device that did not say Chinese: UTF-8 fails, CP1252 is the fallback,
    // and the raw bytes allow decoding again once the owner sets GB2312.
    let english = classify("POST", "/iclock/cdata", "SN=X1&table=OPERLOG&language=69").unwrap();
    let p = parse_operlog(body, &text::decoding(english.device.language, None));
    let OperLogRecord::User(u) = &p.records[0] else {
        panic!()
    };
    assert_ne!(u.name, "张伟");
    let fixed = NameDecoding::with_setting("GB2312".parse().unwrap()).decode(&u.name_bytes);
    assert_eq!(fixed, "张伟");
    assert_eq!(text::outgoing(q.device.language, None), NameEncoding::Gbk);
    assert_eq!(
        text::outgoing(english.device.language, None),
        NameEncoding::Utf8
    );
}

/// §2.1 and the S11 Postman collection's handshake URL shape.
#[test]
fn handshake_query() {
    let q = classify(
        "GET",
        "/iclock/cdata",
        "SN=BOCK2009&options=all&language=69&pushver=2.4.0&DeviceType=middle%20east&PushOptionsFlag=1",
    )
    .unwrap();
    assert_eq!(q.endpoint, Endpoint::Cdata);
    assert_eq!(q.request, Request::Handshake { push_options: true });
    assert_eq!(q.device.serial.as_str(), "BOCK2009");
    assert_eq!(q.device.push_version, Some(PushVersion(2, 4, 0)));
    assert_eq!(q.device.language, Some(DeviceLanguage(69)));
    assert_eq!(q.device.language.unwrap().name(), Some("English"));
    assert_eq!(q.device.device_type.as_deref(), Some("middle east"));
    // Case varies between firmwares; .aspx variants map to the same endpoint.
    let q = classify(
        "get",
        "/iclock/cdata.aspx",
        "sn=A1&OPTIONS=ALL&pushcommkey=ab12",
    )
    .unwrap();
    assert_eq!(
        q.request,
        Request::Handshake {
            push_options: false
        }
    );
    assert_eq!(q.device.push_version, None);
    assert_eq!(q.device.push_comm_key.as_deref(), Some("ab12"));
    assert_eq!(
        q.device.effective_version(PushVersion(2, 4, 1)),
        PushVersion(2, 2, 14)
    );
}

#[test]
fn other_requests_are_classified() {
    let c = |m, p, q| classify(m, p, q).unwrap().request;
    assert_eq!(
        c("POST", "/iclock/cdata", "SN=A1&table=ATTLOG&Stamp=9999"),
        Request::Upload {
            table: Table::AttLog,
            stamp: Some("9999".into())
        }
    );
    assert_eq!(
        c(
            "POST",
            "/iclock/cdata",
            "SN=A1&table=tabledata&tablename=user&count=2"
        ),
        Request::Upload {
            table: Table::TableData {
                name: "user".into(),
                count: Some(2)
            },
            stamp: None
        }
    );
    assert_eq!(
        c("POST", "/iclock/cdata", "SN=A1&table=rtlog"),
        Request::Upload {
            table: Table::RtLog,
            stamp: None
        }
    );
    let Request::Poll { info: Some(info) } = c(
        "GET",
        "/iclock/getrequest.aspx",
        "SN=A1&INFO=Ver%202.0.12-20150625,12,30,4000,10.0.0.5,10,7,15,3,111",
    ) else {
        panic!()
    };
    assert_eq!(info.firmware.as_deref(), Some("Ver 2.0.12-20150625"));
    assert_eq!(info.features.as_deref(), Some("111"));
    assert_eq!(
        c("GET", "/iclock/getrequest", "SN=A1"),
        Request::Poll { info: None }
    );
    assert_eq!(
        c("POST", "/iclock/devicecmd", "SN=A1"),
        Request::CommandResults
    );
    assert_eq!(c("POST", "/iclock/registry", "SN=A1"), Request::Registry);
    assert_eq!(c("POST", "/iclock/push", "SN=A1"), Request::ConfigDownload);
    assert_eq!(c("GET", "/iclock/ping", "SN=A1"), Request::Ping);
    assert_eq!(
        c("GET", "/iclock/rtdata", "SN=A1&type=time"),
        Request::TimeQuery
    );
    assert_eq!(
        c("GET", "/iclock/cdata", "SN=A1&type=time"),
        Request::TimeQuery
    );
    assert_eq!(
        c("GET", "/iclock/cdata", "SN=A1&table=RemoteAtt&PIN=77"),
        Request::RemoteUser { pin: "77".into() }
    );
    assert_eq!(
        c("POST", "/iclock/fdata", "SN=A1"),
        Request::Unsupported(Endpoint::Fdata)
    );
    assert_eq!(
        classify("GET", "/iclock/cdata", "options=all"),
        Err(PushError::MissingSerial)
    );
    assert!(matches!(
        classify("GET", "/iclock/cdata", "SN=A%0A1&options=all"),
        Err(PushError::BadSerial(_))
    ));
    assert!(matches!(
        classify("GET", "/iclock/nothing", "SN=A1"),
        Err(PushError::UnknownPath(_))
    ));
    assert_eq!(
        classify("POST", "/iclock/cdata", "SN=A1"),
        Err(PushError::MissingTable)
    );
}

/// §2.3: the consensus handshake answer, line by line.
#[test]
fn handshake_answer_matches_the_consensus_block() {
    let q = classify(
        "GET",
        "/iclock/cdata",
        "SN=0316144680030&options=all&pushver=2.4.1",
    )
    .unwrap();
    let mut h = Handshake::new(TimeZoneOption::from_offset_seconds(8 * 3600));
    h.stamps.attlog = Some("9999".into());
    let body = h.render(&q.device);
    let expected = "GET OPTION FROM: 0316144680030\n\
ATTLOGStamp=9999\n\
OPERLOGStamp=0\n\
ATTPHOTOStamp=0\n\
ErrorDelay=30\n\
Delay=10\n\
TransTimes=00:00;14:05\n\
TransInterval=1\n\
TransFlag=TransData AttLog\tOpLog\tAttPhoto\tEnrollUser\tChgUser\tEnrollFP\tChgFP\n\
TimeZone=8\n\
Realtime=1\n\
Encrypt=0\n\
ServerVer=2.4.1\n\
PushProtVer=2.4.1\n\n";
    assert_eq!(body, expected);
    // What the device reads back.
    let opts = handshake::parse_options(&body);
    assert!(opts.contains(&("TimeZone".into(), "8".into())));
    // Old firmware (no pushver) gets the PUSH 1.0 stamp names; a stamp
    // carrying a line break cannot inject an option.
    let old = classify("GET", "/iclock/cdata", "SN=OLD1&options=all").unwrap();
    h.stamps.attlog = Some("1\nRealtime=0".into());
    let body = h.render(&old.device);
    assert!(
        body.contains("\nStamp=1Realtime=0\nOpStamp=0\nPhotoStamp=0\n"),
        "{body}"
    );
    assert_eq!(body.matches("Realtime=").count(), 2);
}

/// §2.4: the 3.x variant.
#[test]
fn security_push_handshake_registry_and_token() {
    let q = classify(
        "GET",
        "/iclock/cdata",
        "SN=SF3A001&options=all&pushver=3.1.2&DeviceType=acc",
    )
    .unwrap();
    assert!(q.device.push_version.unwrap().is_security());
    assert_eq!(security::UNREGISTERED, "OK");
    let cfg = SecurityConfig::new("a1b2c3", "S42");
    let block = cfg.render_handshake();
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines[0], "registry=ok");
    for want in [
        "RegistryCode=a1b2c3",
        "ServerVersion=3.1.2",
        "RequestDelay=10",
        "TransTables=User Transaction",
        "Realtime=1",
        "SessionID=S42",
        "TimeoutSec=10",
    ] {
        assert!(lines.contains(&want), "{want} in {block}");
    }
    assert!(cfg.render_push().starts_with("PushVersion=3.1.2\n"));
    assert_eq!(security::registry_reply("a1b2c3"), "RegistryCode=a1b2c3");
    // MD5("a1b2c3" + "SF3A001" + "S42"), computed with Python's hashlib.
    assert_eq!(
        security::session_token("a1b2c3", "SF3A001", "S42"),
        "d75354925d7b6560e5ce70816f596c5c"
    );
}

/// §2.4 step 3: the registry body, with `~` keys and a comma in a value.
#[test]
fn registry_and_options_bodies() {
    let body = include_str!("fixtures/push/registry.txt");
    let kv = KeyValues::parse(body);
    assert_eq!(kv.get("DeviceName"), Some("SpeedFace-V5L"));
    assert_eq!(kv.get("~devicename"), Some("SpeedFace-V5L"));
    assert_eq!(kv.get("OEMVendor"), Some("ZKTECO CO., LTD."));
    assert_eq!(kv.get("MaxPackageSize"), Some("2048000"));
    assert_eq!(kv.get("authKey"), Some("88888888"));
    assert_eq!(
        kv.get("PushVersion").and_then(PushVersion::parse),
        Some(PushVersion(3, 1, 2))
    );
    let opts = KeyValues::parse("~DeviceName=MB360,MAC=00:17:61:00:00:01,TransactionCount=12,UserCount=3,FWVersion=Ver 6.60,PushVersion=2.4.1");
    assert_eq!(opts.get("UserCount"), Some("3"));
    assert_eq!(opts.0.len(), 6);
}

/// §3.5: rtlog lines, a door event without a person among them.
#[test]
fn rtlog_events() {
    let body = include_bytes!("fixtures/push/rtlog.txt");
    let p = parse_rtlog(body);
    assert_eq!(p.records.len(), 2);
    let r = &p.records[0];
    assert!(r.is_punch());
    assert_eq!((r.pin.as_str(), r.event, r.in_out), ("1005", 0, Some(0)));
    assert_eq!(r.verify.to_string(), "face");
    assert!(!p.records[1].is_punch());
    assert_eq!(p.errors[0].line, 3);
    assert_eq!(p.errors[0].reason, "no event= field");
}

/// §3.5: tabledata with lower-case keys; the answer is `<tablename>=<n>`.
#[test]
fn tabledata_users() {
    let body: &[u8] = include_bytes!("fixtures/push/tabledata_users.txt");
    let how = NameDecoding::with_setting(NameEncoding::Gb18030);
    let p = parse_tabledata(body, &how);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let TableRecord::User(u) = &p.records[1] else {
        panic!()
    };
    assert_eq!(
        (u.pin.as_str(), u.name.as_str(), u.privilege),
        ("1006", "张伟", Some(14))
    );
    assert!(matches!(&p.records[2], TableRecord::Other { table, .. } if table == "biodata"));
    assert_eq!(security::tabledata_reply("user", 2), "user=2");
}

/// §4.2: batched results, INFO's continuation lines, `&SN=`, VERIFY SUM,
/// and the multi-line Shell form with raw content.
#[test]
fn devicecmd_results() {
    let body = include_bytes!("fixtures/push/devicecmd.txt");
    let p = parse_results(body, &NameDecoding::DEFAULT);
    let ids: Vec<&str> = p.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["101", "102", "info8487", "103", "105"]);
    assert!(p.records[0].succeeded());
    assert_eq!(p.records[1].code, -1002);
    assert_eq!(
        results::return_meaning(-1002),
        "not supported by this device"
    );
    assert_eq!(p.records[1].field("SN"), Some("A1"));
    let info = &p.records[2];
    assert_eq!(info.cmd, "INFO");
    assert_eq!(info.field("~DeviceName"), Some("MB360"));
    assert_eq!(info.field("Language"), Some("83"));
    assert_eq!(p.records[3].field("AttlogSum"), Some("42"));
    let shell = &p.records[4];
    assert_eq!((shell.cmd.as_str(), shell.code), ("Shell", 20));
    assert_eq!(
        shell.content.as_deref(),
        Some(&b"Sun Mar  2 08:00:00 UTC 2025\nline two\n"[..])
    );
    // A line without ID= continues the result before it (as INFO's do).
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let bad = parse_results(
        b"Return=0&CMD=INFO\nID=7&Return=x&CMD=DATA\nID=8&Return=0\n",
        &NameDecoding::DEFAULT,
    );
    assert_eq!(bad.records.len(), 1);
    assert_eq!(
        bad.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [1, 2]
    );
}

/// §4.1 and §4.3: command lines.
#[test]
fn commands_for_getrequest() {
    let id = |s: &str| CommandId::parse(s).unwrap();
    let queue = vec![
        (
            id("1"),
            Command::QueryAttLog {
                start: t(2025, 3, 1, 0, 0, 0),
                end: t(2025, 3, 2, 23, 59, 59),
            },
        ),
        (id("2"), Command::QueryUsers { pin: None }),
        (
            id("3"),
            Command::UpdateUser(UserUpdate {
                pin: "1005".into(),
                name: "张伟".into(),
                privilege: 0,
                password: String::new(),
                card: Some(123),
                group: 1,
            }),
        ),
        (id("info8487"), Command::Info),
        (id("5"), Command::Reboot),
        (id("6"), Command::Check),
    ];
    let batch = format_batch(&queue, NameEncoding::Gbk).unwrap();
    assert_eq!(batch.sent, 5, "nothing after REBOOT");
    let text = NameEncoding::Gbk.decode(&batch.body);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "C:1:DATA QUERY ATTLOG StartTime=2025-03-01 00:00:00\tEndTime=2025-03-02 23:59:59"
    );
    assert_eq!(lines[1], "C:2:DATA QUERY USERINFO");
    assert_eq!(
        lines[2],
        "C:3:DATA UPDATE USERINFO PIN=1005\tName=张伟\tPri=0\tPasswd=\tCard=123\tGrp=1"
    );
    assert_eq!(lines[3], "C:info8487:INFO");
    assert_eq!(lines[4], "C:5:REBOOT");
    assert!(
        batch.body.windows(4).any(|w| w == [0xd5, 0xc5, 0xce, 0xb0]),
        "name in GBK"
    );
    assert_eq!(format_batch(&[], NameEncoding::Utf8).unwrap().body, b"OK");
    assert_eq!(
        Command::SetDateTime(t(2024, 1, 31, 8, 30, 0))
            .text()
            .unwrap(),
        "SET OPTIONS DateTime=774001800"
    );
}

#[test]
fn commands_refuse_injection_and_what_the_device_cannot_show() {
    let user = |name: &str| {
        Command::UpdateUser(UserUpdate {
            pin: "1".into(),
            name: name.into(),
            privilege: 0,
            password: String::new(),
            card: None,
            group: 1,
        })
    };
    assert_eq!(
        user("Ana\tPri=14").text(),
        Err(CommandError::ControlCharacter { field: "name" })
    );
    assert!(user("Ana\nC:9:CLEAR DATA").text().is_err());
    assert!(CommandId::parse("x:1").is_err());
    assert!(CommandId::parse("12345678901234567").is_err());
    let queue = vec![
        (CommandId::from(1), Command::Info),
        (CommandId::from(2), user("Zoë")),
    ];
    let err = format_batch(&queue, NameEncoding::Gbk).unwrap_err();
    assert_eq!(err.0, 1);
    assert!(err.1.to_string().contains("'ë'"), "{}", err.1);
}

#[test]
fn batches_stay_under_200_commands_and_40_kb() {
    let many: Vec<_> = (0..300)
        .map(|i| (CommandId::from(i), Command::Info))
        .collect();
    assert_eq!(format_batch(&many, NameEncoding::Utf8).unwrap().sent, 200);
    let big: Vec<_> = (0..200)
        .map(|i| {
            (
                CommandId::from(i),
                Command::UpdateUser(UserUpdate {
                    pin: i.to_string(),
                    name: "N".repeat(300),
                    privilege: 0,
                    password: String::new(),
                    card: None,
                    group: 1,
                }),
            )
        })
        .collect();
    let b = format_batch(&big, NameEncoding::Utf8).unwrap();
    assert!(
        b.body.len() <= command::MAX_BYTES && b.sent < 200,
        "{} {}",
        b.body.len(),
        b.sent
    );
}

#[test]
fn time_answers() {
    assert_eq!(
        security::rtdata_time(t(2024, 1, 31, 8, 30, 0), 5 * 3600 + 1800).as_deref(),
        Some("DateTime=774001800,ServerTZ=+0530")
    );
    assert_eq!(
        security::rtdata_time(t(2024, 1, 31, 8, 30, 0), -3 * 3600 - 1800).as_deref(),
        Some("DateTime=774001800,ServerTZ=-0330")
    );
    assert_eq!(
        http_date("2026-01-15T12:00:00Z".parse().unwrap()),
        "Thu, 15 Jan 2026 12:00:00 GMT"
    );
}
