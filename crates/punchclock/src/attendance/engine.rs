//! The pipeline for one employee: order and merge taps, assign to shifts
//! or periods, pair, work out each day, then weekly overtime.

use jiff::civil::Date;

use super::assign::{self, Assignment};
use super::calendar::{DateRange, Holidays, Leave};
use super::day::{self, DayFacts};
use super::flags::{FlagCode, FlagSet};
use super::output::{ClassifiedPunch, Day, EmployeeAttendance, LocalTime, PunchRole};
use super::pairing::{self, GroupStats};
use super::provisional::SyncState;
use super::punch::Punch;
use super::rules::Rules;
use super::schedule::Schedule;
use super::slot::Slot;
use super::week;
use super::window::Timetable;

/// One employee's inputs. `punches` should cover
/// [`Timetable::punch_span`]; any order; punches of other employees are
/// ignored.
#[derive(Debug, Clone, Copy)]
pub struct EmployeeInput<'a> {
    pub employee_id: i64,
    pub leave: &'a [Leave],
    pub punches: &'a [Punch],
}

/// Computes one employee over `range` in one call. To compute many
/// employees on the same schedule, build the [`Timetable`] once instead.
pub fn compute(
    rules: &Rules,
    holidays: &Holidays,
    schedule: Option<&Schedule>,
    range: DateRange,
    employee: &EmployeeInput<'_>,
    sync: SyncState,
) -> EmployeeAttendance {
    Timetable::new(rules, holidays, schedule, range).compute(employee, sync)
}

impl Timetable<'_> {
    /// Every day of [`Timetable::range`] for one employee, and every one of
    /// their punches classified.
    pub fn compute(&self, employee: &EmployeeInput<'_>, sync: SyncState) -> EmployeeAttendance {
        let punches = employee.punches;
        let mut slots = super::taps::sort_and_merge(
            punches,
            employee.employee_id,
            self.rules.double_tap_seconds,
        );
        let assignment = assign::assign(self, &mut slots, punches);
        let work = self.pair_groups(&assignment, &mut slots, punches);
        let flags = self.punch_flags(&slots, punches);
        let mut days: Vec<Day> = self
            .dates
            .iter()
            .copied()
            .enumerate()
            .map(|(i, date)| self.day(date, employee.leave, work[i], flags[i], sync))
            .collect();
        week::apply(&mut days, self.rules);
        days.retain(|d| self.range.contains(d.date));
        EmployeeAttendance {
            employee_id: employee.employee_id,
            days,
            punches: slots
                .iter()
                .map(|s| self.classify(s, &slots, punches))
                .collect(),
        }
    }

    /// Pairs each group and adds its figures to its day.
    fn pair_groups(
        &self,
        a: &Assignment,
        slots: &mut [Slot],
        punches: &[Punch],
    ) -> Vec<GroupStats> {
        let mut work = vec![GroupStats::default(); self.days.len()];
        let reliable = self.rules.punch_status_reliable;
        for group in &a.groups {
            let scheduled = group
                .instance
                .map(|i| (self.instances[i].start, self.instances[i].end));
            let stats = pairing::pair(slots, a.members_of(group), punches, reliable, scheduled);
            if let Some(i) = self.day_index(group.date) {
                work[i] = combine(work[i], stats);
            }
        }
        work
    }

    fn punch_flags(&self, slots: &[Slot], punches: &[Punch]) -> Vec<FlagSet> {
        let mut flags = vec![FlagSet::default(); self.days.len()];
        for s in slots {
            let Some(i) = self.day_index(s.date) else {
                continue;
            };
            let p = &punches[s.input as usize];
            let set = &mut flags[i];
            match s.role {
                PunchRole::Merged => set.insert(FlagCode::DoubleTapMerged),
                PunchRole::Unassigned => set.insert(FlagCode::UnassignedPunch),
                PunchRole::Voided => set.insert(FlagCode::VoidedPunch),
                _ => {}
            }
            if p.manual {
                set.insert(FlagCode::ManualPunch);
            }
            if s.conflict {
                set.insert(FlagCode::StatusConflict);
            }
        }
        flags
    }

    fn day(
        &self,
        date: Date,
        leave: &[Leave],
        work: GroupStats,
        mut flags: FlagSet,
        sync: SyncState,
    ) -> Day {
        let provisional = sync.is_provisional(self.closes_at(date));
        if provisional {
            flags.insert(FlagCode::Provisional);
        }
        if work.missing_in {
            flags.insert(FlagCode::MissingIn);
        }
        if work.missing_out {
            flags.insert(FlagCode::MissingOut);
        }
        let facts = DayFacts {
            date,
            shift: self.instance_on(date).map(|i| (i, self.shift(i))),
            has_schedule: self.schedule.is_some(),
            holiday: self.holidays.on(date),
            leave: leave.iter().find(|l| l.covers(date)).map(|l| l.kind),
            work,
            flags,
            provisional,
        };
        day::build(&facts, self.rules, &self.zone)
    }

    fn classify(&self, s: &Slot, slots: &[Slot], punches: &[Punch]) -> ClassifiedPunch {
        let p = &punches[s.input as usize];
        let merged_into = (s.role == PunchRole::Merged)
            .then(|| punches[slots[s.anchor as usize].input as usize].id);
        ClassifiedPunch {
            punch_id: p.id,
            date: s.date,
            role: s.role,
            paired: s.paired,
            time: LocalTime {
                at: p.at,
                offset: self.zone.offset_at(s.at),
            },
            device_time: p.device_time,
            hint: p.hint(),
            status_conflict: s.conflict,
            manual: p.manual,
            voided: p.voided,
            merged_into,
            reason: s.role.reason(s.paired),
        }
    }
}

/// Adds a later group's figures to a day's (periods of one day).
fn combine(a: GroupStats, b: GroupStats) -> GroupStats {
    if a.counted == 0 {
        return b;
    }
    GroupStats {
        gross: a.gross + b.gross,
        taken: a.taken + b.taken,
        first_in: a.first_in.or(b.first_in),
        last_out: b.last_out.or(a.last_out),
        starts_with_in: a.starts_with_in,
        ends_with_out: b.ends_with_out,
        missing_in: a.missing_in || b.missing_in,
        missing_out: a.missing_out || b.missing_out,
        counted: a.counted + b.counted,
    }
}
