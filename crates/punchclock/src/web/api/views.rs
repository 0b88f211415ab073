//! The JSON shapes the API returns. Times are stored in UTC and shown in the
//! company's zone as ISO 8601 with offset. The comm key has no field here on
//! purpose: it is write-only.

use jiff::tz::TimeZone;
use jiff::{civil, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::attendance::Hours;
use crate::domain::{
    AttendanceRules, Company, Device, DeviceLog, Employee, PunchView, PushCommand,
};

/// `2026-07-01T09:05:07+02:00` in `tz`.
pub fn instant(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn opt_instant(t: Option<Timestamp>, tz: &TimeZone) -> Option<String> {
    t.map(|t| instant(t, tz))
}

/// A device's own wall-clock time, without zone.
pub fn wall_clock(t: civil::DateTime) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The company's zone (validated when it was stored).
pub fn company_zone(company: &Company) -> TimeZone {
    company.timezone.tz().clone()
}

/// A list; `total` counts all matches when the list is paged or complete.
#[derive(Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

impl<T> List<T> {
    /// A complete list.
    pub fn all(items: Vec<T>) -> Self {
        List {
            total: Some(items.len() as u64),
            items,
        }
    }

    /// One page of `total` matches.
    pub fn page(items: Vec<T>, total: u64) -> Self {
        List {
            items,
            total: Some(total),
        }
    }

    /// The newest entries only; no total.
    pub fn recent(items: Vec<T>) -> Self {
        List { items, total: None }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Token)]
pub struct TokenJson {
    pub token: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Company)]
pub struct CompanyJson {
    pub id: i64,
    pub name: String,
    pub timezone: String,
    pub poll_interval_minutes: u32,
    pub plan: String,
    pub seats: u32,
    pub status: String,
    pub trial_ends_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Report time, alert rules and device care.
    #[serde(flatten)]
    pub notifications: super::notify_views::NotifyJson,
    /// The shift of every employee without their own (`null`: none, so
    /// punches group into work periods).
    pub default_shift_id: Option<i64>,
    /// Punches this close after a counted one count once.
    pub double_tap_seconds: u32,
    /// Trust the clocks' in/out keys instead of pairing in time order.
    pub punch_status_reliable: bool,
    /// Without a shift, a gap this long starts a new work period.
    pub min_rest_hours: f64,
    /// `null`: no weekly overtime.
    pub weekly_overtime_hours: Option<f64>,
    /// A working day with less is absent; `null`: off.
    pub absent_below_hours: Option<f64>,
    /// A working day with less is a half day; `null`: off.
    pub half_day_below_hours: Option<f64>,
}

impl CompanyJson {
    /// `status` is the account's standing, which only billing knows.
    pub fn new(
        c: &Company,
        status: crate::service::plan::Status,
        rules: &AttendanceRules,
        notifications: super::notify_views::NotifyJson,
    ) -> Self {
        let tz = company_zone(c);
        let hours = |h: Option<Hours>| h.map(Hours::as_hours);
        CompanyJson {
            default_shift_id: rules.default_shift_id.map(|s| s.0),
            double_tap_seconds: rules.double_tap_seconds,
            punch_status_reliable: rules.punch_status_reliable,
            min_rest_hours: rules.min_rest.as_hours(),
            weekly_overtime_hours: hours(rules.weekly_overtime),
            absent_below_hours: hours(rules.absent_below),
            half_day_below_hours: hours(rules.half_day_below),
            id: c.id.0,
            name: c.name.clone(),
            timezone: c.timezone.to_string(),
            poll_interval_minutes: c.poll_interval_minutes,
            plan: c.plan.clone(),
            seats: c.seats,
            status: status.as_str().to_string(),
            trial_ends_at: opt_instant(c.trial_ends_at, &tz),
            created_at: instant(c.created_at, &tz),
            notifications,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Device)]
pub struct DeviceJson {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: String,
    /// Effective zone: the device's own, else the company's.
    pub timezone: String,
    /// The device's own zone setting; `null` follows the company.
    pub timezone_override: Option<String>,
    pub enabled: bool,
    pub has_comm_key: bool,
    pub status: String,
    pub last_seen: Option<String>,
    pub last_attempt: Option<String>,
    pub last_error: Option<String>,
    /// The stable code of `last_error` (`PollFailure`), for "offline because …".
    #[schema(value_type = Option<super::schema::FailureCode>)]
    pub last_error_code: Option<String>,
    pub serial_number: Option<String>,
    pub device_name: Option<String>,
    pub platform: Option<String>,
    pub firmware: Option<String>,
    pub user_count: Option<u32>,
    pub punch_count: Option<u32>,
    pub user_capacity: Option<u32>,
    pub punch_capacity: Option<u32>,
    pub clock_drift_seconds: Option<i64>,
    /// Effective interval: the device's own, else the company's.
    pub poll_interval_minutes: u32,
    /// The device's own interval; `null` follows the company.
    pub poll_interval_override: Option<u32>,
    #[schema(format = DateTime)]
    pub next_poll_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// `poll` (we connect to it) or `push` (it calls us over HTTP).
    pub mode: String,
    /// Push mode: where its requests come from.
    pub source_address: Option<String>,
    /// Push mode with `lock_source`: an address refused until accepted.
    pub pending_source_address: Option<String>,
    pub lock_source: bool,
    /// Push mode: its last request of any kind.
    #[schema(format = DateTime)]
    pub push_last_seen: Option<String>,
    /// Push mode: its last handshake; `null` while waiting for the first.
    #[schema(format = DateTime)]
    pub push_connected_at: Option<String>,
    /// The code page of its user names (`auto`, `utf-8`, `cp1252`, `gb2312`, …).
    pub name_encoding: String,
    /// Real-time capture is on.
    pub realtime: bool,
    /// The live connection: `connected`, `refused` (the device does not
    /// send live events; it is polled), `retrying`, or `null`.
    pub live_state: Option<String>,
}

impl DeviceJson {
    pub fn new(d: &Device, company: &Company) -> Self {
        let tz = company_zone(company);
        DeviceJson {
            id: d.id.0,
            name: d.name.clone(),
            host: d.host.clone(),
            port: d.port,
            transport: d.transport.to_string(),
            timezone: d.timezone.as_ref().unwrap_or(&company.timezone).to_string(),
            timezone_override: d.timezone.as_ref().map(ToString::to_string),
            enabled: d.enabled,
            has_comm_key: d.has_comm_key,
            status: d.status.to_string(),
            last_seen: opt_instant(d.last_seen_at, &tz),
            last_attempt: opt_instant(d.last_attempt_at, &tz),
            last_error: d.last_error.clone(),
            last_error_code: d.last_error_code.map(|c| c.to_string()),
            serial_number: d.serial_number().map(str::to_string),
            device_name: d.info.device_name.clone(),
            platform: d.info.platform.clone(),
            firmware: d.info.firmware.clone(),
            user_count: d.info.user_count,
            punch_count: d.info.punch_count,
            user_capacity: d.info.user_capacity,
            punch_capacity: d.info.punch_capacity,
            clock_drift_seconds: d.info.clock_drift_seconds,
            poll_interval_minutes: d
                .poll_interval_minutes
                .unwrap_or(company.poll_interval_minutes),
            poll_interval_override: d.poll_interval_minutes,
            next_poll_at: instant(d.next_poll_at, &tz),
            created_at: instant(d.created_at, &tz),
            mode: d.mode.to_string(),
            source_address: d.push.source_address.clone(),
            pending_source_address: d.push.pending_source_address.clone(),
            lock_source: d.push.lock_source,
            push_last_seen: opt_instant(d.push.last_seen, &tz),
            push_connected_at: opt_instant(d.push.handshake_at, &tz),
            name_encoding: d.name_encoding.as_str().to_owned(),
            realtime: d.realtime,
            live_state: d.live_state.map(|s| s.as_str().to_owned()),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = DeviceLog)]
pub struct DeviceLogJson {
    pub id: i64,
    pub device_id: i64,
    pub kind: String,
    #[schema(format = DateTime)]
    pub started_at: String,
    pub duration_ms: u64,
    pub host: String,
    pub address: Option<String>,
    pub transport: Option<String>,
    pub outcome: String,
    pub users_read: u32,
    pub punches_read: u32,
    pub punches_new: u32,
    pub employees_new: u32,
    /// Punches read that were already stored.
    pub punches_known: u32,
    /// `full`, `incremental` or `unchanged` for a sync that read the
    /// device's counters; `null` for tests, pushes and earlier failures.
    pub mode: Option<String>,
    /// Bytes received from and sent to the device, frames as on the wire.
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub reason: Option<String>,
    /// The reason's stable code (`PollFailure`), for grouping and alerts.
    #[schema(value_type = Option<super::schema::FailureCode>)]
    pub reason_code: Option<String>,
    pub serial_number: Option<String>,
    /// What a push device called (`handshake`, `punches`, `users`,
    /// `command_results`, `source`, …); `null` for polls and tests.
    pub push_call: Option<String>,
    /// What the device reported beyond counts.
    pub detail: Option<String>,
}

impl DeviceLogJson {
    pub fn new(l: &DeviceLog, tz: &TimeZone) -> Self {
        DeviceLogJson {
            id: l.id.0,
            device_id: l.device_id.0,
            kind: l.kind.to_string(),
            started_at: instant(l.started_at, tz),
            duration_ms: l.duration_ms,
            host: l.host.clone(),
            address: l.address.clone(),
            transport: l.transport_used.map(|t| t.to_string()),
            outcome: l.outcome.to_string(),
            users_read: l.users_read,
            punches_read: l.punches_read,
            punches_new: l.punches_new,
            employees_new: l.employees_new,
            punches_known: l.punches_known,
            mode: l.mode.map(|m| m.to_string()),
            bytes_received: l.bytes_received,
            bytes_sent: l.bytes_sent,
            reason: l.reason.clone(),
            reason_code: l.reason_code.map(|c| c.to_string()),
            serial_number: l.serial_number.clone(),
            push_call: l.push_call.map(|c| c.to_string()),
            detail: l.detail.clone(),
        }
    }
}

/// A command queued for a push device, and how it ended.
#[derive(Serialize, ToSchema)]
#[schema(as = PushCommand)]
pub struct PushCommandJson {
    pub id: i64,
    /// `set_clock`, `query_attlog`, `query_users` or `update_user`.
    pub kind: String,
    /// What it does, in plain words.
    pub description: String,
    /// `queued`, `sent`, `done` or `failed`.
    pub state: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub sent_at: Option<String>,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    /// The device's return code (0 is success).
    pub return_code: Option<i32>,
    /// The device's answer in plain words.
    pub result: Option<String>,
}

impl PushCommandJson {
    pub fn new(c: &PushCommand, tz: &TimeZone) -> Self {
        PushCommandJson {
            id: c.id.0,
            kind: c.args.kind().to_string(),
            description: c.args.describe(),
            state: c.state.to_string(),
            created_at: instant(c.created_at, tz),
            sent_at: opt_instant(c.sent_at, tz),
            finished_at: opt_instant(c.finished_at, tz),
            return_code: c.return_code,
            result: c.result.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Employee)]
pub struct EmployeeJson {
    pub id: i64,
    pub enroll_id: String,
    /// Display name: first/last name, else the device's, else "NO NAME".
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name_from_device: Option<String>,
    pub designation: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// Gets the end-of-day report by email (when `email` is set).
    pub daily_report: bool,
    /// Why mail to `email` bounced, if it did; cleared when it changes.
    pub email_bounce: Option<String>,
    /// Their own shift; `null` follows the company's default shift.
    pub shift_id: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl EmployeeJson {
    pub fn new(e: &Employee, tz: &TimeZone) -> Self {
        EmployeeJson {
            id: e.id.0,
            enroll_id: e.enroll_id.clone(),
            name: e.display_name(),
            first_name: e.first_name.clone(),
            last_name: e.last_name.clone(),
            name_from_device: e.name_from_device.clone(),
            designation: e.designation.clone(),
            email: e.email.clone(),
            active: e.active,
            daily_report: e.daily_report,
            email_bounce: e.email_bounce.clone(),
            shift_id: e.shift_id.map(|s| s.0),
            created_at: instant(e.created_at, tz),
            updated_at: instant(e.updated_at, tz),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Punch)]
pub struct PunchJson {
    pub id: i64,
    pub employee_id: i64,
    pub employee_name: String,
    pub enroll_id: String,
    /// `null` once the device has been deleted.
    pub device_id: Option<i64>,
    pub device_name: Option<String>,
    pub device_serial: String,
    /// The instant, in the company's zone.
    #[schema(format = DateTime)]
    pub time: String,
    /// The wall-clock time the device printed.
    pub device_time: String,
    /// Verification method as reported by the device.
    pub status: u8,
    /// Keypad state (check-in, check-out, …) as reported by the device.
    pub punch: u8,
    /// Added by an admin (no device; see the corrections log).
    pub manual: bool,
    /// Voided by an admin: listed, never counted.
    pub voided: bool,
}

impl PunchJson {
    pub fn new(v: &PunchView, tz: &TimeZone) -> Self {
        let p = &v.punch;
        PunchJson {
            id: p.id.0,
            employee_id: p.employee_id.0,
            employee_name: v.employee_name.clone(),
            enroll_id: p.enroll_id.clone(),
            device_id: p.device_id.map(|d| d.0),
            device_name: v.device_name.clone(),
            device_serial: p.device_serial.clone(),
            time: instant(p.punched_at, tz),
            device_time: wall_clock(p.device_time),
            status: p.status,
            punch: p.punch_type,
            manual: p.manual,
            voided: p.voided,
        }
    }
}
