//! Issue 9 §4: exporting the 120,000-punch month (1,000 employees × 4
//! punches × 30 days, the data set of `attendance_store.rs`) as CSV and as
//! XLSX, through the same streamed response the API and the pages answer
//! with, read to the end as a client would. One process per figure, so
//! its peak RSS (VmHWM) is that export's alone; the baseline, in its own
//! process, is a plain scan of the same punches into memory. Run through
//! `bench/exports.sh`:
//!
//!   exports_file prepare DB            # store the month (SQLite)
//!   exports_file csv|xlsx|scan DB      # one figure, one line of JSON

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use jiff::ToSpan;
use punchclock::app::build_state;
use punchclock::clock::Clock;
use punchclock::config::Config;
use punchclock::domain::*;
use punchclock::service::Caller;
use punchclock::web::export::{sources, Format};
use punchclock::web::AppState;

mod month;

use month::{company, store_month, zoned, DAYS, FIRST};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, db) = match args.as_slice() {
        [_, mode, db] => (mode.as_str(), db.as_str()),
        _ => anyhow::bail!("usage: exports_file prepare|csv|xlsx|scan DB"),
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(run(mode, db))
}

async fn run(mode: &str, db: &str) -> anyhow::Result<()> {
    let now = zoned(FIRST.checked_add((DAYS + 6).days())?, 6, 0, 0);
    let state = build_state(
        Config {
            database_url: format!("sqlite://{db}?mode=rwc"),
            ..Config::default()
        },
        Clock::manual(now),
    )
    .await?;
    if mode == "prepare" {
        let (caller, device) = company(&state).await?;
        return store_month(&state, &caller, device, now).await;
    }
    let caller = bench_caller(&state).await?;
    let filter = PunchFilter {
        from: Some(zoned(FIRST, 0, 0, 0)),
        to: Some(zoned(FIRST.checked_add(DAYS.days())?, 0, 0, 0)),
        oldest_first: true,
        ..PunchFilter::default()
    };
    let start = Instant::now();
    let (rows, bytes) = match mode {
        "scan" => {
            let (from, to) = (filter.from.unwrap(), filter.to.unwrap());
            let all = state
                .store
                .attendance_punches(caller.company_id, from, to, None)
                .await?;
            (all.len(), 0)
        }
        "csv" | "xlsx" => {
            let format = if mode == "csv" {
                Format::Csv
            } else {
                Format::Xlsx
            };
            let tz = jiff::tz::TimeZone::get("Europe/Berlin")?;
            let sheet = sources::punch_sheet("2026-03".into(), "Europe/Berlin".into());
            let res = sources::punches(&state.services, caller, filter, tz, format, sheet);
            let mut body = res.into_body().into_data_stream();
            let (mut bytes, mut lines) = (0usize, 0usize);
            let mut first: Vec<u8> = Vec::new();
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                if first.len() < 4096 {
                    first.extend_from_slice(&chunk[..chunk.len().min(4096)]);
                }
                bytes += chunk.len();
                lines += chunk.iter().filter(|b| **b == b'\n').count();
            }
            let magic: &[u8] = if mode == "csv" { b"id," } else { b"PK" };
            anyhow::ensure!(first.starts_with(magic), "not the {mode} file");
            // CSV: a header line, then one line per punch (no field here
            // holds a line break); XLSX rows are inside the zip.
            let rows = if mode == "csv" {
                lines.saturating_sub(1)
            } else {
                0
            };
            (rows, bytes)
        }
        other => anyhow::bail!("unknown mode {other}"),
    };
    let wall = start.elapsed();
    println!(
        "{{\"mode\":\"{mode}\",\"rows\":{rows},\"bytes\":{bytes},\"wall_ms\":{:.1},\"peak_rss_kb\":{}}}",
        ms(wall),
        peak_rss_kb()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// This process's peak resident set (VmHWM), in KiB.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn bench_caller(state: &AppState) -> anyhow::Result<Caller> {
    let account = state
        .store
        .account_login("bench@example.com")
        .await?
        .ok_or_else(|| anyhow::anyhow!("run prepare first"))?
        .account;
    Ok(Caller {
        company_id: account.company_id,
        account_id: account.id,
    })
}
