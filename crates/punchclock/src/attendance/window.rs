//! Shift instances and their punch windows over a date range.
//!
//! An instance belongs to the date it starts. Its window runs from
//! `window_before` ahead of the start to `window_after` past the end. When
//! two consecutive windows overlap, the boundary moves to the earlier
//! shift's scheduled end (or stays at the later window's own start if that
//! is later): the later window never grows backwards, and the earlier
//! shift keeps every punch up to its scheduled end.

use jiff::civil::{Date, Time};
use jiff::{tz::TimeZone, Timestamp};

use super::calendar::{add_days, DateRange, Holidays};
use super::rules::{Rules, MAX_PERIOD_SECONDS};
use super::schedule::Schedule;
use super::shift::Shift;
use super::zone_span::ZoneSpan;

/// Dates beyond the computed ones whose instances and punches are needed:
/// a night shift from the day before, a window opening the evening before.
const MARGIN_DAYS: i32 = 2;

/// One scheduled shift on one date. Instants are Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instance {
    pub date: Date,
    /// Index into the schedule's shifts.
    pub shift: usize,
    pub start: i64,
    pub end: i64,
    pub win_start: i64,
    pub win_end: i64,
}

/// A schedule laid over the calendar for one date range: build it once per
/// distinct schedule and reuse it for every employee on that schedule.
#[derive(Debug, Clone)]
pub struct Timetable<'a> {
    pub(crate) rules: &'a Rules,
    pub(crate) holidays: &'a Holidays,
    pub(crate) schedule: Option<&'a Schedule>,
    /// What the caller asked for.
    pub(crate) range: DateRange,
    /// What is computed: `range` widened to whole weeks when weekly
    /// overtime is on.
    pub(crate) days: DateRange,
    /// The dates of `days`, for cheap lookups.
    pub(crate) dates: Vec<Date>,
    pub(crate) instances: Vec<Instance>,
    pub(crate) zone: ZoneSpan,
    span: (i64, i64),
}

impl<'a> Timetable<'a> {
    pub fn new(
        rules: &'a Rules,
        holidays: &'a Holidays,
        schedule: Option<&'a Schedule>,
        range: DateRange,
    ) -> Timetable<'a> {
        let days = computed_days(rules, range);
        let wide = days.widen(MARGIN_DAYS, MARGIN_DAYS);
        let zone = &rules.zone;
        let mut instances = match schedule {
            Some(s) => wide.days().filter_map(|d| instance(zone, s, d)).collect(),
            None => Vec::new(),
        };
        resolve_overlaps(&mut instances);
        let zone = ZoneSpan::new(zone, wide);
        let span = (zone.start_of(wide.from()), zone.start_of(wide.to()));
        Timetable {
            rules,
            holidays,
            schedule,
            range,
            days,
            dates: days.days().collect(),
            instances,
            zone,
            span,
        }
    }

    /// The UTC span `[from, to)` of punches to load for this range.
    pub fn punch_span(&self) -> (Timestamp, Timestamp) {
        (seconds_to_ts(self.span.0), seconds_to_ts(self.span.1))
    }

    /// The dates whose days are returned.
    pub fn range(&self) -> DateRange {
        self.range
    }

    /// The dates actually computed (whole weeks with weekly overtime).
    pub fn computed_range(&self) -> DateRange {
        self.days
    }

    pub(crate) fn shift(&self, instance: &Instance) -> &Shift {
        let schedule = self.schedule.expect("instances come from a schedule");
        &schedule.shifts()[instance.shift]
    }

    pub(crate) fn instance_on(&self, date: Date) -> Option<&Instance> {
        let i = self
            .instances
            .binary_search_by_key(&date, |i| i.date)
            .ok()?;
        Some(&self.instances[i])
    }

    /// The instance whose window holds `at`.
    pub(crate) fn window_at(&self, at: i64) -> Option<usize> {
        let i = self.instances.partition_point(|w| w.win_end <= at);
        let w = self.instances.get(i)?;
        (w.win_start <= at).then_some(i)
    }

    /// Index of a computed date.
    pub(crate) fn day_index(&self, date: Date) -> Option<usize> {
        self.dates.binary_search(&date).ok()
    }

    pub(crate) fn date_of(&self, at: i64) -> Date {
        self.zone.date_of(at)
    }

    /// When a date's figures can no longer change from new punches: its
    /// window's end, or for a day without a shift, the longest period
    /// starting that day.
    pub(crate) fn closes_at(&self, date: Date) -> i64 {
        self.closes_at_seconds(date)
    }

    /// When `date`'s figures can no longer change from new punches (see
    /// [`SyncState`](super::SyncState)): what a stored day keeps, so a read
    /// can tell when its `provisional` flag no longer holds.
    pub fn day_closes_at(&self, date: Date) -> Timestamp {
        seconds_to_ts(self.closes_at_seconds(date))
    }

    fn closes_at_seconds(&self, date: Date) -> i64 {
        match self.instance_on(date) {
            Some(i) => i.win_end,
            None => self.zone.end_of(date) + MAX_PERIOD_SECONDS,
        }
    }
}

fn computed_days(rules: &Rules, range: DateRange) -> DateRange {
    match rules.weekly_overtime {
        Some(_) => range.whole_weeks(rules.week_start),
        None => range,
    }
}

fn instance(zone: &TimeZone, schedule: &Schedule, date: Date) -> Option<Instance> {
    let index = schedule.index_on(date.weekday())?;
    let shift = &schedule.shifts()[index];
    let end_date = if shift.crosses_midnight() {
        add_days(date, 1)
    } else {
        date
    };
    let start = instant(zone, date, shift.start())?;
    let end = instant(zone, end_date, shift.end())?;
    Some(Instance {
        date,
        shift: index,
        start,
        end,
        win_start: start - shift.before_seconds(),
        win_end: end + shift.after_seconds(),
    })
}

/// Applies the overlap rule between neighbours, keeping boundaries in order.
fn resolve_overlaps(instances: &mut [Instance]) {
    for i in 1..instances.len() {
        let (earlier, later) = (instances[i - 1], instances[i]);
        if earlier.win_end <= later.win_start {
            continue;
        }
        let boundary = earlier
            .end
            .max(later.win_start)
            .min(later.start)
            .max(earlier.win_start);
        instances[i - 1].win_end = boundary;
        instances[i].win_start = boundary;
    }
}

/// A wall-clock time in the zone as Unix seconds; a time skipped by DST
/// moves forward, a repeated one takes the first occurrence.
fn instant(zone: &TimeZone, date: Date, time: Time) -> Option<i64> {
    zone.to_timestamp(date.to_datetime(time))
        .ok()
        .map(|t| t.as_second())
}

pub(crate) fn instant_at_midnight(zone: &TimeZone, date: Date) -> i64 {
    instant(zone, date, Time::midnight()).unwrap_or(if date.year() < 0 {
        i64::MIN / 4
    } else {
        i64::MAX / 4
    })
}

pub(crate) fn seconds_to_ts(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}
