//! The attendance engine: punches, shifts, holidays, leave and company rules
//! in; attendance days and classified punches out.
//!
//! It does no I/O and never reads the clock: "now" and the devices' sync
//! state come in as [`SyncState`]. Raw punches are never changed; every
//! computation works on UTC instants, so time across a DST change is real
//! elapsed time, and times are shown in the company zone ([`Rules::zone`])
//! next to the device's own wall-clock time.
//!
//! # Using it
//!
//! ```
//! use jiff::{civil::date, tz::TimeZone, Timestamp};
//! use punchclock::attendance::*;
//!
//! let rules = Rules::new(TimeZone::get("Europe/Berlin").unwrap());
//! let holidays = Holidays::new(vec![]);
//! let day_shift = Shift::parse(&ShiftSpec::new("Day", "09:00", "18:00")).unwrap().with_id(7);
//! let schedule = Schedule::single(day_shift);
//! let range = DateRange::new(date(2024, 3, 4), date(2024, 3, 8)).unwrap();
//!
//! // One timetable per distinct schedule; it says which punches to load.
//! let timetable = Timetable::new(&rules, &holidays, Some(&schedule), range);
//! let (load_from, load_to) = timetable.punch_span();
//!
//! let at: Timestamp = "2024-03-04T08:01:00Z".parse().unwrap(); // 09:01 in Berlin
//! let punches = [Punch {
//!     id: 1, employee_id: 42, at, device_time: date(2024, 3, 4).at(9, 1, 0, 0),
//!     state: 0, verify: 1, manual: false, voided: false, device_id: Some(3),
//! }];
//! assert!(load_from <= at && at < load_to);
//! let sync = SyncState::new("2024-03-20T00:00:00Z".parse().unwrap(), [Some(at)]);
//! let result = timetable.compute(&EmployeeInput { employee_id: 42, leave: &[], punches: &punches }, sync);
//!
//! let monday = &result.days[0];
//! assert_eq!(monday.status, Status::Incomplete); // a lone check-in is never "present, 0 h"
//! assert!(monday.flags.contains(FlagCode::MissingOut));
//! assert!(monday.provisional); // a device has not synced since the window closed
//! assert_eq!(result.punches[0].role, PunchRole::In);
//! let row = serde_json::to_value(monday).unwrap(); // the API's daily row, minus employee fields
//! assert_eq!(row["status"], "incomplete");
//! assert_eq!(row["first_in"], "2024-03-04T09:01:00+01:00");
//! ```
//!
//! For the integrator:
//! - **Loading.** [`Timetable::punch_span`] is the UTC span of punches to
//!   load (all of them, voided ones too): two days either side of the
//!   computed dates, so night shifts, early windows and work periods that
//!   start the day before are seen. [`by_employee`] splits one query sorted
//!   by employee into per-employee slices.
//! - **One employee or everyone.** [`compute`] does one employee; for many,
//!   build one [`Timetable`] per distinct schedule and call
//!   [`Timetable::compute`] per employee.
//! - **Stored or on demand.** [`affected_by_punch`] and [`affected_by_date`]
//!   name the dates a new, voided or manual punch, or a holiday or leave
//!   change, can alter; a shift or rule change alters every day it applies
//!   to. Recompute those ranges to keep stored days current, or compute on
//!   demand: the results are the same.
//! - **Weekly overtime** needs whole weeks. [`Timetable`] widens the range to
//!   whole weeks starting on [`Rules::week_start`] (default Monday) itself
//!   and returns only the requested days; [`Timetable::computed_range`]
//!   says what was computed.
//! - **Output.** [`Day`] serialises as the API's daily row (add
//!   `employee_id` and `enroll_id`); [`ClassifiedPunch`] says per punch which
//!   day it counted on, its role and, in `reason`, why in plain words; [`Totals`] sums days for
//!   timesheets.
//! - **Settings.** [`ShiftSpec`] deserialises from the API body and
//!   [`Shift::parse`] validates it; [`Rules::validate`], [`Hours::parse`],
//!   [`Leave::new`] and [`DateRange::new`] check the rest. Errors are
//!   [`InvalidSetting`], naming the API field.
//!
//! # Rules, including where the issue is silent
//!
//! - **Rounding.** Everything is kept in whole seconds (sub-second parts of
//!   a punch are ignored). Minutes are rounded down, each figure on its own:
//!   a minute counts once it is complete, so 09:05:01 with a 09:00 start is
//!   late by 5 minutes. Regular minutes are worked minus overtime minutes,
//!   so they add up. [`Totals`] sums seconds before rounding.
//! - **Double taps** are measured from the punch they merge into, not from
//!   the previous tap, and happen before day assignment, so a tap never
//!   lands on a different day from the punch it repeats. Manual punches
//!   merge like any other; voided ones never do.
//! - **Pairing** alternates in time order unless keys are reliable (see
//!   `pairing.rs`). With an odd count the device keys decide whether the
//!   missing punch is the check-in or the check-out; with no usable key a
//!   lone punch nearer the scheduled end is a check-out. Keys 2/3 mean
//!   "break" without direction (devices disagree), so they never conflict.
//!   An out followed by an in within the same shift is a break.
//! - **Without a shift** (see `periods.rs`), a "gap" of `min_rest_hours`
//!   is a rest after a check-out, not the working time between a check-in
//!   and its check-out. A check-in followed by nothing for more than 12 h
//!   is missing its check-out (unless a reliable key says otherwise): a
//!   forgotten punch must be flagged, not paid as a 15-hour night that
//!   shifts every later in/out by one.
//! - **Windows** (see `window.rs`): when consecutive windows overlap, the
//!   boundary is the earlier shift's scheduled end, unless the later window
//!   starts even later anyway: the later window never grows backwards.
//!   A rota ([`Schedule::new`]) is accepted so a night shift on one day and
//!   an evening shift on the next can be modelled; the API's single shift
//!   per employee is [`Schedule::single`].
//! - **Outside every window.** Punches outside every window on a day with a
//!   scheduled shift are `unassigned`: listed on their calendar date,
//!   flagged, not counted (the admin decides). On a day without a shift
//!   (a day off) they form work periods as for an employee without a shift
//!   and count: such a day is `present` (or `incomplete`), and all of it is
//!   overtime, since nothing was scheduled.
//! - **Late** is measured from the first punch of the shift, and only when
//!   that punch is a check-in: if the check-in is missing, lateness is
//!   unknown and the day says `missing_in` rather than guessing. A punch
//!   before the window is not part of the shift (it is unassigned), so
//!   lateness is measured from the first punch inside the window.
//! - **Early leave** is measured from the last punch when it is a complete
//!   check-out. With `missing_out` it is unknown and not counted. It is not
//!   judged while the day is provisional (the last out may be lunch).
//! - **Break deduction.** The unpaid break is taken to start once
//!   `break_after_minutes` are worked (default 6 h): working into it is
//!   unpaid, working longer never pays less. Time between pairs is break
//!   already taken and counts against it. The scheduled length used for
//!   daily overtime has the same deduction applied.
//! - **Overtime.** Daily: worked beyond the scheduled length (real elapsed
//!   time, so a DST night is 7 h or 9 h). On a day off, holiday or leave day
//!   all worked time is overtime. Without any shift there is no daily
//!   overtime, only weekly (see `week.rs`).
//! - **Status**, first match wins: `incomplete` (a punch without its pair);
//!   `holiday`; `leave`; on a day with nothing scheduled, `present` if
//!   worked else `day_off` (an employee without a shift is never `absent`:
//!   nothing was expected); with a shift, `absent` if no punch, then the
//!   thresholds (`absent` before `half_day`, strictly below), then `late`,
//!   then `present`.
//! - **Holidays and leave** are never absences. A holiday shows on any day.
//!   Leave shows on days with a shift (or every day for an employee without
//!   one); on a scheduled day off it stays `day_off`, so a vacation week is
//!   five leave days. A holiday wins over leave.
//! - **Voided punches** are listed on the day whose window holds them (or
//!   their calendar date) and flagged; a day with only a voided punch is
//!   `absent` on a working day and `day_off` otherwise.
//! - **Provisional** (see `provisional.rs`): until final, a day with no
//!   punch is `incomplete` rather than `absent`, thresholds and early leave
//!   are not judged, and the `provisional` flag explains why.

