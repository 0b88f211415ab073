//! The dashboard's figures: the same as the page at `/` shows.

use axum::extract::State;
use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;

use super::caller::ApiUser;
use super::error::{ApiResult, Json};
use super::notify_views::AlertJson;
use super::responses::{Auth, Blocked};
use super::views::instant;
use crate::service::dashboard::{Attention, Dashboard, DayHours, DevicePanel, InNow, TodayCounts};
use crate::web::AppState;

/// Today at a glance.
#[derive(Serialize, ToSchema)]
#[schema(as = Dashboard)]
pub struct DashboardJson {
    /// Today in the company's zone.
    #[schema(format = Date)]
    pub date: String,
    /// The company's time zone; times carry its offset.
    pub zone: String,
    #[schema(format = DateTime)]
    pub as_of: String,
    /// People whose last punch today is a check-in (by the attendance
    /// pairing), latest first.
    pub in_now: Vec<InNowJson>,
    pub today: TodayJson,
    pub devices: DevicesJson,
    /// Open alerts, newest first.
    pub alerts: Vec<AlertJson>,
    /// Worked time of everyone per day over the last 30 days, oldest first.
    pub worked: Vec<DayWorkedJson>,
    /// The last 7 days with incomplete days, unassigned punches or key
    /// conflicts, newest first.
    pub attention: Vec<AttentionJson>,
}

/// Someone checked in now.
#[derive(Serialize, ToSchema)]
#[schema(as = DashboardInNow)]
pub struct InNowJson {
    pub employee_id: i64,
    pub enroll_id: String,
    pub name: String,
    /// The check-in (or return from a break) they are in since.
    #[schema(format = DateTime)]
    pub since: String,
    /// `null` for a punch added by hand.
    pub device_id: Option<i64>,
    pub device_name: Option<String>,
}

/// Today's counts; `/attendance?show=` on the page lists the people.
#[derive(Serialize, ToSchema)]
#[schema(as = DashboardToday)]
pub struct TodayJson {
    /// Punched today (late ones included).
    pub present: usize,
    pub late: usize,
    pub absent: usize,
    pub on_leave: usize,
    /// Expected today, no punch yet.
    pub not_yet_in: usize,
}

/// Device counts, and every offline device.
#[derive(Serialize, ToSchema)]
#[schema(as = DashboardDevices)]
pub struct DevicesJson {
    pub online: usize,
    pub offline: usize,
    pub never_connected: usize,
    /// Disabled (not polled).
    pub paused: usize,
    pub offline_devices: Vec<OfflineDeviceJson>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = DashboardOfflineDevice)]
pub struct OfflineDeviceJson {
    pub id: i64,
    pub name: String,
    /// Why, in plain words.
    pub reason: Option<String>,
    /// The stable code of `reason`.
    pub reason_code: Option<String>,
    /// The last successful sync; `null` if never.
    pub last_synced_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = DashboardDayWorked)]
pub struct DayWorkedJson {
    #[schema(format = Date)]
    pub date: String,
    pub worked_minutes: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = DashboardAttention)]
pub struct AttentionJson {
    #[schema(format = Date)]
    pub date: String,
    /// People with a missing check-in or check-out on a final day.
    pub incomplete_days: usize,
    /// Punches outside every shift window.
    pub unassigned_punches: usize,
    /// Punches whose in/out key disagrees with the pairing.
    pub status_conflicts: usize,
}

/// Dashboard
///
/// Who is in now, today's counts, devices, open alerts, worked time over
/// the last 30 days and what needs a look over the last 7, computed now
/// from the stored punches, shifts, holidays and leave.
#[utoipa::path(get, path = "/dashboard", operation_id = "getDashboard",
    responses((status = 200, description = "The dashboard's figures.", body = DashboardJson), Auth, Blocked))]
pub async fn get(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<DashboardJson>> {
    let d = state.services.dashboard().show(&user.caller).await?;
    Ok(Json(DashboardJson::new(&d)))
}

impl DashboardJson {
    pub fn new(d: &Dashboard) -> DashboardJson {
        let tz = d.zone.tz();
        DashboardJson {
            date: d.today.to_string(),
            zone: d.zone.name().into(),
            as_of: instant(d.now, tz),
            in_now: d.in_now.iter().map(|p| in_now(p, tz)).collect(),
            today: today(&d.today_counts),
            devices: devices(&d.health.devices, tz),
            alerts: d
                .health
                .alerts
                .iter()
                .map(|a| AlertJson::new(a, tz))
                .collect(),
            worked: d.hours.iter().map(worked).collect(),
            attention: d.attention.iter().map(attention).collect(),
        }
    }
}

fn in_now(p: &InNow, tz: &TimeZone) -> InNowJson {
    InNowJson {
        employee_id: p.employee_id.0,
        enroll_id: p.enroll_id.clone(),
        name: p.name.clone(),
        since: instant(p.since, tz),
        device_id: p.device_id.map(|d| d.0),
        device_name: p.device_name.clone(),
    }
}

fn today(c: &TodayCounts) -> TodayJson {
    TodayJson {
        present: c.present,
        late: c.late,
        absent: c.absent,
        on_leave: c.on_leave,
        not_yet_in: c.not_yet_in,
    }
}

fn devices(d: &DevicePanel, tz: &TimeZone) -> DevicesJson {
    DevicesJson {
        online: d.online,
        offline: d.offline.len(),
        never_connected: d.never_connected,
        paused: d.disabled,
        offline_devices: d
            .offline
            .iter()
            .map(|o| OfflineDeviceJson {
                id: o.id.0,
                name: o.name.clone(),
                reason: o.last_error.clone(),
                reason_code: o.last_error_code.map(|c| c.to_string()),
                last_synced_at: o.last_seen_at.map(|t| instant(t, tz)),
            })
            .collect(),
    }
}

fn worked(h: &DayHours) -> DayWorkedJson {
    DayWorkedJson {
        date: h.date.to_string(),
        worked_minutes: h.worked_seconds / 60,
    }
}

fn attention(a: &Attention) -> AttentionJson {
    AttentionJson {
        date: a.date.to_string(),
        incomplete_days: a.incomplete_days,
        unassigned_punches: a.unassigned_punches,
        status_conflicts: a.status_conflicts,
    }
}
