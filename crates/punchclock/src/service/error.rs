//! What a service operation can fail with. Adapters turn each variant into
//! their own answer: an HTTP status and JSON, or a page with the message
//! beside the field.

use super::fields::FieldErrors;
use crate::billing::Standing;
use crate::store::StoreError;

/// A refused or failed operation.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing does not exist, or belongs to another company.
    #[error("not found")]
    NotFound,
    /// Some fields are not valid; each message says how to fix it.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Valid on its own, but refused by a rule about other data (an email
    /// already registered, a plan too small for the people active).
    #[error("{0}")]
    Conflict(Conflict),
    /// The account is over its seats or its trial ended: only the ways out
    /// (plan, deactivating people) are allowed.
    #[error("the account is blocked")]
    Blocked(Box<Standing>),
    #[error("The email or password is not right.")]
    InvalidCredentials,
    /// Too many attempts from this address or on this account.
    #[error("Too many attempts. Please wait {} before trying again.", wait_words(*retry_after_seconds))]
    Throttled { retry_after_seconds: u64 },
    /// A fault on our side (database, hashing); logged, never shown.
    #[error("{0}")]
    Internal(String),
}

/// A rule the request broke, and the field it is about, if any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Conflict {
    pub field: Option<&'static str>,
    pub message: String,
}

/// "2 minutes", "40 seconds": a wait in the words people use.
pub fn wait_words(seconds: u64) -> String {
    match seconds {
        0..=1 => "a second".into(),
        2..=90 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

impl ServiceError {
    /// One invalid field.
    pub fn field(field: &str, message: impl ToString) -> ServiceError {
        ServiceError::Invalid(FieldErrors::one(field, message.to_string()))
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Conflict(Conflict {
            field: Some(field),
            message: message.into(),
        })
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(rule) => ServiceError::Conflict(Conflict {
                field: rule.field(),
                message: sentence(&rule.to_string()),
            }),
            // The parsers catch these first; the store checks again.
            StoreError::Invalid(rule) => {
                ServiceError::field(rule.field(), sentence(&rule.to_string()))
            }
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<crate::sync::SyncError> for ServiceError {
    fn from(e: crate::sync::SyncError) -> Self {
        use crate::sync::SyncError;
        match e {
            SyncError::Store(e) => e.into(),
            SyncError::Busy(message) => ServiceError::Conflict(Conflict {
                field: None,
                message,
            }),
            SyncError::Failed(detail) => ServiceError::Internal(detail),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// A message as a sentence: capitalised, with a full stop.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut s: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    s.push_str(chars.as_str());
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Invalid, Rule};

    #[test]
    fn store_refusals_name_their_field() {
        let e = ServiceError::from(StoreError::Invalid(Invalid::DevicePortZero));
        let ServiceError::Invalid(fields) = e else {
            panic!("{e:?}")
        };
        assert_eq!(fields.get("port"), Some("Device port must be 1-65535."));
        let e = ServiceError::from(StoreError::Conflict(Rule::EnrollIdTaken {
            enroll_id: "A-12".into(),
        }));
        let ServiceError::Conflict(c) = e else {
            panic!("{e:?}")
        };
        assert_eq!(c.field, Some("enroll_id"));
        assert_eq!(c.message, "Enroll id \"A-12\" is already used.");
        assert!(matches!(
            ServiceError::from(StoreError::NotFound),
            ServiceError::NotFound
        ));
    }
}
