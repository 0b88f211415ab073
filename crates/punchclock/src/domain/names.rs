//! Names and short texts people type: of devices, companies and employees.
//! Each is trimmed and has a length limit; the required ones cannot be blank.

/// A trimmed text of at most `$max` characters. With a `missing` message
/// it is required; otherwise blank text is "not set" (`parse` gives `None`).
macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:literal $(, missing = $missing:literal)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }

            fn check(v: &str) -> Result<$name, TextError> {
                if v.chars().count() > $max {
                    Err(TextError::TooLong { what: $what, max: $max })
                } else {
                    Ok($name(v.to_owned()))
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        bounded_text!(@parse $name, $what $(, $missing)?);
    };
    (@parse $name:ident, $what:literal, $missing:literal) => {
        impl $name {
            pub fn parse(value: &str) -> Result<$name, TextError> {
                refuse_control(value, $what)?;
                match value.trim() {
                    "" => Err(TextError::Missing($missing)),
                    v => Self::check(v),
                }
            }
        }
    };
    (@parse $name:ident, $what:literal) => {
        impl $name {
            /// Blank is `None`: not set.
            pub fn parse(value: &str) -> Result<Option<$name>, TextError> {
                refuse_control(value, $what)?;
                match value.trim() {
                    "" => Ok(None),
                    v => Self::check(v).map(Some),
                }
            }
        }
    };
}

/// At most the first 40 characters of what was typed, for messages that
/// quote it: a 100k-character input is never echoed back whole.
pub fn excerpt(value: &str) -> String {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// A message cut to 300 characters: the API's last guard against quoting
/// a huge input (serde's messages quote the value they refused).
pub fn excerpt_long(message: &str) -> String {
    match message.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}

/// NUL and other control characters break exports, logs and terminals;
/// checked before trimming, so a tab or line break is refused anywhere.
pub fn refuse_control(value: &str, what: &'static str) -> Result<(), TextError> {
    match value.chars().any(char::is_control) {
        true => Err(TextError::Control { what }),
        false => Ok(()),
    }
}

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{0}")]
    Missing(&'static str),
    #[error("Keep the {what} to {max} characters or fewer.")]
    TooLong { what: &'static str, max: usize },
    #[error("The {what} cannot contain control characters (such as NUL, tab or line breaks).")]
    Control { what: &'static str },
}

bounded_text!(
    /// What the customer calls a time clock ("Front door").
    DeviceName, "device name", 80,
    missing = "Give the device a name, like \"Front door\" or \"Warehouse\"."
);
bounded_text!(
    /// The name of a company (tenant).
    CompanyName, "company name", 100,
    missing = "Enter the name of your company."
);
bounded_text!(
    /// An employee's first name as entered here (never sent to devices).
    FirstName, "first name", 60
);
bounded_text!(
    /// An employee's last name as entered here.
    LastName, "last name", 60
);
bounded_text!(
    /// An employee's job title ("Cashier").
    Designation, "designation", 80
);
bounded_text!(
    /// What a company calls a day off for everyone ("New Year's Day").
    HolidayName, "holiday name", 100,
    missing = "Give the holiday a name, like \"New Year's Day\"."
);
bounded_text!(
    /// Why an admin corrected attendance; kept in the audit log.
    Reason, "reason", 500,
    missing = "Say why, so the audit log explains the correction (e.g. \"forgot to clock out\")."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_names() {
        assert_eq!(
            DeviceName::parse("  Front door ").unwrap().as_str(),
            "Front door"
        );
        assert_eq!(
            DeviceName::parse(" ").unwrap_err().to_string(),
            "Give the device a name, like \"Front door\" or \"Warehouse\"."
        );
        assert!(DeviceName::parse(&"x".repeat(80)).is_ok());
        assert_eq!(
            DeviceName::parse(&"x".repeat(81)).unwrap_err().to_string(),
            "Keep the device name to 80 characters or fewer."
        );
        // Characters, not bytes.
        assert!(DeviceName::parse(&"ü".repeat(80)).is_ok());
        assert_eq!(
            CompanyName::parse("").unwrap_err().to_string(),
            "Enter the name of your company."
        );
        assert!(CompanyName::parse(&"x".repeat(101))
            .unwrap_err()
            .to_string()
            .contains("company name to 100"));
    }

    #[test]
    fn optional_names() {
        assert_eq!(FirstName::parse("  "), Ok(None));
        assert_eq!(FirstName::parse(" Ana ").unwrap().unwrap().as_str(), "Ana");
        assert_eq!(
            LastName::parse(&"x".repeat(61)).unwrap_err().to_string(),
            "Keep the last name to 60 characters or fewer."
        );
        assert!(FirstName::parse(&"x".repeat(61))
            .unwrap_err()
            .to_string()
            .contains("first name"));
        assert!(Designation::parse(&"x".repeat(80)).is_ok());
        assert!(Designation::parse(&"x".repeat(81)).is_err());
    }
}

#[cfg(test)]
mod control_characters {
    use super::*;

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("short"), "short");
        let long = "x".repeat(100_000);
        assert_eq!(excerpt(&long).chars().count(), 41);
        assert_eq!(excerpt(&"ü".repeat(50)), format!("{}…", "ü".repeat(40)));
    }

    #[test]
    fn nul_and_line_breaks_are_refused_in_every_name() {
        for bad in ["Front\0door", "Front\ndoor", "a\u{7f}b", "a\u{1b}[31mb"] {
            assert!(matches!(
                DeviceName::parse(bad),
                Err(TextError::Control { .. })
            ));
            assert!(CompanyName::parse(bad).is_err(), "{bad:?}");
            assert!(FirstName::parse(bad).is_err(), "{bad:?}");
            assert!(LastName::parse(bad).is_err(), "{bad:?}");
            assert!(Designation::parse(bad).is_err(), "{bad:?}");
        }
        assert!(DeviceName::parse("\tFront door\n").is_err());
        assert!(DeviceName::parse("  Front door ").is_ok());
    }
}
