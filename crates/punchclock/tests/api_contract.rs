//! The API and its OpenAPI document agree (issue 11, finding 11): what the
//! document forbids the server refuses, every status the server answers is
//! documented, and no answer echoes a huge input. The document is derived
//! from the handlers, so these check the derivation says the truth.

mod common;

use common::{TestApp, TestOptions};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await
}

async fn document(app: &TestApp) -> Value {
    app.anonymous()
        .get("/openapi.json")
        .await
        .expect(StatusCode::OK)
}

/// The schema of query parameter `name` of `GET path`.
fn param<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{path} documents {name}"))
}

fn documents(doc: &Value, method: &str, path: &str, status: u16) -> bool {
    doc["paths"][path][method]["responses"]
        .get(status.to_string())
        .is_some()
}

#[tokio::test]
async fn limits_below_one_are_refused_as_documented() {
    let app = app().await;
    let api = app.signup("Limits").await;
    let doc = document(&app).await;
    let d = api
        .add_device_with(json!({"name": "Door", "host": "127.0.0.1"}))
        .await;
    let logs = format!("/devices/{}/logs", d["id"]);
    for (path, doc_path) in [
        ("/punches", "/punches"),
        ("/employees", "/employees"),
        ("/account/audit", "/account/audit"),
        (logs.as_str(), "/devices/{id}/logs"),
    ] {
        assert_eq!(param(&doc, doc_path, "limit")["minimum"], 1, "{doc_path}");
        let v = api
            .get(&format!("{path}?limit=0"))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["fields"]["limit"].is_string(), "{path}: {v}");
        assert!(documents(&doc, "get", doc_path, 422), "{doc_path}");
        api.get(&format!("{path}?limit=1"))
            .await
            .expect(StatusCode::OK);
    }
    app.shutdown().await;
}

#[tokio::test]
async fn empty_filters_are_refused_as_documented() {
    let app = app().await;
    let api = app.signup("Filters").await;
    let doc = document(&app).await;
    assert_eq!(param(&doc, "/employees", "active")["type"], "boolean");
    assert_eq!(param(&doc, "/punches", "device_id")["type"], "integer");
    for path in [
        "/employees?active=",
        "/punches?device_id=",
        "/punches?employee_id=",
        "/punches?from=",
    ] {
        let v = api.get(path).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"], "validation", "{path}");
    }
    api.get("/employees?active=true")
        .await
        .expect(StatusCode::OK);
    // Offsets are int64 from 0, as documented (schemathesis found 2^63 accepted).
    for path in ["/employees", "/punches"] {
        assert_eq!(param(&doc, path, "offset")["minimum"], 0);
        assert_eq!(param(&doc, path, "offset")["format"], "int64");
        let r = api.get(&format!("{path}?offset=9223372036854775808")).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        api.get(&format!("{path}?offset=-1"))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.shutdown().await;
}

#[tokio::test]
async fn an_empty_plan_is_refused_as_documented() {
    let app = app().await;
    let api = app.signup("Plans").await;
    let doc = document(&app).await;
    let plan = &doc["components"]["schemas"]["PlanBody"];
    assert_eq!(plan["properties"]["plan"]["minLength"], 1);
    assert_eq!(plan["required"], json!(["plan"]));
    for body in [json!({"plan": ""}), json!({"plan": "  "}), json!({})] {
        api.post("/account/plan", &body)
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.shutdown().await;
}

#[tokio::test]
async fn control_characters_are_refused_in_names_and_text() {
    let app = app().await;
    let api = app.signup("Controls").await;
    let bad = [
        (
            "/devices",
            json!({"name": "Front\u{0}door", "host": "127.0.0.1"}),
        ),
        ("/devices", json!({"name": "Door", "host": "127.0.0.1\n"})),
        (
            "/employees",
            json!({"enroll_id": "7", "first_name": "A\u{0}"}),
        ),
    ];
    for (path, body) in bad {
        let v = api
            .post(path, &body)
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["message"].is_string(), "{v}");
    }
    api.patch("/company", &json!({"name": "Acme\u{0}"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let (_, total) = api.punches("").await;
    assert_eq!(total, 0);
    assert!(api.employees().await.is_empty(), "nothing stored");
    app.shutdown().await;
}

#[tokio::test]
async fn huge_input_is_never_echoed_back() {
    let app = app().await;
    let api = app.signup("Echo").await;
    let huge = "a".repeat(100_000);
    let attempts = [
        (
            Method::POST,
            "/devices",
            json!({"name": "Door", "host": huge}),
        ),
        (
            Method::POST,
            "/devices",
            json!({"name": "Door", "host": "127.0.0.1", "timezone": huge}),
        ),
        (Method::POST, "/account/plan", json!({"plan": 5, "x": huge})),
        (Method::POST, "/login", json!({"email": [huge]})),
    ];
    for (method, path, body) in attempts {
        let r = api.send(method, path, Some(&body)).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        assert!(r.text.len() < 2_000, "{path} echoed {} bytes", r.text.len());
    }
    app.shutdown().await;
}

#[tokio::test]
async fn unreadable_bodies_answer_documented_statuses() {
    let app = app().await;
    let api = app.signup("Bodies").await;
    let doc = document(&app).await;
    let cases = [
        ("text/plain", "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("application/json", "{not json", StatusCode::BAD_REQUEST),
        (
            "application/json",
            "[1, 2]",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (content_type, body, status) in cases {
        let r = api.raw(Method::POST, "/devices", content_type, body).await;
        let v = r.expect(status);
        assert!(v["error"].is_string(), "{v}");
        assert!(r.content_type.starts_with("application/json"));
        assert!(documents(&doc, "post", "/devices", status.as_u16()));
    }
    app.shutdown().await;
}
