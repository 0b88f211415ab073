//! Properties over random punches, shifts and rules.

use std::collections::HashSet;
use std::ops::Range;

use jiff::civil::Date;
use proptest::prelude::*;

use super::support::*;
use crate::attendance::*;

/// Ten days around the spring DST change in Europe.
const FIRST: &str = "2024-03-26";
const DAYS: i64 = 10;
/// 06:00 to 17:59 (and a double tap up to 200 s later).
const DAYTIME: Range<i64> = 6 * 3600..18 * 3600 - 200;

#[derive(Debug, Clone)]
struct Scenario {
    case: Case,
    /// Days computed: `FIRST + from ..= FIRST + to`.
    from: i64,
    to: i64,
}

fn date(offset: i64) -> Date {
    d(FIRST)
        .checked_add(jiff::Span::new().days(offset))
        .unwrap()
}

fn shifts() -> impl Strategy<Value = Vec<ShiftSpec>> {
    let mut with_break = spec("Day", "09:00", "17:30");
    with_break.break_minutes = 45;
    let mut night = spec("Night", "19:00", "07:00");
    night.weekdays = ["mon", "wed", "fri"].map(String::from).to_vec();
    let mut evening = spec("Evening", "15:00", "23:00");
    evening.weekdays = ["tue", "thu"].map(String::from).to_vec();
    prop_oneof![
        Just(vec![]),
        Just(vec![ShiftSpec::new("Day", "09:00", "18:00")]),
        Just(vec![with_break]),
        Just(vec![spec("Night", "22:00", "06:00")]),
        Just(vec![night, evening]),
    ]
}

/// (day, second of day, key, manual, voided), plus a double tap or not.
fn punch(seconds: Range<i64>) -> impl Strategy<Value = ((i64, i64, u8, bool, bool), Option<i64>)> {
    let key = prop::sample::select(vec![0u8, 1, 2, 3, 4, 5, 255]);
    let tap = prop::option::weighted(0.2, 1i64..200);
    let flag = || prop::bool::weighted(0.1);
    (((0..DAYS), seconds, key, flag(), flag()), tap)
}

fn rules() -> impl Strategy<Value = (String, u32, bool, Option<u32>, bool)> {
    let zone = prop::sample::select(vec!["Europe/Berlin", "America/New_York", "UTC"]);
    let weekly = prop::option::of(prop::sample::select(vec![20 * 60u32, 40 * 60]));
    (
        zone.prop_map(String::from),
        prop::sample::select(vec![0u32, 120]),
        any::<bool>(),
        weekly,
        any::<bool>(),
    )
}

fn scenario() -> impl Strategy<Value = Scenario> {
    scenario_within(0..86_400)
}

/// Punches only at these seconds of the day.
fn scenario_within(seconds: Range<i64>) -> impl Strategy<Value = Scenario> {
    let punches = prop::collection::vec(punch(seconds), 0..40);
    (rules(), shifts(), punches, 2..5i64, 5..8i64).prop_map(|(r, shifts, punches, from, to)| {
        let mut case = Case::new(&r.0);
        (
            case.rules.double_tap_seconds,
            case.rules.punch_status_reliable,
        ) = (r.1, r.2);
        case.rules.weekly_overtime = r.3.map(Hours::from_minutes);
        if r.4 {
            case.rules.absent_below = Some(Hours::from_minutes(120));
            case.rules.half_day_below = Some(Hours::from_minutes(360));
        }
        for s in shifts {
            case = case.shift(s);
        }
        for ((day, second, key, manual, voided), tap) in punches {
            case = add(case, day, second, key, manual, voided);
            if let Some(after) = tap {
                case = add(case, day, second + after, key, false, false);
            }
        }
        Scenario { case, from, to }
    })
}

fn add(case: Case, day: i64, second: i64, key: u8, manual: bool, voided: bool) -> Case {
    let (h, m, s) = (second / 3600 % 24, second / 60 % 60, second % 60);
    let local = format!("{} {h:02}:{m:02}:{s:02}", date(day));
    let mut case = case.punch_key(&local, key);
    let last = case.punches.last_mut().unwrap();
    (last.manual, last.voided) = (manual, voided);
    case
}

impl Scenario {
    fn run(&self) -> EmployeeAttendance {
        self.case
            .run(&date(self.from).to_string(), &date(self.to).to_string())
    }

    /// Runs with only the punches the timetable asks to load.
    fn run_loading_span(&self) -> EmployeeAttendance {
        let schedule = self.case.schedule();
        let holidays = Holidays::new(self.case.holidays.clone());
        let range = DateRange::new(date(self.from), date(self.to)).unwrap();
        let tt = Timetable::new(&self.case.rules, &holidays, schedule.as_ref(), range);
        let (from, to) = tt.punch_span();
        let mut case = self.case.clone();
        case.punches.retain(|p| from <= p.at && p.at < to);
        case.run(&date(self.from).to_string(), &date(self.to).to_string())
    }
}

