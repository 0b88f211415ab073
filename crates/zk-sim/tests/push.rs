//! The push simulator against a small iclock server written here, on a real
//! socket on 127.0.0.1:0, built on zk_protocol::push: it records every
//! request, stores punches and users once, and can fail or drop replies.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zk_protocol::push::*;
use zk_protocol::{DeviceLanguage, DeviceTime, NameEncoding, VerifyMethod};
use zk_sim::push::{PushFleet, PushOptions, PushSpec, PushUser};

/// Upper bound for every wait, so no test can hang.
// Generous: only a failing test waits this long, and a loaded 2-core CI
// machine can take many seconds for the 2,000-device test.
const WAIT: Duration = Duration::from_secs(90);

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Server {
    seen: Mutex<Vec<Seen>>,
    /// (serial, pin, time): the punch key; a resend is stored once.
    punches: Mutex<BTreeSet<(String, String, DeviceTime)>>,
    users: Mutex<BTreeMap<(String, String), UserInfo>>,
    results: Mutex<Vec<CommandResult>>,
    languages: Mutex<HashMap<String, DeviceLanguage>>,
    queue: Mutex<HashMap<String, Vec<(CommandId, Command)>>>,
    /// Answer the next N ATTLOG uploads with 500.
    fail_uploads: AtomicU32,
    /// Store the next N ATTLOG uploads, then never answer (a dropped reply).
    drop_uploads: AtomicU32,
    /// `TimeZone` handed out, seconds east of UTC.
    utc_offset: Mutex<i32>,
    realtime: Mutex<bool>,
    /// `Delay` handed out, in protocol seconds.
    delay: Mutex<u32>,
}

type Shared = Arc<Server>;

async fn iclock(
    State(srv): State<Shared>,
    method: Method,
    uri: Uri,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let query = q.unwrap_or_default();
    srv.seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: query.clone(),
        body: body.to_vec(),
    });
    let req = match classify(method.as_str(), uri.path(), &query) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let sn = req.device.serial.to_string();
    // Devices say their language only on the handshake: remember it.
    if let Some(l) = req.device.language {
        srv.languages.lock().unwrap().insert(sn.clone(), l);
    }
    let language = srv.languages.lock().unwrap().get(&sn).copied();
    let how = text::decoding(language, None);
    let mut headers = HeaderMap::new();
    let now = jiff::Timestamp::now();
    headers.insert(header::DATE, http_date(now).parse().unwrap());
    let body = match &req.request {
        Request::Handshake { .. } => {
            let offset = *srv.utc_offset.lock().unwrap();
            let mut h = Handshake::new(TimeZoneOption::from_offset_seconds(offset));
            h.delay = *srv.delay.lock().unwrap();
            h.error_delay = 1;
            h.realtime = *srv.realtime.lock().unwrap();
            h.render(&req.device).into_bytes()
        }
        Request::Upload {
            table: Table::AttLog,
            ..
        } => {
            if take(&srv.fail_uploads) {
                return (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response();
            }
            let p = parse_attlog(&body);
            for r in &p.records {
                let key = (sn.clone(), r.pin.clone(), r.time);
                srv.punches.lock().unwrap().insert(key);
            }
            if take(&srv.drop_uploads) {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            reply::ok_count(p.lines_handled()).into_bytes()
        }
        Request::Upload {
            table: Table::OperLog,
            ..
        } => {
            let p = parse_operlog(&body, &how);
            for r in &p.records {
                if let OperLogRecord::User(u) = r {
                    let key = (sn.clone(), u.pin.clone());
                    srv.users.lock().unwrap().insert(key, u.clone());
                }
            }
            reply::ok_count(p.lines_handled()).into_bytes()
        }
        Request::Poll { .. } => {
            let queued = srv.queue.lock().unwrap().remove(&sn).unwrap_or_default();
            format_batch(&queued, text::outgoing(language, None))
                .unwrap()
                .body
        }
        Request::CommandResults => {
            let p = parse_results(&body, &how);
            srv.results.lock().unwrap().extend(p.records);
            reply::OK.into()
        }
        _ => reply::OK.into(),
    };
    (StatusCode::OK, headers, body).into_response()
}

fn take(n: &AtomicU32) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

async fn serve(srv: Shared) -> String {
    let app = Router::new().fallback(iclock).with_state(srv);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn server() -> Shared {
    let s = Server::default();
    *s.realtime.lock().unwrap() = true;
    *s.delay.lock().unwrap() = 1;
    Arc::new(s)
}

fn fast() -> PushOptions {
    PushOptions {
        second: Duration::from_millis(20),
        request_timeout: Duration::from_millis(500),
        ..PushOptions::default()
    }
}

/// Wait until `cond` holds, at most WAIT.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn seen(srv: &Server, path: &str, query_has: &str) -> Vec<Seen> {
    srv.seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.path == path && s.query.contains(query_has))
        .cloned()
        .collect()
}

