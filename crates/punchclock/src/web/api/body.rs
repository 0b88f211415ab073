//! Reading JSON request objects field by field, so a wrong type becomes a
//! field message (like any other invalid value) rather than a parse error,
//! and so PATCH can tell an absent field (keep) from `null` (clear).

use serde_json::{Map, Value};

use crate::service::FieldErrors;

/// A request object with its type errors collected per field.
pub struct Fields {
    map: Map<String, Value>,
    pub errors: FieldErrors,
}

impl Fields {
    /// Unknown keys are reported, so a misspelt field is not silently ignored.
    pub fn new(map: Map<String, Value>, known: &[&str]) -> Self {
        let mut errors = FieldErrors::default();
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                errors.add(
                    key,
                    format!("Unknown field. Known fields: {}.", known.join(", ")),
                );
            }
        }
        Fields { map, errors }
    }

    /// A string or number as text; `null` is `Some("")`; absent is `None`.
    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::Null => Some(String::new()),
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.errors.add(key, "Send this as text or a number.");
                None
            }
        }
    }

    /// Absent is `None`.
    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.map.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.errors.add(key, "Use true or false.");
                None
            }
        }
    }

    /// Whether the key is present at all (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
}

/// Type errors first, then the validators' messages for other fields.
pub fn combine<T>(
    mut type_errors: FieldErrors,
    result: Result<T, FieldErrors>,
) -> Result<T, FieldErrors> {
    match result {
        Ok(v) if type_errors.is_empty() => Ok(v),
        Ok(_) => Err(type_errors),
        Err(e) => {
            type_errors.merge(e);
            Err(type_errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_scalars_and_reports_types_and_unknown_keys() {
        let Value::Object(map) =
            json!({"port": 4370, "host": "x", "key": null, "on": "yes", "typo": 1})
        else {
            unreachable!()
        };
        let mut f = Fields::new(map, &["port", "host", "key", "on", "missing"]);
        assert_eq!(f.text("port").as_deref(), Some("4370"));
        assert_eq!(f.text("host").as_deref(), Some("x"));
        assert_eq!(f.text("key").as_deref(), Some(""));
        assert_eq!(f.text("missing"), None);
        assert_eq!(f.bool("on"), None);
        assert!(f.errors.get("on").is_some());
        assert!(f.errors.get("typo").unwrap().contains("Unknown field"));
        assert!(f.has("key") && !f.has("missing"));
    }
}
