//! Worked hours per day as an SVG bar chart drawn here, on the server: no
//! chart library, nothing fetched. The chart is an image with a title and
//! a description for screen readers, and the same figures follow in a
//! table that only screen readers read.

use maud::{html, Markup};

use crate::service::dashboard::DayHours;
use crate::web::pages::attendance::words::{day_name, hm};

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 200.0;
/// Room for the hour labels on the left and the dates below.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;
/// Room for the last date label to end inside the picture.
const RIGHT: f64 = 18.0;

pub fn worked_hours(days: &[DayHours]) -> Markup {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return html! {};
    };
    let top = axis_top(days.iter().map(|d| d.worked_seconds).max().unwrap_or(0));
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = (WIDTH - LEFT - RIGHT) / days.len() as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let y_of = |hours: f64| TOP + plot_h * (1.0 - hours / top as f64);
    let summary = summary(days);
    html! {
        figure.chart.mt-0 {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
                aria-labelledby="hours-svg-title hours-svg-desc" data-testid="hours-chart" {
                title id="hours-svg-title" {
                    "Worked hours per day, " (day_name(first.date)) " to " (day_name(last.date))
                }
                desc id="hours-svg-desc" { (summary) }
                @for step in 0..=4u32 {
                    @let hours = top as f64 * f64::from(step) / 4.0;
                    @let y = y_of(hours);
                    line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y) y2=(y) {}
                    text.axis x=(LEFT - 6.0) y=(y + 4.0) text-anchor="end" { (fmt_hours(hours)) }
                }
                @for (i, d) in days.iter().enumerate() {
                    @let hours = d.worked_seconds as f64 / 3600.0;
                    @let y = y_of(hours);
                    @let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                    rect.bar x=(x) y=(y) width=(bar_w) height=((HEIGHT - BOTTOM - y).max(0.0))
                        data-date=(d.date) data-minutes=(d.worked_seconds / 60) {
                        title { (day_name(d.date)) ": " (hm(d.worked_seconds / 60)) }
                    }
                    @if i % 7 == (days.len() - 1) % 7 {
                        text.axis x=(x + bar_w / 2.0) y=(HEIGHT - 6.0) text-anchor="middle" {
                            (d.date.strftime("%-d %b").to_string())
                        }
                    }
                }
            }
            figcaption.small.muted data-testid="hours-summary" { (summary) }
            table.sr-only data-testid="hours-table" {
                caption { "Worked hours per day" }
                thead { tr { th scope="col" { "Day" } th scope="col" { "Worked (h:mm)" } } }
                tbody {
                    @for d in days {
                        tr { th scope="row" { (day_name(d.date)) } td { (hm_or_zero(d.worked_seconds / 60)) } }
                    }
                }
            }
        }
    }
}

/// The chart in one sentence: total, average, busiest day, today.
pub fn summary(days: &[DayHours]) -> String {
    let total: i64 = days.iter().map(|d| d.worked_seconds / 60).sum();
    let worked: Vec<&DayHours> = days.iter().filter(|d| d.worked_seconds > 0).collect();
    let Some(busiest) = worked.iter().max_by_key(|d| (d.worked_seconds, d.date)) else {
        return format!("No worked time in the last {} days.", days.len());
    };
    let today = days.last().map_or(0, |d| d.worked_seconds / 60);
    format!(
        "{} (h:mm) worked over the last {} days, on {} of them; busiest {} with {}; today so far {}.",
        hm_or_zero(total),
        days.len(),
        worked.len(),
        day_name(busiest.date),
        hm_or_zero(busiest.worked_seconds / 60),
        hm_or_zero(today),
    )
}

fn hm_or_zero(minutes: i64) -> String {
    match minutes {
        0 => "0:00".into(),
        m => hm(m),
    }
}

/// A round top for the hour axis: 1, 2 or 5 times a power of ten hours,
/// at least the busiest day (and at least one hour).
fn axis_top(max_seconds: i64) -> u64 {
    let hours = (max_seconds.max(0) as u64).div_ceil(3600).max(1);
    let mut magnitude = 1;
    loop {
        for m in [1, 2, 5] {
            if m * magnitude >= hours {
                return m * magnitude;
            }
        }
        magnitude *= 10;
    }
}

fn fmt_hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn day(d: i8, seconds: i64) -> DayHours {
        DayHours {
            date: date(2026, 7, d),
            worked_seconds: seconds,
        }
    }

    #[test]
    fn the_axis_is_round_and_holds_the_busiest_day() {
        assert_eq!(axis_top(0), 1);
        assert_eq!(axis_top(3600), 1);
        assert_eq!(axis_top(3601), 2);
        assert_eq!(axis_top(7 * 3600), 10);
        assert_eq!(axis_top(41 * 3600), 50);
        assert_eq!(axis_top(101 * 3600), 200);
    }

    #[test]
    fn the_chart_says_in_words_what_it_draws() {
        let days = [day(1, 8 * 3600 + 7 * 60), day(2, 0), day(3, 3600)];
        let s = summary(&days);
        assert_eq!(
            s,
            "9:07 (h:mm) worked over the last 3 days, on 2 of them; busiest Wed 1 Jul with 8:07; today so far 1:00."
        );
        let svg = worked_hours(&days).into_string();
        assert!(svg.contains(r#"role="img""#), "{svg}");
        assert!(svg.contains("<desc id=\"hours-svg-desc\">9:07"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(r#"data-date="2026-07-01" data-minutes="487""#));
        assert!(
            svg.contains("<td>0:00</td>"),
            "a day without work reads 0:00"
        );
        assert_eq!(
            summary(&[day(1, 0), day(2, 0)]),
            "No worked time in the last 2 days."
        );
    }
}