#[tokio::test]
async fn handshake_then_realtime_punches_and_gb2312_users() {
    let srv = server();
    let url = serve(srv.clone()).await;
    let mut spec = PushSpec::new("CN0000001");
    spec.name_encoding = NameEncoding::Gbk;
    spec.users = vec![
        PushUser::new("1001", "张伟"),
        PushUser::new("1002", "Li Na"),
    ];
    let fleet = PushFleet::start(&url, vec![spec], fast()).unwrap();
    let dev = fleet.device(0).clone();
    until("users stored", || srv.users.lock().unwrap().len() == 2).await;

    let hs = seen(&srv, "/iclock/cdata", "options=all");
    let q = Query::parse(&hs[0].query);
    assert_eq!(hs[0].method, "GET");
    assert_eq!(q.get("SN"), Some("CN0000001"));
    assert_eq!(q.get("pushver"), Some("2.4.1"));
    assert_eq!(q.get("language"), Some("83"));

    let users = srv.users.lock().unwrap().clone();
    let zhang = &users[&("CN0000001".to_string(), "1001".to_string())];
    assert_eq!(zhang.name, "张伟");
    assert_eq!(
        zhang.name_bytes,
        [0xd5, 0xc5, 0xce, 0xb0],
        "sent as GB2312 bytes"
    );

    let p = dev.punch("1001", 0, VerifyMethod(1));
    until("punch stored", || srv.punches.lock().unwrap().len() == 1).await;
    let uploads = seen(&srv, "/iclock/cdata", "table=ATTLOG");
    assert_eq!(uploads[0].method, "POST");
    let parsed = parse_attlog(&uploads[0].body);
    assert!(parsed.errors.is_empty());
    assert_eq!(parsed.records[0].pin, "1001");
    assert_eq!(parsed.records[0].time, p.time);
    assert_eq!(parsed.records[0].verify, VerifyMethod(1));
    until("acknowledged", || dev.unacknowledged() == 0).await;
    // It keeps polling for commands, with INFO on the first poll.
    until("polls", || {
        seen(&srv, "/iclock/getrequest", "SN=CN0000001").len() >= 2
    })
    .await;
    assert!(seen(&srv, "/iclock/getrequest", "INFO=").len() == 1);

    // A name pushed to the device goes out in GBK and comes back the same.
    queue(
        &srv,
        "CN0000001",
        vec![(
            1,
            Command::UpdateUser(UserUpdate {
                pin: "1003".into(),
                name: "王芳".into(),
                privilege: 0,
                password: String::new(),
                card: None,
                group: 1,
            }),
        )],
    );
    until("user 1003 reported", || {
        srv.users
            .lock()
            .unwrap()
            .contains_key(&("CN0000001".to_string(), "1003".to_string()))
    })
    .await;
    assert_eq!(dev.users()[2].name, "王芳");
    let polls = seen(&srv, "/iclock/getrequest", "SN=CN0000001");
    assert!(polls.len() >= 3);
    let users = srv.users.lock().unwrap().clone();
    let wang = &users[&("CN0000001".to_string(), "1003".to_string())];
    assert_eq!(wang.name_bytes, NameEncoding::Gbk.encode("王芳").unwrap());
    fleet.shutdown().await;
}

#[tokio::test]
async fn a_500_and_a_dropped_reply_lead_to_resends_stored_once() {
    let srv = server();
    let url = serve(srv.clone()).await;
    srv.fail_uploads.store(1, Ordering::SeqCst);
    let fleet = PushFleet::start(&url, vec![PushSpec::new("RETRY01")], fast()).unwrap();
    let dev = fleet.device(0).clone();
    until("handshake", || PushStatsView(&dev).handshakes() >= 1).await;
    dev.punch("7", 0, VerifyMethod(15));
    until("acknowledged after a 500", || dev.unacknowledged() == 0).await;
    let bodies = seen(&srv, "/iclock/cdata", "table=ATTLOG");
    assert_eq!(bodies.len(), 2, "sent, refused with 500, sent again");
    assert_eq!(bodies[0].body, bodies[1].body);

    srv.drop_uploads.store(1, Ordering::SeqCst);
    dev.punch("8", 1, VerifyMethod(4));
    until("acknowledged after a dropped reply", || {
        dev.unacknowledged() == 0
    })
    .await;
    let bodies = seen(&srv, "/iclock/cdata", "table=ATTLOG");
    assert_eq!(bodies.len(), 4);
    assert_eq!(
        bodies[2].body, bodies[3].body,
        "the unacknowledged batch is resent whole"
    );
    let stored = srv.punches.lock().unwrap().clone();
    let pins: Vec<&str> = stored.iter().map(|k| k.1.as_str()).collect();
    assert_eq!(pins, ["7", "8"], "each punch stored once");
    fleet.shutdown().await;
}

