//! The company zone over one timetable's dates, worked out once: the
//! instant each day starts and the offsets in force. Per-punch lookups are
//! then a short search instead of a time zone query (the engine does one
//! or two per punch), and fall back to the zone outside the span.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

use super::calendar::{add_days, DateRange};
use super::output::LocalTime;
use super::window::{instant_at_midnight, seconds_to_ts};

#[derive(Debug, Clone)]
pub(crate) struct ZoneSpan {
    zone: TimeZone,
    /// The span's dates and the day after.
    dates: Vec<Date>,
    /// When each of `dates` starts.
    starts: Vec<i64>,
    /// Offsets from the span's start on: (in force from, offset).
    offsets: Vec<(i64, Offset)>,
}

impl ZoneSpan {
    pub fn new(zone: &TimeZone, range: DateRange) -> ZoneSpan {
        let dates: Vec<Date> = range.widen(0, 1).days().collect();
        let starts: Vec<i64> = dates
            .iter()
            .map(|d| instant_at_midnight(zone, *d))
            .collect();
        let (from, to) = (starts[0], starts[starts.len() - 1]);
        let mut offsets = vec![(from, zone.to_offset(seconds_to_ts(from)))];
        let changes = zone
            .following(seconds_to_ts(from))
            .map(|t| (t.timestamp().as_second(), t.offset()))
            .take_while(|(at, _)| *at < to);
        offsets.extend(changes);
        ZoneSpan {
            zone: zone.clone(),
            dates,
            starts,
            offsets,
        }
    }

    /// The company-zone date of an instant.
    pub fn date_of(&self, at: i64) -> Date {
        let i = self.starts.partition_point(|s| *s <= at);
        if i == 0 || i == self.starts.len() {
            return self.zone.to_datetime(seconds_to_ts(at)).date();
        }
        self.dates[i - 1]
    }

    /// When a date starts.
    pub fn start_of(&self, date: Date) -> i64 {
        match self.dates.binary_search(&date) {
            Ok(i) => self.starts[i],
            Err(_) => instant_at_midnight(&self.zone, date),
        }
    }

    /// When the day after a date starts.
    pub fn end_of(&self, date: Date) -> i64 {
        match self.dates.binary_search(&date) {
            Ok(i) if i + 1 < self.starts.len() => self.starts[i + 1],
            _ => instant_at_midnight(&self.zone, add_days(date, 1)),
        }
    }

    pub fn offset_at(&self, at: i64) -> Offset {
        let in_span = at >= self.offsets[0].0 && at < self.starts[self.starts.len() - 1];
        match self.offsets.iter().rev().find(|(from, _)| *from <= at) {
            Some((_, offset)) if in_span => *offset,
            _ => self.zone.to_offset(seconds_to_ts(at)),
        }
    }

    pub fn local(&self, at: i64) -> LocalTime {
        LocalTime {
            at: seconds_to_ts(at),
            offset: self.offset_at(at),
        }
    }
}
