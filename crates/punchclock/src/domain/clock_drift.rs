//! What a device's clock drift most likely means. A difference of a whole
//! number of hours is a time zone set wrong (on the device, or for it
//! here); anything else is a clock that runs wrong.

/// Drift within this of a whole number of hours still counts as whole:
/// a clock set to the wrong zone has usually drifted a little too.
const WHOLE_HOURS_SLACK_SECONDS: i64 = 120;

/// Below this a drift is not worth acting on.
const WORTH_SETTING_SECONDS: i64 = 60;

/// The likely cause of a drift (device clock minus ours, in seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockDrift {
    /// Within a second.
    InStep,
    /// Under a minute off: harmless.
    Small,
    /// `hours` whole hours off (negative: behind): the zone is wrong.
    WholeHours { hours: i64 },
    /// Off by something else: the clock needs setting.
    Wrong,
}

impl ClockDrift {
    pub fn of(seconds: i64) -> ClockDrift {
        let hours = (seconds + 1800 * seconds.signum()) / 3600;
        let rest = seconds - hours * 3600;
        match seconds.abs() {
            0..=1 => ClockDrift::InStep,
            a if a < WORTH_SETTING_SECONDS => ClockDrift::Small,
            _ if hours != 0 && rest.abs() <= WHOLE_HOURS_SLACK_SECONDS => {
                ClockDrift::WholeHours { hours }
            }
            _ => ClockDrift::Wrong,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_hours_mean_a_wrong_zone() {
        assert_eq!(ClockDrift::of(0), ClockDrift::InStep);
        assert_eq!(ClockDrift::of(-1), ClockDrift::InStep);
        assert_eq!(ClockDrift::of(42), ClockDrift::Small);
        assert_eq!(ClockDrift::of(-3600), ClockDrift::WholeHours { hours: -1 });
        assert_eq!(
            ClockDrift::of(6 * 3600 + 95),
            ClockDrift::WholeHours { hours: 6 }
        );
        assert_eq!(
            ClockDrift::of(-2 * 3600 + 120),
            ClockDrift::WholeHours { hours: -2 }
        );
        assert_eq!(ClockDrift::of(5 * 3600 + 1799), ClockDrift::Wrong);
        assert_eq!(ClockDrift::of(754), ClockDrift::Wrong);
        assert_eq!(ClockDrift::of(-3600 - 121), ClockDrift::Wrong);
        assert_eq!(ClockDrift::of(1800), ClockDrift::Wrong);
    }
}