struct PushStatsView<'a>(&'a zk_sim::push::PushDevice);

impl PushStatsView<'_> {
    fn handshakes(&self) -> u64 {
        zk_sim::push::PushStats::get(&self.0.stats().handshakes)
    }
}

fn queue(srv: &Server, sn: &str, cmds: Vec<(u64, Command)>) {
    let cmds = cmds
        .into_iter()
        .map(|(i, c)| (CommandId::from(i), c))
        .collect();
    srv.queue.lock().unwrap().insert(sn.to_string(), cmds);
}

#[tokio::test]
async fn commands_round_trip() {
    let srv = server();
    let url = serve(srv.clone()).await;
    let mut spec = PushSpec::new("CMD0001");
    spec.users = vec![PushUser::new("5", "Ana")];
    let t = |d: u8, h: u8| DeviceTime::new(2025, 3, d, h, 0, 0).unwrap();
    spec.punches = [(1, 8), (1, 17), (2, 8), (3, 8)]
        .iter()
        .map(|&(d, h)| AttLog {
            pin: "5".into(),
            time: t(d, h),
            status: 0,
            verify: VerifyMethod(1),
            work_code: String::new(),
            extra: vec![],
        })
        .collect();
    let fleet = PushFleet::start(&url, vec![spec], fast()).unwrap();
    let dev = fleet.device(0).clone();
    until("history uploaded", || {
        srv.punches.lock().unwrap().len() == 4
    })
    .await;
    let uploads_before = seen(&srv, "/iclock/cdata", "table=ATTLOG").len();

    queue(
        &srv,
        "CMD0001",
        vec![
            (
                11,
                Command::QueryAttLog {
                    start: t(1, 0),
                    end: t(1, 23),
                },
            ),
            (
                12,
                Command::UpdateUser(UserUpdate {
                    pin: "5".into(),
                    name: "Ana María".into(),
                    privilege: 0,
                    password: String::new(),
                    card: Some(42),
                    group: 1,
                }),
            ),
            (13, Command::QueryUsers { pin: None }),
            (14, Command::Info),
        ],
    );
    until("results", || srv.results.lock().unwrap().len() == 4).await;
    let results = srv.results.lock().unwrap().clone();
    let ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["11", "12", "13", "14"]);
    assert!(results.iter().all(|r| r.code == 0 && r.succeeded()));
    assert_eq!(results[0].cmd, "DATA");
    assert_eq!(results[3].field("UserCount"), Some("1"));
    assert_eq!(dev.users()[0].name, "Ana María");
    assert_eq!(dev.users()[0].card, Some(42));

    // DATA QUERY ATTLOG re-sends that day's two punches as a normal upload.
    until("backfill", || {
        seen(&srv, "/iclock/cdata", "table=ATTLOG").len() > uploads_before
    })
    .await;
    let backfill = &seen(&srv, "/iclock/cdata", "table=ATTLOG")[uploads_before];
    let days: Vec<u8> = parse_attlog(&backfill.body)
        .records
        .iter()
        .map(|r| r.time.day)
        .collect();
    assert_eq!(days, [1, 1]);
    assert_eq!(
        srv.punches.lock().unwrap().len(),
        4,
        "the resend is stored once"
    );
    until("renamed user reported", || {
        srv.users.lock().unwrap()[&("CMD0001".to_string(), "5".to_string())].name == "Ana María"
    })
    .await;
    fleet.shutdown().await;
}

