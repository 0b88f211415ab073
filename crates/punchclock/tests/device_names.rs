//! Names from older clocks (issue 14 item 12), end to end: simulated clocks
//! serve user names in their code page over a real socket, a sync stores
//! them, and the per-device setting decodes them again from the kept bytes,
//! never touching a name a person typed. Runs on both backends.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{Api, TestApp, TestOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_protocol::NameEncoding;
use zk_sim::{DeviceSpec, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A clock with one user, `enroll_id`, named `name` in `encoding`.
fn clock(index: u32, encoding: NameEncoding, enroll_id: &str, name: &str) -> DeviceSpec {
    let mut spec = DeviceSpec::generated(index, 1, 0, 40 + u64::from(index));
    spec.name_encoding = encoding;
    spec.users[0].user_id = enroll_id.into();
    spec.users[0].name = name.into();
    spec
}

fn employee<'a>(all: &'a [Value], enroll_id: &str) -> &'a Value {
    all.iter()
        .find(|e| e["enroll_id"] == enroll_id)
        .unwrap_or_else(|| panic!("no employee {enroll_id}: {all:?}"))
}

async fn add(api: &Api, name: &str, sim: &Simulator, i: usize, encoding: Option<&str>) -> i64 {
    let mut body = json!({
        "name": name,
        "host": sim.addr(i).ip().to_string(),
        "port": sim.addr(i).port(),
    });
    if let Some(e) = encoding {
        body["name_encoding"] = json!(e);
    }
    let d = api.add_device_with(body).await;
    assert_eq!(d["name_encoding"], encoding.unwrap_or("auto"));
    d["id"].as_i64().unwrap()
}

#[tokio::test]
async fn cp1252_gb2312_and_cp1256_names_are_stored_right_and_decoded_again() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let sim = Simulator::start(
        LOCALHOST,
        0,
        vec![
            clock(0, NameEncoding::Cp1252, "101", "Núñez"),
            clock(1, NameEncoding::Gbk, "201", "王小明"),
            clock(2, NameEncoding::Arabic1256, "301", "علي"),
        ],
    )
    .await
    .unwrap();
    let api = app.signup("Old clocks").await;
    // Automatic: CP1252 is the last resort, right for the Spanish clock.
    let spanish = add(&api, "Madrid", &sim, 0, None).await;
    let chinese = add(&api, "Shenzhen", &sim, 1, None).await;
    // Chosen when adding: the Arabic clock's names are read as CP1256.
    let arabic = add(&api, "Cairo", &sim, 2, Some("cp1256")).await;
    for id in [spanish, chinese, arabic] {
        assert_eq!(api.sync_device(id).await["outcome"], "ok");
    }
    let all = api.employees().await;
    assert_eq!(employee(&all, "101")["name_from_device"], "Núñez");
    assert_eq!(employee(&all, "301")["name_from_device"], "علي");
    // GB2312 read as CP1252: garbled, as before the setting.
    let garbled = employee(&all, "201")["name_from_device"].clone();
    assert_eq!(garbled, "ÍõÐ¡Ã÷");

    // A person names one of the Chinese clock's users by hand first.
    let typed = employee(&all, "201")["id"].as_i64().unwrap();
    api.patch(
        &format!("/employees/{typed}"),
        &json!({"first_name": "Xiaoming", "last_name": "Wang"}),
    )
    .await
    .expect(StatusCode::OK);

    // The owner sets the Chinese clock to GB2312: its names are decoded
    // again from the kept bytes at once: the clocks are gone by now.
    sim.shutdown().await;
    let d = api
        .patch(
            &format!("/devices/{chinese}"),
            &json!({"name_encoding": "gb2312"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(d["name_encoding"], "gb2312");
    let all = api.employees().await;
    let wang = employee(&all, "201");
    assert_eq!(wang["name_from_device"], "王小明");
    assert_eq!(
        wang["first_name"], "Xiaoming",
        "a typed name is never overwritten"
    );
    assert_eq!(wang["last_name"], "Wang");
    // Other devices' names are not touched by this device's setting.
    assert_eq!(employee(&all, "101")["name_from_device"], "Núñez");
    assert_eq!(employee(&all, "301")["name_from_device"], "علي");

    // Back to automatic: the same bytes read as CP1252 again.
    api.patch(
        &format!("/devices/{chinese}"),
        &json!({"name_encoding": "auto"}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(
        employee(&api.employees().await, "201")["name_from_device"],
        garbled
    );

    // Only the listed values are accepted.
    for bad in [
        json!("latin-9"),
        json!(""),
        json!(null),
        json!(1252),
        json!("GB2312"),
    ] {
        let r = api
            .patch(
                &format!("/devices/{chinese}"),
                &json!({"name_encoding": bad}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.json()
        );
    }
    assert_eq!(api.device(chinese).await["name_encoding"], "auto");
    app.shutdown().await;
}
