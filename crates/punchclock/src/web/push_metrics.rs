//! Push mode's part of `/metrics` (`health.rs` serves it): counts only,
//! never a serial or an address, in the Prometheus text format.

use std::fmt::Write;

use crate::push::PushMetrics;

/// The exposition text: one `# HELP`, `# TYPE` and sample per metric.
pub fn render(m: &PushMetrics) -> String {
    let rows: [(&str, &str, &str, u64); 5] = [
        (
            "punchclock_push_requests_total",
            "counter",
            "Requests from push devices (claimed or not).",
            m.requests,
        ),
        (
            "punchclock_push_refused_total",
            "counter",
            "Push requests answered with anything but 200.",
            m.refused,
        ),
        (
            "punchclock_push_unclaimed_requests_total",
            "counter",
            "Requests from serial numbers no company has added.",
            m.unclaimed_requests,
        ),
        (
            "punchclock_push_unclaimed_devices",
            "gauge",
            "Unclaimed serial numbers on record (punchclock push unclaimed).",
            m.unclaimed_serials,
        ),
        (
            "punchclock_push_unclaimed_dropped_total",
            "counter",
            "Sightings of new unclaimed serials not recorded because the record was full.",
            m.unclaimed_dropped,
        ),
    ];
    let mut out = String::new();
    for (name, kind, help, value) in rows {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
    out
}