#[tokio::test]
async fn the_server_sets_the_clock() {
    let srv = server();
    let url = serve(srv.clone()).await;
    let mut spec = PushSpec::new("CLOCK01");
    spec.clock_drift_secs = 6 * 3600;
    let fleet = PushFleet::start(&url, vec![spec], fast()).unwrap();
    let dev = fleet.device(0).clone();
    until("handshake", || PushStatsView(&dev).handshakes() >= 1).await;
    // The handshake's Date and TimeZone=0 took away the 6 hours.
    assert!(drift(&dev, 0) <= 5, "drift {}", drift(&dev, 0));

    // 2.x: the zone changes to +5:30 and CHECK makes the device re-read it.
    *srv.utc_offset.lock().unwrap() = 5 * 3600 + 1800;
    queue(&srv, "CLOCK01", vec![(1, Command::Check)]);
    until("new handshake", || PushStatsView(&dev).handshakes() >= 2).await;
    assert!(seen(&srv, "/iclock/cdata", "options=all").len() >= 2);
    until("clock at +5:30", || drift(&dev, 5 * 3600 + 1800) <= 5).await;

    // 3.x style: SET OPTIONS DateTime= sets the local time directly.
    let target = DeviceTime::new(2030, 6, 1, 12, 0, 0).unwrap();
    queue(&srv, "CLOCK01", vec![(2, Command::SetDateTime(target))]);
    until("set", || {
        srv.results.lock().unwrap().iter().any(|r| r.id == "2")
    })
    .await;
    let c = dev.clock();
    assert_eq!((c.year, c.month, c.day, c.hour), (2030, 6, 1, 12));
    fleet.shutdown().await;
}

/// Seconds between the device clock and UTC + `offset`.
fn drift(dev: &zk_sim::push::PushDevice, offset: i64) -> i64 {
    let c = dev.clock();
    let local = jiff::civil::date(c.year as i16, c.month as i8, c.day as i8)
        .at(c.hour as i8, c.minute as i8, c.second as i8, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second();
    (local - jiff::Timestamp::now().as_second() - offset).abs()
}

#[tokio::test]
async fn trans_interval_style_batches_punches() {
    let srv = server();
    *srv.realtime.lock().unwrap() = false;
    let url = serve(srv.clone()).await;
    // TransInterval=1 minute = 60 protocol seconds of 10 ms.
    let opts = PushOptions {
        second: Duration::from_millis(10),
        ..fast()
    };
    let fleet = PushFleet::start(&url, vec![PushSpec::new("BATCH01")], opts).unwrap();
    let dev = fleet.device(0).clone();
    until("handshake", || PushStatsView(&dev).handshakes() >= 1).await;
    // Let the first (empty) upload round pass, then punch twice at once.
    tokio::time::sleep(Duration::from_millis(50)).await;
    dev.punch("1", 0, VerifyMethod(1));
    dev.punch("2", 0, VerifyMethod(1));
    until("both stored", || srv.punches.lock().unwrap().len() == 2).await;
    let uploads = seen(&srv, "/iclock/cdata", "table=ATTLOG");
    assert_eq!(
        uploads.len(),
        1,
        "one upload at the interval, not one per punch"
    );
    assert_eq!(parse_attlog(&uploads[0].body).records.len(), 2);
    fleet.shutdown().await;
}

#[tokio::test]
async fn only_loopback_servers() {
    let err = PushFleet::start("http://192.0.2.1:80", vec![], PushOptions::default());
    assert!(err.is_err());
    let err = PushFleet::start("https://127.0.0.1:80", vec![], PushOptions::default());
    assert!(err.is_err());
    for ok in [
        "http://127.0.0.1:1",
        "http://localhost:1/",
        "http://[::1]:1",
    ] {
        let f = PushFleet::start(ok, vec![], PushOptions::default()).unwrap();
        f.shutdown().await;
    }
}

#[tokio::test]
async fn two_thousand_devices_in_one_process() {
    let srv = server();
    *srv.delay.lock().unwrap() = 10;
    let url = serve(srv.clone()).await;
    let specs = (0..2000)
        .map(|i| PushSpec::from_generated(&zk_sim::DeviceSpec::generated(i, 5, 0, 3)))
        .collect();
    let opts = PushOptions {
        second: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
        start_spread: Duration::from_secs(1),
        ..PushOptions::default()
    };
    let fleet = PushFleet::start(&url, specs, opts).unwrap();
    until("2000 handshakes", || {
        fleet
            .devices()
            .iter()
            .all(|d| PushStatsView(d).handshakes() >= 1)
    })
    .await;
    // 2,000 punches at 1,000 a second in total, one per device.
    let made = zk_sim::push::punch_steadily(&fleet, 1000.0, Duration::from_secs(2)).await;
    assert_eq!(made, 2000);
    until("every punch stored", || {
        srv.punches.lock().unwrap().len() == made as usize
    })
    .await;
    let serials: BTreeSet<String> = srv
        .punches
        .lock()
        .unwrap()
        .iter()
        .map(|k| k.0.clone())
        .collect();
    assert_eq!(serials.len(), 2000, "one punch on every device");
    fleet.shutdown().await;
}