mod assign;
mod calendar;
mod day;
mod engine;
mod error;
mod flags;
mod output;
mod pairing;
mod periods;
mod provisional;
mod punch;
mod refresh;
mod rules;
mod schedule;
mod shift;
mod slot;
mod taps;
mod totals;
mod week;
mod weekdays;
mod window;
mod zone_span;

#[cfg(test)]
mod tests;

pub use calendar::{DateRange, Holiday, Holidays, Leave, LeaveKind, MAX_RANGE_DAYS};
pub use engine::{compute, EmployeeInput};
pub use error::InvalidSetting;
pub use flags::{Flag, FlagCode, FlagSet};
pub use output::{ClassifiedPunch, Day, EmployeeAttendance, LocalTime, PunchRole, Status};
pub use provisional::SyncState;
pub use punch::{by_employee, Punch, StatusHint};
pub use refresh::{affected_by_date, affected_by_punch};
pub use rules::{
    Hours, Rules, DEFAULT_DOUBLE_TAP_SECONDS, DEFAULT_MIN_REST, MAX_PERIOD_SECONDS,
    MAX_STRETCH_SECONDS,
};
pub use schedule::Schedule;
pub use shift::{parse_hhmm, Shift, ShiftSpec, MAX_SHIFT_MINUTES};
pub use totals::Totals;
pub use weekdays::Weekdays;
pub use window::Timetable;
