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
    /// The fields of the documented body `T`; see [`Fields::new`].
    pub fn of<T: utoipa::PartialSchema>(map: Map<String, Value>) -> Self {
        let known = properties::<T>();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        Fields::new(map, &known)
    }

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
        match self.map.get(key)?.clone() {
            Value::Null => Some(String::new()),
            Value::String(s) => self.printable(key, &s),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.errors.add(key, "Send this as text or a number.");
                None
            }
        }
    }

    /// A string as text; `null` is `Some("")`; absent is `None`. For
    /// fields documented as `string` (or `null`): a number is a type error.
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)?.clone() {
            Value::Null => Some(String::new()),
            Value::String(s) => self.printable(key, &s),
            _ => {
                self.errors.add(key, "Send this as text.");
                None
            }
        }
    }

    /// The text, unless it has control characters (the document's
    /// pattern): NUL or a line break is refused, not stored.
    fn printable(&mut self, key: &str, s: &str) -> Option<String> {
        if s.chars().any(char::is_control) {
            let message =
                "Text cannot contain control characters (such as NUL, tab or line breaks).";
            self.errors.add(key, message);
            return None;
        }
        Some(s.to_owned())
    }

    /// An array of strings; absent is `None`.
    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        let items = match self.map.get(key)? {
            Value::Array(items) => items.clone(),
            _ => {
                self.errors
                    .add(key, "Send a list of texts, like [\"mon\", \"tue\"].");
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(s) => out.push(self.printable(key, &s)?),
                _ => {
                    self.errors.add(key, "Every item must be text.");
                    return None;
                }
            }
        }
        Some(out)
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

    /// The raw JSON value of a key, for fields of other shapes (lists).
    pub fn raw(&self, key: &str) -> Option<Value> {
        self.map.get(key).cloned()
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

/// A page size from the query: absent is `default`; outside 1..=`max` is a
/// validation error, as the document's `minimum` and `maximum` say.
pub fn limit(value: Option<u32>, default: u32, max: u32) -> Result<u32, FieldErrors> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(FieldErrors::one(
            "limit",
            format!("Use a number from 1 to {max}."),
        )),
    }
}

/// An empty `name=` in a query is not the parameter left out: the
/// document asks for a value there, so it is refused like any bad value.
pub fn refuse_empty(e: &mut FieldErrors, name: &str, value: Option<&str>) {
    if value.is_some_and(|v| v.trim().is_empty()) {
        e.add(name, "Give a value, or leave the parameter out.");
    }
}

/// Matches to skip: absent is 0; below 0 is a validation error (above
/// `i64::MAX` the query does not parse: 400), as the document says.
pub fn offset(value: Option<i64>) -> Result<u64, FieldErrors> {
    u64::try_from(value.unwrap_or(0))
        .map_err(|_| FieldErrors::one("offset", "Use 0 or a larger whole number."))
}

/// The property names of a documented request body, so the fields a
/// handler reads are the fields the document lists.
pub fn properties<T: utoipa::PartialSchema>() -> Vec<String> {
    use utoipa::openapi::{RefOr, Schema};
    match T::schema() {
        RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
        _ => Vec::new(),
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
