//! Company holidays.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::attendance_views::HolidayJson;
use super::body::{combine, refuse_empty, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::List;
use crate::domain::HolidayId;
use crate::service::attendance::period::{date_or, today};
use crate::service::holidays::HolidayInput;
use crate::service::FieldErrors;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// Most days one listing covers (ten years).
const MAX_LIST_DAYS: i32 = 3660;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day (`YYYY-MM-DD`); default: 1 January of this year.
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Last day; default: 31 December of next year. At most ten years after `from`.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
}

/// The days asked for, or a message per bad parameter.
pub fn range(
    q: &RangeQuery,
    today: jiff::civil::Date,
) -> Result<(jiff::civil::Date, jiff::civil::Date), FieldErrors> {
    use jiff::ToSpan;
    let year = today.first_of_year();
    let end = year
        .checked_add(2.years())
        .and_then(|d| d.yesterday())
        .unwrap_or(today);
    let mut e = FieldErrors::default();
    refuse_empty(&mut e, "from", q.from.as_deref());
    refuse_empty(&mut e, "to", q.to.as_deref());
    let from = e.check("from", date_or(q.from.as_deref().unwrap_or(""), year));
    let to = e.check("to", date_or(q.to.as_deref().unwrap_or(""), end));
    if let (Some(f), Some(t)) = (from, to) {
        let days = f.until(t).map(|s| s.get_days()).unwrap_or(i32::MAX);
        if t < f || days > MAX_LIST_DAYS {
            e.add(
                "to",
                "Use a last day on or after the first, at most ten years later.",
            );
        }
    }
    e.finish(|| Some((from?, to?)))
}

/// List holidays
#[utoipa::path(get, path = "/holidays", operation_id = "listHolidays", params(FormatQuery, RangeQuery),
    responses((status = 200, description = "Holidays by date.", content((List<HolidayJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth, Blocked))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<RangeQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let s = &state.services;
    let company = s.company().get(&user.caller).await?;
    let (from, to) = range(&q, today(s.now(), &company.timezone))?;
    let list = s.holidays().list(&user.caller, from, to).await?;
    files::listed(
        &state,
        &user.caller,
        format,
        List::all(list.iter().map(HolidayJson::from).collect()),
        "holidays",
        None,
    )
    .await
}

/// A holiday: a date and its name.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewHoliday)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct HolidayBody {
    #[schema(schema_with = date)]
    date: Option<String>,
    #[schema(schema_with = name)]
    name: Option<String>,
}

fn date() -> S {
    schema::text("`YYYY-MM-DD`, one holiday per date (required).")
}
fn name() -> S {
    schema::text("1-100 characters (required).")
}

/// Add a holiday
///
/// Nobody is expected to work that day: it is never an absence.
#[utoipa::path(post, path = "/holidays", operation_id = "createHoliday", request_body = HolidayBody,
    responses((status = 201, description = "Created.", body = HolidayJson), r::Body, Auth, Blocked, Conflict))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<HolidayJson>)> {
    let mut f = Fields::of::<HolidayBody>(body);
    let input = HolidayInput {
        date: f.string("date").unwrap_or_default(),
        name: f.string("name").unwrap_or_default(),
    };
    let new = combine(f.errors, input.parse())?;
    let saved = state.services.holidays().create(&user.caller, &new).await?;
    Ok((StatusCode::CREATED, Json(HolidayJson::from(&saved))))
}

/// Delete a holiday
#[utoipa::path(delete, path = "/holidays/{id}", operation_id = "deleteHoliday", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted."), Auth, Blocked, Missing))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .holidays()
        .delete(&user.caller, HolidayId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
