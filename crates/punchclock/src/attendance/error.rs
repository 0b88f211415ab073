//! The one error type of the engine: a setting that cannot be accepted.

use std::fmt;

/// A shift, rule, leave or date range that was refused, with the field it
/// concerns (named as in the API) and a message meant for the person who
/// typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    pub field: &'static str,
    pub message: String,
}

impl InvalidSetting {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        InvalidSetting {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidSetting {}

/// Checks that a whole-number setting lies in `min..=max`.
pub(crate) fn in_range(
    field: &'static str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<i64, InvalidSetting> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidSetting::new(
            field,
            format!("must be between {min} and {max}, not {value}"),
        ))
    }
}
