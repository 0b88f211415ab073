//! Per-field messages for forms and request bodies, and the small helpers
//! that turn text as typed into the domain's newtypes.

use std::collections::BTreeMap;

use serde::Serialize;

/// Field name → message, for every field that needs fixing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// One invalid field.
    pub fn one(field: &str, message: impl Into<String>) -> FieldErrors {
        let mut e = FieldErrors::default();
        e.add(field, message);
        e
    }

    /// The first message for a field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Adds `other`'s messages, keeping ours where both have one.
    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other.0 {
            self.0.entry(k).or_insert(v);
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value, or `None` after recording the message under `field`.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m.to_string());
                None
            }
        }
    }

    /// `Ok(value)` when no message was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if !self.is_empty() {
            return Err(self);
        }
        // Every `check` succeeded, so `value` has all its parts.
        value().ok_or(self)
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (field, message)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{field}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Blank means "not set".
pub fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// Parse optional text: blank is `None`.
pub fn parse_optional<T, E>(
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, E> {
    optional(value).map(parse).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_per_field_wins_and_merge_keeps_ours() {
        let mut a = FieldErrors::one("host", "first");
        a.add("host", "second");
        assert_eq!(a.get("host"), Some("first"));
        let mut b = FieldErrors::one("host", "theirs");
        b.add("port", "port message");
        a.merge(b);
        assert_eq!(a.get("host"), Some("first"));
        assert_eq!(a.get("port"), Some("port message"));
        assert_eq!(a.to_string(), "host: first port: port message");
    }

    #[test]
    fn finish_gives_the_value_only_without_messages() {
        let mut e = FieldErrors::default();
        let n = e.check("n", "5".parse::<u32>());
        assert_eq!(e.finish(|| n), Ok(5));
        let mut e = FieldErrors::default();
        let n = e.check("n", "x".parse::<u32>());
        assert!(e.finish(|| n).unwrap_err().get("n").is_some());
        assert_eq!(parse_optional(" ", |v| v.parse::<u32>()), Ok(None));
        assert_eq!(parse_optional(" 7", |v| v.parse::<u32>()), Ok(Some(7)));
    }
}
