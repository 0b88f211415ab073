//! What can go wrong in the store, typed so callers can tell which field or
//! rule failed without reading messages.

use crate::domain::UnknownValue;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, or belongs to another company.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated.
    #[error("conflict: {0}")]
    Conflict(Rule),
    /// The caller passed data the store refuses to save.
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    /// The URL is neither `sqlite:` nor `postgres:`. Holds only the scheme,
    /// never the URL (it may contain a password).
    #[error("unsupported database url scheme {0:?}")]
    UnsupportedUrl(String),
    /// A stored value could not be turned into a domain value.
    #[error("corrupt stored value: {0}")]
    Corrupt(Corrupt),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The secrets key is not the one this database's secrets were sealed
    /// with ([`crate::store::Store::check_secrets_key`]).
    #[error(
        "the secrets key does not open the secrets in this database: it is not the key \
         they were sealed with. Set `secrets_key` (or PUNCHCLOCK_SECRETS_KEY) to that key; \
         every instance sharing this database needs the same one (see the README, \
         \"Secrets at rest\")"
    )]
    WrongSecretsKey,
}

impl StoreError {
    /// Whether the same work may well succeed if tried again as it was: the
    /// database was busy or locked, the connection dropped, a pool wait ran
    /// out, or PostgreSQL gave up a transaction (serialization, deadlock).
    pub fn is_passing(&self) -> bool {
        let StoreError::Database(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(db) => matches!(
                db.code().as_deref(),
                // SQLite BUSY, LOCKED and their extended codes; PostgreSQL
                // serialization failure and deadlock.
                Some("5" | "6" | "261" | "262" | "517" | "40001" | "40P01")
            ),
            _ => false,
        }
    }
}

/// The uniqueness rules the schema enforces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    /// Emails are unique across all companies, whatever their case.
    #[error("email is already registered")]
    EmailRegistered,
    /// Enroll ids are unique within a company.
    #[error("enroll id {enroll_id:?} is already used")]
    EnrollIdTaken { enroll_id: String },
    /// A push serial number belongs to one device of one company. The
    /// message names no one: whoever asks must not learn who holds it.
    #[error(
        "this serial number is already registered with another account: check it against \
         the device's label, and if the device is yours, contact support"
    )]
    SerialClaimed,
    /// Shift names are unique within a company.
    #[error("there is already a shift called {name:?}")]
    ShiftNameTaken { name: String },
    /// A shift still assigned is never deleted: attendance would change
    /// behind the admin's back.
    #[error("{0}")]
    ShiftInUse(ShiftUse),
    /// One holiday per date.
    #[error("{date} is already a holiday ({name})")]
    HolidayDateTaken { date: String, name: String },
    /// Leave periods of one employee never overlap.
    #[error("this leave overlaps leave already saved from {from} to {to}")]
    LeaveOverlaps { from: String, to: String },
    /// A punch by hand at the same second as one already there.
    #[error("there is already a punch for this employee at {time}")]
    PunchExists { time: String },
    /// Voiding a voided punch, or unvoiding one that is not voided.
    #[error("{0}")]
    VoidUnchanged(&'static str),
    /// Another unique constraint, named as the database reports it.
    #[error("{constraint} must be unique")]
    Unique { constraint: String },
    /// A company has as many devices as its plan allows.
    #[error(
        "the plan allows up to {cap} devices and this account has that many already: \
         delete a device it no longer uses, or move to a bigger plan"
    )]
    DeviceCap { cap: u32 },
}

/// Who still uses a shift that was to be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftUse {
    pub company_default: bool,
    pub employees: u64,
}

impl std::fmt::Display for ShiftUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let people = match self.employees {
            0 => None,
            1 => Some("1 employee".to_owned()),
            n => Some(format!("{n} employees")),
        };
        let users = match (self.company_default, people) {
            (true, Some(p)) => format!("it is the company's default shift and {p} have it"),
            (true, None) => "it is the company's default shift".to_owned(),
            (false, Some(p)) => format!("{p} have it as their shift"),
            (false, None) => "nobody uses it".to_owned(),
        };
        write!(
            f,
            "this shift cannot be deleted: {users}; give them another shift first"
        )
    }
}

impl Rule {
    /// The input field the rule is about, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Rule::EmailRegistered => Some("email"),
            Rule::EnrollIdTaken { .. } => Some("enroll_id"),
            Rule::SerialClaimed => Some("serial_number"),
            Rule::ShiftNameTaken { .. } => Some("name"),
            Rule::ShiftInUse(_) => Some("id"),
            Rule::HolidayDateTaken { .. } => Some("date"),
            Rule::LeaveOverlaps { .. } => Some("from"),
            Rule::PunchExists { .. } => Some("time"),
            Rule::VoidUnchanged(_) => Some("id"),
            Rule::Unique { .. } | Rule::DeviceCap { .. } => None,
        }
    }
}

