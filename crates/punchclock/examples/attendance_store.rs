//! Issue 8 §6: attendance from the database, on SQLite and PostgreSQL. A
//! month for 1,000 employees with 4 punches a day (120,000 punches) is
//! stored through the real sync path, then timed through the service,
//! which reads the stored attendance days (migration 0010): the first
//! month read (computes and stores every day), the month's summary, one
//! day for everyone, a sync that stores 10,000 new punches and the first
//! read of the days it touched, and a rule change with the recompute it
//! causes. Every figure is also given as a ratio to a plain full scan of
//! the month's punches in the same run. Run through `bench/attendance.sh`.

use std::future::Future;
use std::time::{Duration, Instant};

use jiff::{Timestamp, ToSpan};
use punchclock::app::build_state;
use punchclock::attendance::{Shift, ShiftSpec, Totals};
use punchclock::clock::Clock;
use punchclock::config::Config;
use punchclock::domain::*;
use punchclock::service::attendance::{Page, Period};
use punchclock::service::Caller;
use punchclock::web::AppState;

mod month;

use month::{store_month, sync, zoned, DAYS, EMPLOYEES, FIRST};

const RUNS: usize = 7;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let dir = tempfile_dir()?;
    let sqlite = format!("sqlite://{}/bench.sqlite?mode=rwc", dir.display());
    rt.block_on(bench("SQLite", &sqlite))?;
    if let Ok(admin) = std::env::var("PUNCHCLOCK_BENCH_POSTGRES_URL") {
        rt.block_on(async {
            let (url, drop) = fresh_postgres(&admin).await?;
            let result = bench("PostgreSQL", &url).await;
            drop.await;
            result
        })?;
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("pc-att-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The month, the sync and every figure on one backend.
async fn bench(backend: &str, url: &str) -> anyhow::Result<()> {
    let now = zoned(FIRST.checked_add((DAYS + 6).days())?, 6, 0, 0);
    let state = build_state(
        Config {
            database_url: url.to_owned(),
            ..Config::default()
        },
        Clock::manual(now),
    )
    .await?;
    let (caller, device) = company(&state).await?;
    let load = Instant::now();
    store_month(&state, &caller, device, now).await?;
    println!(
        "\n== {backend}: {EMPLOYEES} employees x 4 punches x {DAYS} days stored in {:.1} s",
        load.elapsed().as_secs_f64()
    );
    figures(&state, &caller, device, now).await
}

async fn figures(
    state: &AppState,
    caller: &Caller,
    device: DeviceId,
    now: Timestamp,
) -> anyhow::Result<()> {
    let month = Period {
        from: FIRST,
        to: FIRST.checked_add((DAYS - 1).days())?,
    };
    let day = Period::day(FIRST.checked_add(15.days())?);
    let (from, to) = (
        zoned(month.from, 0, 0, 0),
        zoned(month.to.tomorrow()?, 0, 0, 0),
    );
    let scan = median(|| async {
        let n = state
            .store
            .attendance_punches(caller.company_id, from, to, None)
            .await?;
        Ok(n.len())
    })
    .await?;
    report(
        "plain full scan of the month's punches (baseline)",
        scan,
        scan,
    );
    // Nothing is stored yet: the first read computes and saves the month.
    let first = timed(summary(state, caller, month)).await?;
    report("first month read: compute + store 30,000 days", first, scan);
    let stored = stored_days(state, caller, month).await?;
    anyhow::ensure!(stored == EMPLOYEES * DAYS as usize, "{stored} days stored");
    let month_summary = median(|| summary(state, caller, month)).await?;
    let one_day = median(|| summary(state, caller, day)).await?;
    report("month summary, everyone (stored days)", month_summary, scan);
    report("one day, everyone (stored days)", one_day, scan);

    // 10,000 new punches: the 2.5 days after the month for everyone. The
    // sync forgets the days they touch (and the month's last day, a
    // neighbour); the first read of those days computes and stores them.
    let written = timed(sync(state, caller, device, DAYS, 3, now)).await?;
    let touched = Period {
        from: month.to,
        to: month.to.checked_add(3.days())?,
    };
    let fresh = timed(summary(state, caller, touched)).await?;
    let again = timed(summary(state, caller, month)).await?;
    report("the sync storing 10,000 new punches", written, scan);
    report("first read of the days it touched", fresh, scan);
    report("month summary after that sync", again, scan);
    println!(
        "   up to date after the sync: {:.1} ms (sync + first read)",
        (written.wall + fresh.wall).as_secs_f64() * 1e3
    );

    // A rule change forgets every day; the next month read recomputes all.
    let rules = state.store.attendance_rules(caller.company_id).await?;
    let write = timed(async {
        state
            .store
            .update_attendance_rules(caller.company_id, &rules)
            .await?;
        Ok(())
    })
    .await?;
    let recompute = timed(summary(state, caller, month)).await?;
    report("a rule change (forgets every stored day)", write, scan);
    report(
        "month summary after it: compute + store all",
        recompute,
        scan,
    );
    Ok(())
}

/// How many days of `period` are stored for the company.
async fn stored_days(state: &AppState, caller: &Caller, period: Period) -> anyhow::Result<usize> {
    let zone = state.store.get_company(caller.company_id).await?.timezone;
    let rows = state
        .store
        .stored_attendance_days(caller.company_id, period.range(), None, zone.tz())
        .await?;
    Ok(rows.len())
}

/// Everyone over `period`, summed per employee as a timesheet does.
async fn summary(state: &AppState, caller: &Caller, period: Period) -> anyhow::Result<usize> {
    let page = Page {
        limit: Page::max_for_totals(period),
        offset: 0,
    };
    let everyone = state
        .services
        .attendance()
        .everyone(caller, period, page)
        .await?;
    let totals: Vec<Totals> = everyone.people.iter().map(|p| p.totals()).collect();
    anyhow::ensure!(totals.len() == EMPLOYEES, "{} employees", totals.len());
    Ok(totals.iter().map(|t| t.days as usize).sum())
}

/// The month's company with a 09:00-17:30 default shift (30 min break),
/// Monday to Friday.
async fn company(state: &AppState) -> anyhow::Result<(Caller, DeviceId)> {
    let (caller, device) = month::company(state).await?;
    let mut spec = ShiftSpec::new("Day", "09:00", "17:30");
    spec.break_minutes = 30;
    let shift = state
        .services
        .shifts()
        .create(&caller, &Shift::parse(&spec)?)
        .await?;
    let rules = AttendanceRules {
        default_shift_id: Some(shift.id),
        ..AttendanceRules::default()
    };
    state
        .store
        .update_attendance_rules(caller.company_id, &rules)
        .await?;
    Ok((caller, device))
}

/// Wall time, and this process's CPU time (user + system, all threads:
/// SQLite runs in them; PostgreSQL's server does not) from /proc, which a
/// busy machine inflates far less than wall time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

fn cpu_now() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15; the first after the name is 3.
    let field = |n: usize| {
        f.get(n - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let ticks = field(14) + field(15);
    Duration::from_millis(ticks * 10)
}

async fn timed<T, F: Future<Output = anyhow::Result<T>>>(f: F) -> anyhow::Result<Took> {
    let (start, cpu) = (Instant::now(), cpu_now());
    f.await?;
    Ok(Took {
        wall: start.elapsed(),
        cpu: cpu_now().saturating_sub(cpu),
    })
}

async fn median<T, F, Fut>(mut f: F) -> anyhow::Result<Took>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        times.push(timed(f()).await?);
    }
    times.sort();
    Ok(times[RUNS / 2])
}

fn report(what: &str, took: Took, baseline: Took) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-3);
    println!(
        "{what:<50} wall {:>7.1} ms {:>5.2}x scan | cpu {:>6.0} ms {:>5.2}x scan",
        ms(took.wall),
        ratio(took.wall, baseline.wall),
        ms(took.cpu),
        ratio(took.cpu, baseline.cpu),
    );
}

/// A new database under an admin URL, and a future that drops it.
async fn fresh_postgres(admin: &str) -> anyhow::Result<(String, impl Future<Output = ()> + use<>)> {
    let name = format!("pc_bench_{}", std::process::id());
    let pool = sqlx::PgPool::connect(admin).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&pool)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await?;
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    let url = format!("{base}/{name}");
    let drop = async move {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&pool)
            .await;
        pool.close().await;
    };
    Ok((url, drop))
}
