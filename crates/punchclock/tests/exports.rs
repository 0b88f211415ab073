//! Exports through the API, end to end: a simulated clock on a real socket,
//! the server on 127.0.0.1:0, a manual clock. Each file is parsed (CSV with
//! the `csv` crate, XLSX opened with `calamine`) and compared cell by cell
//! with the JSON the same API answers. SQLite, and PostgreSQL when
//! `PUNCHCLOCK_TEST_POSTGRES_URL` is set.

mod common;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::week::{at, monday, simulator, synced, user};
use common::{items, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_sim::Simulator;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const WEEK: &str = "from=2026-06-29&to=2026-07-05";

/// Ana: late on Wednesday, overtime on Thursday, in only on Friday. Bo: a
/// short Wednesday. Cy (name to be changed to a formula): nothing.
async fn clock() -> Simulator {
    simulator(
        "EXP0000001",
        vec![
            user(1, "1001", "Ana"),
            user(2, "1002", "Bo"),
            user(3, "1003", "Cy"),
        ],
        vec![
            at("1001", 1, 9, 20, 0, 0),
            at("1001", 1, 18, 0, 0, 1),
            at("1001", 2, 8, 55, 0, 0),
            at("1001", 2, 20, 10, 0, 1),
            at("1001", 3, 9, 0, 0, 0),
            at("1002", 1, 9, 0, 0, 0),
            at("1002", 1, 15, 30, 0, 1),
        ],
    )
    .await
}

/// A file download: status, headers and bytes.
struct File {
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

async fn download(api: &Api, path: &str) -> File {
    let res = api
        .http
        .get(format!("{}{}", api.base, path))
        .bearer_auth(api.token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let header = |name| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let disposition = header(reqwest::header::CONTENT_DISPOSITION);
    let bytes = res.bytes().await.unwrap().to_vec();
    File {
        content_type,
        disposition,
        bytes,
    }
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn sheet(bytes: Vec<u8>, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The first worksheet's XML, as stored in the XLSX.
fn sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    xml
}

/// The width the sheet XML sets for column `n` (1-based), in characters:
/// from the `<col min max width>` range holding it (equal neighbours
/// share one).
fn col_width(xml: &str, n: u32) -> f64 {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!(r#" {name}=""#);
        let at = tag.find(&key).map(|i| i + key.len()).unwrap_or(tag.len());
        tag[at..].split('"').next().unwrap_or("").to_string()
    };
    xml.split("<col ")
        .skip(1)
        .map(|t| format!(" {}", &t[..t.find("/>").unwrap_or(t.len())]))
        .find(|t| {
            let (min, max) = (attr(t, "min").parse::<u32>(), attr(t, "max").parse::<u32>());
            matches!((min, max), (Ok(lo), Ok(hi)) if lo <= n && n <= hi)
        })
        .map(|t| attr(&t, "width").parse::<f64>().unwrap())
        .unwrap_or_else(|| panic!("no width for column {n}"))
}

/// `2026-07-01T09:20:00+02:00` → `2026-07-01 09:20:00`; null → empty.
fn local(v: &Value) -> String {
    v.as_str()
        .map(|s| s[..19].replace('T', " "))
        .unwrap_or_default()
}

fn hours(minutes: i64) -> String {
    format!("{}.{:02}", minutes / 60, (minutes % 60 * 100 + 30) / 60)
}

fn clock_text(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn min(row: &Value, field: &str) -> i64 {
    row[field].as_i64().unwrap()
}

/// Excel's serial day number of `2026-07-01 09:20:00`-style text.
fn serial(text: &str) -> f64 {
    let dt: jiff::civil::DateTime = if text.len() == 10 {
        text.parse::<jiff::civil::Date>().unwrap().into()
    } else {
        text.replace(' ', "T").parse().unwrap()
    };
    let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    let span = dt.duration_since(epoch);
    span.as_secs_f64() / 86_400.0
}

#[tokio::test]
async fn payroll_days_match_the_attendance_api_in_csv_and_xlsx() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Exports").await;
    let json = items(
        api.get(&format!("/attendance/daily?{WEEK}"))
            .await
            .expect(StatusCode::OK),
    );
    let employees = api.employees().await;
    assert_eq!(json.len(), 3 * 7);

    let csv = download(&api, &format!("/attendance/daily?{WEEK}&format=csv")).await;
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert!(
        csv.disposition
            .contains("attendance_2026-06-29_2026-07-05.csv"),
        "{}",
        csv.disposition
    );
    let (headers, rows) = csv_rows(&csv.bytes);
    assert_eq!(headers[5], "First in (Europe/Berlin)");
    assert_eq!(headers[6], "Last out (Europe/Berlin)");
    assert_eq!(rows.len(), json.len());
    for (row, api_row) in rows.iter().zip(&json) {
        let e = employees
            .iter()
            .find(|e| e["id"] == api_row["employee_id"])
            .unwrap();
        let flags: Vec<&str> = api_row["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let worked = min(api_row, "worked_minutes");
        let overtime = min(api_row, "overtime_minutes");
        let shift = if api_row["shift_id"].is_null() {
            ""
        } else {
            "Day"
        };
        let expected = [
            api_row["enroll_id"].as_str().unwrap().to_string(),
            e["name"].as_str().unwrap().to_string(),
            e["designation"].as_str().unwrap_or("").to_string(),
            api_row["date"].as_str().unwrap().to_string(),
            shift.to_string(),
            local(&api_row["first_in"]),
            local(&api_row["last_out"]),
            hours(worked),
            hours(worked - overtime),
            hours(overtime),
            clock_text(worked),
            clock_text(worked - overtime),
            clock_text(overtime),
            min(api_row, "late_minutes").to_string(),
            min(api_row, "early_leave_minutes").to_string(),
            api_row["status"].as_str().unwrap().to_string(),
            flags.join(" "),
        ];
        assert_eq!(row, &expected, "{api_row}");
    }
    // The figures are what the punches say, not just equal to each other.
    let ana_wed = rows
        .iter()
        .find(|r| r[0] == "1001" && r[3] == "2026-07-01")
        .unwrap();
    assert_eq!(ana_wed[5], "2026-07-01 09:20:00");
    assert_eq!(ana_wed[13], "20");
    assert_eq!(ana_wed[15], "late");

    let xlsx = download(&api, &format!("/attendance/daily?{WEEK}&format=xlsx")).await;
    assert_eq!(xlsx.content_type, XLSX);
    assert!(xlsx
        .disposition
        .contains("attendance_2026-06-29_2026-07-05.xlsx"));
    let xml = sheet_xml(&xlsx.bytes);
    assert!(
        xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#),
        "the header row is frozen"
    );
    // Widths fit the widest value: the zoned header, a 10-character date.
    assert!(
        col_width(&xml, 6) >= 24.0,
        "First in: {}",
        col_width(&xml, 6)
    );
    assert!(col_width(&xml, 4) >= 10.0, "Date: {}", col_width(&xml, 4));
    assert!(col_width(&xml, 2) < col_width(&xml, 6), "Name is narrower");
    let cells = sheet(xlsx.bytes, "attendance");
    assert_eq!(cells[0][5], Data::String("First in (Europe/Berlin)".into()));
    // Header, one row per CSV row, and the totals row.
    assert_eq!(cells.len(), rows.len() + 2);
    for (x, c) in cells[1..].iter().zip(&rows) {
        assert_eq!(x[0], Data::String(c[0].clone()));
        assert_eq!(x[1], Data::String(c[1].clone()));
        match &x[3] {
            Data::DateTime(d) => assert_eq!(d.as_f64(), serial(&c[3])),
            other => panic!("date is not a date: {other:?}"),
        }
        for (col, text) in [(5, &c[5]), (6, &c[6])] {
            match &x[col] {
                Data::Empty => assert_eq!(text, ""),
                Data::DateTime(d) => assert!((d.as_f64() - serial(text)).abs() < 1e-9),
                other => panic!("time is not a time: {other:?}"),
            }
        }
        for col in 7..=9 {
            let Data::Float(h) = x[col] else {
                panic!("hours are not a number: {:?}", x[col]);
            };
            assert_eq!(format!("{h:.2}"), c[col]);
        }
        for col in 13..=14 {
            assert_eq!(x[col].to_string(), c[col]);
        }
        assert_eq!(x[15], Data::String(c[15].clone()));
    }
    let totals = cells.last().unwrap();
    assert_eq!(totals[0], Data::String("Total".into()));
    let worked: f64 = json.iter().map(|r| min(r, "worked_minutes") as f64).sum();
    let Data::Float(total) = totals[7] else {
        panic!("total: {:?}", totals[7]);
    };
    assert!((total - worked / 60.0).abs() < 1e-6, "{total} vs {worked}");
    app.shutdown().await;
}

#[tokio::test]
async fn timesheet_summary_matches_the_timesheets_api() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Exports").await;
    let json = items(
        api.get(&format!("/timesheets?{WEEK}"))
            .await
            .expect(StatusCode::OK),
    );
    let csv = download(&api, &format!("/timesheets?{WEEK}&format=csv")).await;
    assert!(csv
        .disposition
        .contains("timesheet_2026-06-29_2026-07-05.csv"));
    let (headers, rows) = csv_rows(&csv.bytes);
    assert_eq!(headers[0], "Enroll ID");
    assert_eq!(rows.len(), json.len());
    let ana = rows.iter().find(|r| r[0] == "1001").unwrap();
    assert_eq!((ana[12].as_str(), ana[13].as_str()), ("1", "20"));
    for (row, t) in rows.iter().zip(&json) {
        assert_eq!(row[0], t["enroll_id"].as_str().unwrap());
        assert_eq!(row[1], t["name"].as_str().unwrap());
        assert_eq!(row[3], "2026-06-29");
        assert_eq!(row[4], "2026-07-05");
        assert_eq!(row[5], t["days_present"].to_string());
        assert_eq!(row[6], t["absent_days"].to_string());
        assert_eq!(row[12], t["late_count"].to_string());
        assert_eq!(row[13], t["late_minutes"].to_string());
        assert_eq!(row[15], t["early_leave_minutes"].to_string());
        assert_eq!(row[16], hours(min(t, "worked_minutes")));
        assert_eq!(row[17], hours(min(t, "regular_minutes")));
        assert_eq!(row[18], hours(min(t, "overtime_minutes")));
        assert_eq!(row[19], clock_text(min(t, "worked_minutes")));
    }
    let xlsx = download(&api, &format!("/timesheets?{WEEK}&format=xlsx")).await;
    let cells = sheet(xlsx.bytes, "timesheet");
    assert_eq!(cells.len(), json.len() + 2);
    for (x, t) in cells[1..].iter().zip(&json) {
        assert_eq!(x[0], Data::String(t["enroll_id"].as_str().unwrap().into()));
        assert_eq!(x[5], Data::Float(t["days_present"].as_f64().unwrap()));
        let Data::Float(h) = x[16] else {
            panic!("{:?}", x[16]);
        };
        assert!((h * 60.0 - t["worked_minutes"].as_f64().unwrap()).abs() < 1e-6);
    }
    app.shutdown().await;
}

#[tokio::test]
async fn punches_export_every_page_with_the_filters_and_no_formulas() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Exports").await;
    let cy = api
        .employees()
        .await
        .into_iter()
        .find(|e| e["enroll_id"] == "1003")
        .unwrap();
    api.patch(
        &format!("/employees/{}", cy["id"]),
        &json!({"first_name": "=HYPERLINK(\"http://x\")", "last_name": "@SUM"}),
    )
    .await
    .expect(StatusCode::OK);
    let ana = api
        .employees()
        .await
        .into_iter()
        .find(|e| e["enroll_id"] == "1001")
        .unwrap();
    // Ana's punches, a page of 2 in JSON; the file ignores paging.
    let q = format!("employee_id={}&from=2026-07-01&to=2026-07-02", ana["id"]);
    let (page, total) = api.punches(&format!("?{q}&limit=2&order=asc")).await;
    assert_eq!((page.len(), total), (2, 4));
    let (all, _) = api.punches(&format!("?{q}&limit=100&order=asc")).await;
    let csv = download(&api, &format!("/punches?{q}&limit=2&order=asc&format=csv")).await;
    assert!(csv
        .disposition
        .contains("punches_2026-07-01_2026-07-02.csv"));
    let (headers, rows) = csv_rows(&csv.bytes);
    assert!(headers.contains(&"time (Europe/Berlin)".to_string()));
    let time_col = headers.iter().position(|h| h.starts_with("time")).unwrap();
    let id_col = headers.iter().position(|h| h == "id").unwrap();
    assert_eq!(rows.len(), all.len());
    for (row, p) in rows.iter().zip(&all) {
        assert_eq!(row[id_col], p["id"].to_string());
        assert_eq!(row[time_col], local(&p["time"]));
    }
    let xlsx = download(&api, &format!("/punches?{q}&format=xlsx")).await;
    let cells = sheet(xlsx.bytes, "punches");
    assert_eq!(cells.len(), all.len() + 1, "no totals row without sums");

    // A name that is a formula is text in CSV: quoted with a leading '.
    let csv = download(&api, "/employees?format=csv").await;
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'@SUM"), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
    app.shutdown().await;
}

#[tokio::test]
async fn bad_formats_are_refused() {
    let app = monday().await;
    let api = app.signup("Formats").await;
    for path in ["/punches", "/attendance/daily", "/timesheets", "/employees"] {
        let r = api.get(&format!("{path}?format=pdf")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            r.text
        );
        assert!(r.text.contains("format"), "{}", r.text);
    }
    app.shutdown().await;
}

/// The JSON schema a `$ref` points at, or the schema itself.
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Every `GET` whose JSON answer is a list (`items`), from the served
/// document: a list added later is checked without touching this test.
fn list_routes(doc: &Value) -> Vec<String> {
    let mut lists = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let schema = &ops["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        if resolved(doc, schema)["properties"]["items"]["type"] == "array" {
            lists.push(path.clone());
        }
    }
    lists
}

/// Whether `text` holds a `YYYY-MM-DD` date.
fn has_date(text: &str) -> bool {
    text.as_bytes().windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    })
}

