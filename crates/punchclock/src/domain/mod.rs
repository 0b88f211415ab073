//! Domain types shared by the store, the sync engine and the web layer.
//!
//! Timestamps are `jiff::Timestamp` (UTC); the wall-clock time a device
//! printed on a punch is a `jiff::civil::DateTime` because devices have no
//! notion of time zone.

use std::fmt;

/// Defines a typed row id so a device id cannot be passed where an
/// employee id is expected.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

/// Defines a closed set of values stored as lowercase text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
            }
        }
    };
}

mod account;
mod alert;
mod attendance_rules;
mod audit;
mod calendar;
mod clock_drift;
mod company;
mod correction;
mod device;
mod device_event;
mod device_log;
pub mod device_time;
mod employee;
mod mail;
mod name_setting;
mod notify;
mod poll;
mod punch;
mod push;
mod shift;
mod sync_mark;
mod webhook;
pub mod zone;

// Input newtypes: each `parse`s text as typed, so a value that exists is valid.
mod comm_key;
mod email;
mod enroll_id;
mod host;
mod names;
mod password;
mod poll_interval;
mod port;
mod serial_number;

pub use account::{Account, AccountId, AccountLogin, Role, Session, SessionId, SessionKind};
pub use alert::{Alert, AlertCondition, AlertId, AlertKind, AlertState, AlertSubject};
pub use attendance_rules::AttendanceRules;
pub use audit::{AuditEvent, AuditEventId, AuditKind, NewAuditEvent};
pub use calendar::{Holiday, HolidayId, LeaveId, LeavePeriod, NewLeave};
pub use clock_drift::ClockDrift;
pub use company::{Company, CompanyId, CompanySettings, NewCompany, PlanChange};
pub use correction::{Correction, NewManualPunch, VoidChange};
pub use device::{
    CommKeyUpdate, Device, DeviceId, DeviceInfo, DeviceMode, DeviceStatus, DeviceUpdate, NewDevice,
    PollTarget, PushLink, Transport,
};
pub use device_event::{DeviceEvent, DeviceEventKind, LiveState};
pub use device_log::{DeviceLog, DeviceLogId, LogKind, Outcome};
pub use employee::{
    display_name, Employee, EmployeeFilter, EmployeeId, EmployeeOrder, EmployeeSearch,
    EmployeeUpdate, ListedEmployee, NewEmployee, NO_NAME,
};
pub use mail::{
    MailId, MailKind, MailList, MailRecord, MailState, NewMail, OutboxMail, Recipient, Unsubscribe,
};
pub use name_setting::NameSetting;
pub use notify::{bounds as notify_bounds, NotifySettings, ReportTime, ReportTimeError};
pub use poll::{DeviceUser, NewPunch, PollFailure, PollOutcome, PollReason, PollRecord};
pub use punch::{Punch, PunchFilter, PunchId, PunchView};
pub use push::{
    judge_presence, silence_reason, DeviceUserFields, PushCall, PushCommand, PushCommandArgs,
    PushCommandId, PushCommandState, PushHello, PushRecord, PushTarget, StampTable,
    UnclaimedDevice,
};
pub use shift::{Shift, ShiftId};
pub use sync_mark::{PollMode, PollSync, SyncMark, WireBytes};
pub use webhook::{
    Delivery, DeliveryAttempt, DeliveryId, DeliveryJob, DeliveryState, NewEvent, Webhook,
    WebhookEvent, WebhookId,
};
pub use zone::{PickZone, UnknownZone, Zone};

pub use comm_key::{CommKey, CommKeyError};
pub use email::{Email, EmailError};
pub use enroll_id::{EnrollId, EnrollIdError};
pub use host::{Host, HostError};
pub use names::{
    excerpt, excerpt_long, CompanyName, Designation, DeviceName, FirstName, HolidayName, LastName,
    Reason, TextError,
};
pub use password::{Password, PasswordError};
pub use poll_interval::{PollInterval, PollIntervalError};
pub use port::{Port, PortError};
pub use serial_number::{SerialNumber, SerialNumberError};

/// A stored text value that is not one of the known variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} value {:?}", self.kind, self.value)
    }
}

impl std::error::Error for UnknownValue {}

/// Trims a free-text field; blank means "not set".
pub(crate) fn non_blank(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
