//! `punchclock device …` as a technician runs it: the built binary against
//! the simulator on loopback.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Output;
use std::time::Duration;
use zk_sim::{DeviceSpec, Simulator};

async fn run(args: &[&str]) -> Output {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_punchclock"))
        .args(args)
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("the command hung")
        .expect("the command runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "failed: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

#[tokio::test]
async fn json_output_for_punches_users_info_and_time() {
    let mut spec = DeviceSpec::generated(0, 12, 2500, 21);
    spec.comm_key = Some(4242);
    let sim = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, vec![spec])
        .await
        .unwrap();
    let port = sim.addr(0).port().to_string();
    let dev = sim.device(0);
    let base = [
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--comm-key",
        "4242",
        "--json",
    ];
    let with = |cmd: &'static str| {
        let mut v = vec!["device", cmd];
        v.extend_from_slice(&base);
        v
    };

    let punches = json(&run(&with("punches")).await);
    let want: Vec<serde_json::Value> = dev
        .punches()
        .iter()
        .map(|p| {
            serde_json::json!({
                "user_id": p.user_id, "time": p.time.to_string(),
                "status": p.status, "punch": p.punch, "uid": p.uid,
            })
        })
        .collect();
    assert_eq!(punches, serde_json::Value::Array(want));

    let users = json(&run(&with("users")).await);
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 12);
    let u = &dev.users()[0];
    assert_eq!(
        users[0],
        serde_json::json!({"uid": u.uid, "user_id": u.user_id, "name": u.name,
            "privilege": u.privilege, "card": u.card, "group": u.group})
    );

    let info = json(&run(&with("info")).await);
    assert_eq!(info["serial_number"], dev.serial());
    assert_eq!(
        (info["users"].as_u64(), info["punches"].as_u64()),
        (Some(12), Some(2500))
    );
    for key in [
        "platform",
        "firmware",
        "device_name",
        "user_capacity",
        "punch_capacity",
    ] {
        assert!(!info[key].is_null(), "{key} missing in {info}");
    }
    let time = json(&run(&with("time")).await);
    let t = time["time"].as_str().unwrap();
    assert_eq!((t.len(), &t[10..11]), (19, "T"), "{t}");

    // The default output is a table with a header.
    let mut args = with("punches");
    args.pop();
    let table = run(&args).await;
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("USER ID"), "{text}");
    assert_eq!(text.lines().count(), 2501);
    sim.shutdown().await;
}

#[tokio::test]
async fn failures_are_plain_words_and_exit_2() {
    let o = run(&[
        "device",
        "info",
        "--host",
        "clock.invalid",
        "--timeout",
        "2",
    ])
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the name clock.invalid did not resolve"),
        "{}",
        stderr(&o)
    );

    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let port = free.port().to_string();
    let o = run(&[
        "device",
        "punches",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--json",
    ])
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("connection refused"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let mut spec = DeviceSpec::generated(0, 1, 1, 22);
    spec.comm_key = Some(99);
    let sim = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, vec![spec])
        .await
        .unwrap();
    let port = sim.addr(0).port().to_string();
    let o = run(&["device", "users", "--host", "127.0.0.1", "--port", &port]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("requires a comm key"), "{}", stderr(&o));
    let o = run(&[
        "device",
        "users",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--comm-key",
        "98",
    ])
    .await;
    assert!(
        stderr(&o).contains("rejected the comm key"),
        "{}",
        stderr(&o)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn addresses_and_keys_are_checked_like_the_devices_form() {
    // Nothing listens here: a check that let these through would report a
    // connection failure instead of the typing mistake.
    for (args, words) in [
        (
            ["--host", "http://203.0.113.7", "--port", "4370"],
            "without http://",
        ),
        (
            ["--host", "203.0.113.7:4370", "--port", "4370"],
            "Port field",
        ),
        (["--host", "127.0.0.1", "--port", "0"], "1 to 65535"),
    ] {
        let mut all = vec!["device", "info"];
        all.extend(args);
        let o = run(&all).await;
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("could not connect"), "{}", stderr(&o));
    }
    let o = run(&[
        "device",
        "users",
        "--host",
        "127.0.0.1",
        "--comm-key",
        "1000000",
    ])
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("999999"), "{}", stderr(&o));
}