/// Worked time recomputed from the punches listed on the day.
fn gross_from_punches(result: &EmployeeAttendance, day: &Day) -> i64 {
    let mut open = None;
    let mut gross = 0;
    for p in result.punches_on(day.date).filter(|p| p.paired) {
        let at = p.time.at.as_second();
        match p.role {
            PunchRole::In | PunchRole::BreakEnd => open = Some(at),
            _ => gross += at - open.take().expect("an out follows its in"),
        }
    }
    gross
}

fn check_day(result: &EmployeeAttendance, day: &Day) -> Result<(), TestCaseError> {
    if day.worked_seconds > 0 {
        let (first, last) = (day.first_in.unwrap().at, day.last_out.unwrap().at);
        prop_assert!(day.worked_seconds <= last.as_second() - first.as_second());
    }
    prop_assert_eq!(
        gross_from_punches(result, day),
        day.worked_seconds + day.break_deducted_seconds
    );
    prop_assert!(day.overtime_seconds() <= day.worked_seconds);
    prop_assert!(
        day.late_seconds >= 0 && day.early_leave_seconds >= 0 && day.regular_minutes() >= 0
    );
    let missing =
        day.flags.contains(FlagCode::MissingIn) || day.flags.contains(FlagCode::MissingOut);
    // Computed long after, with every device synced: nothing provisional.
    prop_assert!(!day.provisional);
    prop_assert_eq!(day.status == Status::Incomplete, missing);
    if matches!(day.status, Status::Present | Status::Late | Status::HalfDay) {
        prop_assert!(day.worked_seconds > 0, "never present with 0 h");
    }
    Ok(())
}

proptest! {
    #[test]
    fn days_are_consistent_with_their_punches(s in scenario()) {
        let result = s.run();
        prop_assert_eq!(result.days.len() as i64, s.to - s.from + 1);
        for day in &result.days {
            check_day(&result, day)?;
        }
    }

    #[test]
    fn every_punch_is_listed_once_on_one_day(s in scenario()) {
        let result = s.run();
        prop_assert_eq!(result.punches.len(), s.case.punches.len());
        let ids: HashSet<_> = result.punches.iter().map(|p| p.punch_id).collect();
        prop_assert_eq!(ids.len(), s.case.punches.len());
        for p in &result.punches {
            prop_assert_eq!(p.voided, p.role == PunchRole::Voided);
            prop_assert_eq!(p.merged_into.is_some(), p.role == PunchRole::Merged);
        }
    }

    #[test]
    fn arrival_order_does_not_matter(s in scenario(), seed in any::<u64>()) {
        let expected = s.run();
        let mut shuffled = s.clone();
        let n = shuffled.case.punches.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.case.punches.swap(i, j);
        }
        prop_assert_eq!(shuffled.run(), expected);
    }

    #[test]
    fn a_day_is_the_same_whatever_range_it_is_computed_in(s in scenario()) {
        let whole = s.run();
        let mid = (s.from + s.to) / 2;
        let one = Scenario { from: mid, to: mid, ..s.clone() }.run();
        prop_assert_eq!(&one.days[0], whole.day(date(mid)).unwrap());
    }

    /// Loading only `punch_span` is enough, given a night's rest (see below).
    #[test]
    fn the_punch_span_holds_every_punch_a_day_needs(s in scenario_within(DAYTIME)) {
        let whole = s.run();
        let mid = (s.from + s.to) / 2;
        let one = Scenario { from: mid, to: mid, ..s.clone() }.run_loading_span();
        prop_assert_eq!(&one.days[0], whole.day(date(mid)).unwrap());
    }

    /// Daytime punches leave a night's rest of over 12 h, which no reading
    /// of the punches bridges; `refresh.rs` says why punches chained around
    /// the clock for days can reach further.
    #[test]
    fn a_new_punch_changes_only_the_days_it_is_said_to_affect(
        s in scenario_within(DAYTIME),
        new in (0..DAYS, DAYTIME, prop::sample::select(vec![0u8, 1, 255])),
    ) {
        let before = s.run();
        let mut after = s.clone();
        after.case = add(after.case, new.0, new.1, new.2, false, false);
        let at = after.case.punches.last().unwrap().at;
        let affected = affected_by_punch(&after.case.rules, at);
        for (a, b) in before.days.iter().zip(&after.run().days) {
            prop_assert!(a == b || affected.contains(a.date), "{} changed", a.date);
        }
    }
}

proptest! {
    /// Working longer never pays less, and a break taken never costs more
    /// than the unpaid break.
    #[test]
    fn the_unpaid_break_never_makes_longer_work_pay_less(
        length in 0i64..7200,
        after in 0i64..40_000,
        gross in 0i64..80_000,
        more in 0i64..10_000,
        taken in 0i64..10_000,
    ) {
        let unpaid = crate::attendance::shift::UnpaidBreak { length, after };
        let net = |g: i64| g - unpaid.deduction(g, taken);
        prop_assert!(net(gross) <= net(gross + more));
        prop_assert!((0..=length).contains(&unpaid.deduction(gross, taken)));
        prop_assert!(unpaid.deduction(gross, taken) <= unpaid.deduction(gross, 0));
    }
}