/// Input the store refuses, one variant per rule, each naming its field.
/// The web validators catch these first; the store checks again so no
/// caller can save them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("device name is required")]
    DeviceNameMissing,
    #[error("device host is required")]
    DeviceHostMissing,
    #[error("a push device needs its serial number")]
    DeviceSerialMissing,
    #[error("device port must be 1-65535")]
    DevicePortZero,
    #[error("poll interval must be at least one minute")]
    PollIntervalZero,
    #[error("email address is not valid")]
    EmailMalformed,
    #[error("enroll id is required")]
    EnrollIdMissing,
    /// A device reported a user record without an enroll id.
    #[error("device user without enroll id")]
    DeviceUserWithoutEnrollId,
    /// A device reported a punch without an enroll id.
    #[error("punch without enroll id")]
    PunchWithoutEnrollId,
    /// Punches are keyed by serial; neither the attempt nor the device
    /// knows it.
    #[error("punches need the device serial number")]
    PunchesWithoutSerial,
    /// An employee's shift must be one of the company's shifts.
    #[error("that shift does not exist")]
    UnknownShift,
    /// The company's default shift must be one of its shifts.
    #[error("that shift does not exist")]
    UnknownDefaultShift,
    /// Leave, a manual punch: for an employee of this company.
    #[error("that employee does not exist")]
    UnknownEmployee,
}

impl Invalid {
    /// The input field at fault, as forms and the API name it.
    pub fn field(self) -> &'static str {
        match self {
            Invalid::DeviceNameMissing => "name",
            Invalid::DeviceHostMissing => "host",
            Invalid::DevicePortZero => "port",
            Invalid::PollIntervalZero => "poll_interval_minutes",
            Invalid::EmailMalformed => "email",
            Invalid::EnrollIdMissing
            | Invalid::DeviceUserWithoutEnrollId
            | Invalid::PunchWithoutEnrollId => "enroll_id",
            Invalid::PunchesWithoutSerial | Invalid::DeviceSerialMissing => "serial_number",
            Invalid::UnknownShift => "shift_id",
            Invalid::UnknownDefaultShift => "default_shift_id",
            Invalid::UnknownEmployee => "employee_id",
        }
    }
}

/// Which stored value is unreadable, and why: enough to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    /// `table.column`, or the domain type when the column is not known.
    pub field: &'static str,
    /// Id of the row, when known.
    pub row: Option<i64>,
    pub detail: String,
}

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(row) => write!(f, "{} of row {row}: {}", self.field, self.detail),
            None => write!(f, "{}: {}", self.field, self.detail),
        }
    }
}

impl StoreError {
    pub(crate) fn corrupt(field: &'static str, row: Option<i64>, detail: impl ToString) -> Self {
        StoreError::Corrupt(Corrupt {
            field,
            row,
            detail: detail.to_string(),
        })
    }
}

impl From<Invalid> for StoreError {
    fn from(err: Invalid) -> Self {
        StoreError::Invalid(err)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(unique_rule(db.constraint(), db.message()))
            }
            other => StoreError::Database(other),
        }
    }
}

/// PostgreSQL names the constraint (`accounts_email_key`); SQLite only
/// says `UNIQUE constraint failed: accounts.email`.
fn unique_rule(constraint: Option<&str>, message: &str) -> Rule {
    let name = constraint.unwrap_or(message);
    if name.contains("accounts_email") || name.contains("accounts.email") {
        Rule::EmailRegistered
    } else if name.contains("push_serial") {
        Rule::SerialClaimed
    } else {
        Rule::Unique {
            constraint: name.to_owned(),
        }
    }
}

impl From<UnknownValue> for StoreError {
    fn from(err: UnknownValue) -> Self {
        StoreError::corrupt(err.kind, None, &err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_name_their_rule_on_both_backends() {
        assert_eq!(
            unique_rule(Some("accounts_email_key"), "duplicate key value"),
            Rule::EmailRegistered
        );
        assert_eq!(
            unique_rule(None, "UNIQUE constraint failed: accounts.email"),
            Rule::EmailRegistered
        );
        assert_eq!(
            unique_rule(None, "UNIQUE constraint failed: sessions.token_hash"),
            Rule::Unique {
                constraint: "UNIQUE constraint failed: sessions.token_hash".into()
            }
        );
    }

    #[test]
    fn every_invalid_input_names_its_field() {
        assert_eq!(Invalid::DevicePortZero.field(), "port");
        assert_eq!(Invalid::PollIntervalZero.field(), "poll_interval_minutes");
        assert_eq!(
            StoreError::from(Invalid::DeviceHostMissing).to_string(),
            "invalid input: device host is required"
        );
        assert_eq!(Rule::EmailRegistered.field(), Some("email"));
    }
}
