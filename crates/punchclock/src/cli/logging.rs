//! Logs of the command line tools: to stderr, `RUST_LOG` overrides.
//!
//! Slow database statements are not printed one by one: sqlx would print
//! each with its whole SQL text, hundreds of placeholders for a bulk insert.
//! They are counted by their first words instead ([`SlowStatements`]) and
//! reported in one WARN line a minute. The threshold is the store's
//! `slow_query_ms`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{filter_fn, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Where sqlx reports statements, slow ones at WARN.
const SQLX_QUERY: &str = "sqlx::query";

/// How often the summary of slow statements is written.
const SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// Kinds of statement told apart in one summary; the rest are "other".
const KINDS: usize = 50;

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let slow = SlowStatements::default();
    let printed = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter)
        .with_filter(filter_fn(|m| !is_slow_statement(m.target(), *m.level())));
    let counted = slow
        .clone()
        .with_filter(Targets::new().with_target(SQLX_QUERY, Level::WARN));
    if tracing_subscriber::registry()
        .with(printed)
        .with(counted)
        .try_init()
        .is_ok()
    {
        std::thread::spawn(move || loop {
            std::thread::sleep(SUMMARY_EVERY);
            if let Some(line) = slow.take_summary() {
                tracing::warn!(target: "punchclock::slow_statements", "{line}");
            }
        });
    }
}

fn is_slow_statement(target: &str, level: Level) -> bool {
    target == SQLX_QUERY && level == Level::WARN
}

/// Slow statements since the last summary, by their first words.
#[derive(Clone, Default)]
pub struct SlowStatements {
    seen: Arc<Mutex<HashMap<String, Tally>>>,
}

#[derive(Clone, Copy, Default)]
struct Tally {
    count: u64,
    slowest_secs: f64,
}

impl SlowStatements {
    /// Counts one slow statement.
    pub fn add(&self, summary: &str, secs: f64) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: statements past the first kinds are counted together.
        let key = if seen.len() < KINDS || seen.contains_key(summary) {
            summary
        } else {
            "other statements"
        };
        let tally = seen.entry(key.to_owned()).or_default();
        tally.count += 1;
        tally.slowest_secs = tally.slowest_secs.max(secs);
    }

    /// One line for what was counted since the last call, most frequent
    /// first, or `None` if nothing was slow.
    pub fn take_summary(&self) -> Option<String> {
        let seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()));
        if seen.is_empty() {
            return None;
        }
        let mut kinds: Vec<(String, Tally)> = seen.into_iter().collect();
        kinds.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
        let total: u64 = kinds.iter().map(|(_, t)| t.count).sum();
        let mut line = format!("{total} slow database statements since the last report:");
        for (i, (summary, tally)) in kinds.iter().take(5).enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            let _ = write!(
                line,
                "{sep}{}x {summary} (slowest {:.2} s)",
                tally.count, tally.slowest_secs
            );
        }
        if kinds.len() > 5 {
            let _ = write!(line, "; and {} other kinds", kinds.len() - 5);
        }
        Some(line)
    }
}

impl<S: Subscriber> Layer<S> for SlowStatements {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = StatementFields::default();
        event.record(&mut fields);
        let summary = fields.summary.unwrap_or_else(|| "a statement".into());
        self.add(&summary, fields.secs);
    }
}

/// The fields of sqlx's event that the summary keeps: never the statement.
#[derive(Default)]
struct StatementFields {
    summary: Option<String>,
    secs: f64,
}

impl Visit for StatementFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            self.summary = Some(shorten(value));
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.secs = value;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.summary = Some(shorten(format!("{value:?}").trim_matches('"')));
        }
    }
}

/// The first words of a statement, at most 60 characters.
fn shorten(summary: &str) -> String {
    let mut s: String = summary.chars().take(60).collect();
    if s.len() < summary.len() && !s.ends_with('…') {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_statements_are_counted_not_printed() {
        let slow = SlowStatements::default();
        let subscriber = tracing_subscriber::registry().with(
            slow.clone()
                .with_filter(Targets::new().with_target(SQLX_QUERY, Level::WARN)),
        );
        let placeholders = vec!["(?, ?, ?)"; 500].join(", ");
        let statement = format!("INSERT INTO punches (a, b, c) VALUES {placeholders}");
        tracing::subscriber::with_default(subscriber, || {
            for secs in [1.5, 2.25] {
                tracing::warn!(
                    target: "sqlx::query",
                    summary = "insert into punches …",
                    db.statement = statement.as_str(),
                    elapsed_secs = secs,
                    "slow statement: execution time exceeded alert threshold"
                );
            }
            tracing::warn!(target: "sqlx::query", summary = "select 1", elapsed_secs = 1.0, "slow");
            // Not slow: below WARN.
            tracing::debug!(target: "sqlx::query", summary = "select 2", elapsed_secs = 0.1);
        });
        let line = slow.take_summary().expect("a summary");
        assert_eq!(
            line,
            "3 slow database statements since the last report: 2x insert into punches … \
             (slowest 2.25 s); 1x select 1 (slowest 1.00 s)"
        );
        assert!(!line.contains('?'), "{line}");
        assert_eq!(
            slow.take_summary(),
            None,
            "counts start again after a report"
        );
    }

    #[test]
    fn kinds_are_bounded() {
        let slow = SlowStatements::default();
        for i in 0..(KINDS + 20) {
            slow.add(&format!("select {i}"), 1.0);
        }
        let line = slow.take_summary().unwrap();
        assert!(line.starts_with("70 slow"), "{line}");
        assert!(line.contains("20x other statements"), "{line}");
        assert!(line.contains("and 46 other kinds"), "{line}");
    }

    #[test]
    fn only_sqlx_warnings_are_held_back_from_the_printed_log() {
        assert!(is_slow_statement("sqlx::query", Level::WARN));
        assert!(!is_slow_statement("sqlx::query", Level::DEBUG));
        assert!(!is_slow_statement("punchclock::sync", Level::WARN));
    }
}
