//! Shift definitions: what the API accepts ([`ShiftSpec`]) and the
//! validated form the engine uses ([`Shift`]).

use jiff::civil::{Time, Weekday};
use serde::{Deserialize, Serialize, Serializer};

use super::error::{in_range, InvalidSetting};
use super::weekdays::Weekdays;

/// Longest shift accepted (the issue refuses anything over 20 h).
pub const MAX_SHIFT_MINUTES: i64 = 20 * 60;
const DAY_MINUTES: i64 = 24 * 60;

fn default_grace() -> i64 {
    5
}
fn default_before() -> i64 {
    120
}
fn default_after() -> i64 {
    240
}
fn default_break_after() -> i64 {
    360
}

/// A shift as typed into the form or API (`start`/`end` as `"HH:MM"`,
/// `weekdays` as `["mon", …]`). Omitted fields take the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSpec {
    pub name: String,
    pub start: String,
    pub end: String,
    pub weekdays: Vec<String>,
    #[serde(default = "default_grace")]
    pub late_grace_minutes: i64,
    #[serde(default = "default_grace")]
    pub early_grace_minutes: i64,
    #[serde(default = "default_before")]
    pub window_before_minutes: i64,
    #[serde(default = "default_after")]
    pub window_after_minutes: i64,
    /// Unpaid break; 0 means none.
    #[serde(default)]
    pub break_minutes: i64,
    /// Worked time after which the unpaid break applies (default 6 h).
    #[serde(default = "default_break_after")]
    pub break_after_minutes: i64,
}

impl ShiftSpec {
    /// A Monday-to-Friday shift with every other field at its default.
    pub fn new(name: &str, start: &str, end: &str) -> ShiftSpec {
        ShiftSpec {
            name: name.to_owned(),
            start: start.to_owned(),
            end: end.to_owned(),
            weekdays: ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
            late_grace_minutes: default_grace(),
            early_grace_minutes: default_grace(),
            window_before_minutes: default_before(),
            window_after_minutes: default_after(),
            break_minutes: 0,
            break_after_minutes: default_break_after(),
        }
    }
}

/// A validated shift. Times are civil (`HH:MM` in the company zone); the
/// instant they map to is worked out per day, so DST is handled there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    id: Option<i64>,
    name: String,
    start: Time,
    end: Time,
    weekdays: Weekdays,
    /// Minutes, as entered.
    late_grace: i64,
    early_grace: i64,
    before: i64,
    after: i64,
    break_len: i64,
    break_after: i64,
}

impl Shift {
    /// Validates a spec; the error names the API field and says why.
    pub fn parse(spec: &ShiftSpec) -> Result<Shift, InvalidSetting> {
        Shift::parse_all(spec).map_err(|mut all| all.swap_remove(0))
    }

