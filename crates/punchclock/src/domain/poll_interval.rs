//! How often devices are polled.

use std::fmt;

/// Minutes between polls, 5 to 1440 (once a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PollInterval(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollIntervalError {
    #[error("Enter how many minutes to wait between polls (5 to 1440).")]
    Missing,
    #[error(
        "Poll every {} to {} minutes (1440 is once a day).",
        PollInterval::MIN,
        PollInterval::MAX
    )]
    OutOfRange,
}

impl PollInterval {
    pub const MIN: u32 = 5;
    pub const MAX: u32 = 1440;

    pub fn parse(value: &str) -> Result<PollInterval, PollIntervalError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(PollIntervalError::Missing);
        }
        match v.parse::<u32>() {
            Ok(m) => Self::new(m),
            Err(_) => Err(PollIntervalError::OutOfRange),
        }
    }

    pub fn new(minutes: u32) -> Result<PollInterval, PollIntervalError> {
        if (Self::MIN..=Self::MAX).contains(&minutes) {
            Ok(PollInterval(minutes))
        } else {
            Err(PollIntervalError::OutOfRange)
        }
    }

    pub fn minutes(self) -> u32 {
        self.0
    }
}

impl fmt::Display for PollInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_minutes_to_a_day() {
        assert_eq!(PollInterval::parse("5").map(PollInterval::minutes), Ok(5));
        assert_eq!(
            PollInterval::parse(" 1440 ").map(PollInterval::minutes),
            Ok(1440)
        );
        for bad in ["4", "1441", "0", "-5", "x", "2.5"] {
            assert_eq!(
                PollInterval::parse(bad),
                Err(PollIntervalError::OutOfRange),
                "{bad}"
            );
        }
        assert_eq!(PollInterval::parse(""), Err(PollIntervalError::Missing));
        assert!(PollIntervalError::OutOfRange
            .to_string()
            .contains("5 to 1440"));
    }
}