#[tokio::test]
async fn every_list_in_the_api_answers_csv_and_xlsx_named_with_the_period() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Every list").await;
    let hooks = common::receiver::Receiver::start().await;
    let hook = api
        .post("/webhooks", &json!({"url": hooks.url()}))
        .await
        .expect(StatusCode::CREATED);
    let device = api.get("/devices").await.expect(StatusCode::OK)["items"][0]["id"].clone();
    let doc = app
        .anonymous()
        .get("/openapi.json")
        .await
        .expect(StatusCode::OK);
    let lists = list_routes(&doc);
    for known in [
        "/punches",
        "/attendance/daily",
        "/timesheets",
        "/plans",
        "/devices/{id}/logs",
    ] {
        assert!(lists.iter().any(|l| l == known), "{known} in {lists:?}");
    }
    for path in &lists {
        let documented = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == "format" && p["in"] == "query")
            });
        assert!(documented, "{path} documents ?format");
        let url = if path.starts_with("/devices/{id}") {
            path.replace("{id}", &device.to_string())
        } else if path.starts_with("/webhooks/{id}") {
            path.replace("{id}", &hook["id"].to_string())
        } else {
            assert!(!path.contains('{'), "{path}: which id? (add it here)");
            path.clone()
        };
        let csv = download(&api, &format!("{url}?format=csv")).await;
        assert_eq!(csv.content_type, "text/csv; charset=utf-8", "{path}");
        assert!(
            csv.disposition.starts_with("attachment; filename=\"")
                && csv.disposition.ends_with(".csv\"")
                && has_date(&csv.disposition),
            "{path}: {}",
            csv.disposition
        );
        let (headers, _) = csv_rows(&csv.bytes);
        assert!(!headers.is_empty(), "{path}: a header row");
        let xlsx = download(&api, &format!("{url}?format=xlsx")).await;
        assert_eq!(xlsx.content_type, XLSX, "{path}");
        assert!(
            xlsx.disposition.ends_with(".xlsx\"") && has_date(&xlsx.disposition),
            "{path}: {}",
            xlsx.disposition
        );
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx.bytes)).unwrap();
        let first = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&first).unwrap();
        let head: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(head, headers, "{path}: the same columns in both");
    }
    app.shutdown().await;
}