    /// Validates a spec and says what is wrong with every field at once
    /// (for a form); the lengths are checked once each field is valid.
    pub fn parse_all(spec: &ShiftSpec) -> Result<Shift, Vec<InvalidSetting>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let name = keep(e, parse_name(&spec.name));
        let start = keep(e, parse_hhmm("start", &spec.start));
        let end = keep(e, parse_hhmm("end", &spec.end));
        let weekdays = keep(e, Weekdays::parse(&spec.weekdays));
        let minutes = [
            ("late_grace_minutes", spec.late_grace_minutes, 240),
            ("early_grace_minutes", spec.early_grace_minutes, 240),
            ("window_before_minutes", spec.window_before_minutes, 720),
            ("window_after_minutes", spec.window_after_minutes, 720),
            ("break_minutes", spec.break_minutes, 720),
            ("break_after_minutes", spec.break_after_minutes, 1440),
        ]
        .map(|(field, value, max)| keep(e, in_range(field, value, 0, max)));
        let shift = (|| {
            let [late_grace, early_grace, before, after, break_len, break_after] = minutes;
            Some(Shift {
                id: None,
                name: name?,
                start: start?,
                end: end?,
                weekdays: weekdays?,
                late_grace: late_grace?,
                early_grace: early_grace?,
                before: before?,
                after: after?,
                break_len: break_len?,
                break_after: break_after?,
            })
        })();
        match shift {
            Some(shift) if errors.is_empty() => match shift.check_lengths() {
                Ok(()) => Ok(shift),
                Err(e) => Err(vec![e]),
            },
            _ => Err(errors),
        }
    }

    fn check_lengths(&self) -> Result<(), InvalidSetting> {
        let len = self.length_minutes();
        let span = format!("{}–{}", hhmm(self.start), hhmm(self.end));
        if len > MAX_SHIFT_MINUTES {
            return Err(InvalidSetting::new(
                "end",
                format!(
                    "{span} lasts {}, but a shift can last at most 20 h",
                    hm(len)
                ),
            ));
        }
        let window = self.before + len + self.after;
        if window > DAY_MINUTES {
            return Err(InvalidSetting::new(
                "window_after_minutes",
                format!(
                    "the punch window ({} before + {} shift + {} after = {}) is longer than a day, \
                     so it would overlap the same shift's window on the next day; \
                     shorten the shift or its window",
                    hm(self.before), hm(len), hm(self.after), hm(window)
                ),
            ));
        }
        if self.break_len >= len {
            return Err(InvalidSetting::new(
                "break_minutes",
                format!("a break of {} does not fit in {span}", hm(self.break_len)),
            ));
        }
        Ok(())
    }

    /// Tags the shift with its stored id; days report it as `shift_id`.
    pub fn with_id(mut self, id: i64) -> Shift {
        self.id = Some(id);
        self
    }

    pub fn id(&self) -> Option<i64> {
        self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn start(&self) -> Time {
        self.start
    }
    pub fn end(&self) -> Time {
        self.end
    }
    pub fn weekdays(&self) -> Weekdays {
        self.weekdays
    }
    pub fn works_on(&self, day: Weekday) -> bool {
        self.weekdays.contains(day)
    }
    /// True when the shift ends on the next calendar day (end ≤ start).
    pub fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// Nominal length on the wall clock; a DST night is an hour off it.
    pub fn length_minutes(&self) -> i64 {
        let len = minute_of_day(self.end) - minute_of_day(self.start);
        if len <= 0 {
            len + DAY_MINUTES
        } else {
            len
        }
    }

    pub(crate) fn start_minute(&self) -> i64 {
        minute_of_day(self.start)
    }
    pub(crate) fn late_grace_seconds(&self) -> i64 {
        self.late_grace * 60
    }
    pub(crate) fn early_grace_seconds(&self) -> i64 {
        self.early_grace * 60
    }
    pub(crate) fn before_seconds(&self) -> i64 {
        self.before * 60
    }
    pub(crate) fn after_seconds(&self) -> i64 {
        self.after * 60
    }
    pub(crate) fn unpaid_break(&self) -> UnpaidBreak {
        UnpaidBreak {
            length: self.break_len * 60,
            after: self.break_after * 60,
        }
    }

    /// The spec this shift was parsed from (normalised).
    pub fn to_spec(&self) -> ShiftSpec {
        ShiftSpec {
            name: self.name.clone(),
            start: hhmm(self.start),
            end: hhmm(self.end),
            weekdays: self.weekdays.names().map(String::from).collect(),
            late_grace_minutes: self.late_grace,
            early_grace_minutes: self.early_grace,
            window_before_minutes: self.before,
            window_after_minutes: self.after,
            break_minutes: self.break_len,
            break_after_minutes: self.break_after,
        }
    }
}

impl Serialize for Shift {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_spec().serialize(s)
    }
}

/// The unpaid break of a shift, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct UnpaidBreak {
    pub length: i64,
    pub after: i64,
}

impl UnpaidBreak {
    /// The unpaid part of `gross` worked seconds: the break is assumed to
    /// start once `after` seconds are worked, so working on into it is
    /// unpaid but working longer never pays less. Breaks already taken
    /// (`taken`, time between pairs) count against it.
    pub fn deduction(self, gross: i64, taken: i64) -> i64 {
        let due = self.length.min((gross - self.after).max(0));
        (due - taken).max(0)
    }
}

/// The value, or `None` after noting why not.
fn keep<T>(errors: &mut Vec<InvalidSetting>, r: Result<T, InvalidSetting>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn parse_name(name: &str) -> Result<String, InvalidSetting> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(InvalidSetting::new(
            "name",
            "give the shift a name of 1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

/// Parses `"HH:MM"` (24-hour; a one-digit hour is accepted).
pub fn parse_hhmm(field: &'static str, text: &str) -> Result<Time, InvalidSetting> {
    let bad = || InvalidSetting::new(field, format!("{text:?} is not a time like 09:00 or 22:30"));
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || m.len() != 2 || !digits(m) {
        return Err(bad());
    }
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

fn minute_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Minutes as "8 h", "45 min" or "8 h 15 min".
pub(crate) fn hm(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}
