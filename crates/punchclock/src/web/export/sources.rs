//! The large exports' producers: punches, attendance days and timesheet
//! totals read through the services page by page and sent as batches, so
//! a month of 120,000 punches is never held whole.

use jiff::tz::TimeZone;
use tokio::sync::mpsc;

use super::payroll::{PayrollDay, PayrollTotals};
use super::{json_table, stream, Batch, Batches, Format, Sent, Sheet, Tabular, BATCH_ROWS};
use crate::domain::PunchFilter;
use crate::service::attendance::{Page, Period, PersonDays};
use crate::service::{Caller, ServiceError, Services};
use crate::web::api::views::PunchJson;
use axum::response::Response;

/// Every punch matching `filter` (its paging ignored), in its order, as
/// the API's punch rows (`sheet` from [`punch_sheet`]).
pub fn punches(
    services: &Services,
    caller: Caller,
    filter: PunchFilter,
    tz: TimeZone,
    format: Format,
    sheet: Sheet,
) -> Response {
    let (tx, batches) = Batches::channel();
    let s = services.clone();
    let columns = sheet.columns.clone();
    tokio::spawn(async move {
        let mut filter = PunchFilter {
            limit: BATCH_ROWS as u32,
            offset: 0,
            after: None,
            ..filter
        };
        loop {
            let page = match s.punches().page(&caller, &filter).await {
                Ok(page) => page,
                Err(e) => return fail(&tx, e).await,
            };
            let Some(last) = page.last() else { return };
            filter.after = Some((last.punch.punched_at, last.punch.id));
            let full = page.len() == BATCH_ROWS;
            let rows = page
                .iter()
                .map(|p| json_table::cells(&PunchJson::new(p, &tz), &columns));
            if tx.send(Ok(rows.collect())).await.is_err() || !full {
                return;
            }
        }
    });
    stream(format, sheet, batches)
}

/// The punch file's sheet: the API punch row's fields.
pub fn punch_sheet(period: String, zone: String) -> Sheet {
    Sheet {
        name: "punches",
        period,
        zone,
        columns: json_table::columns::<PunchJson>(),
    }
}

/// One employee's rows per day ([`PayrollDay`]).
pub fn day_rows(p: &PersonDays, _: Period) -> Batch {
    p.attendance
        .days
        .iter()
        .map(|day| PayrollDay { person: p, day }.cells())
        .collect()
}

/// One employee's totals row ([`PayrollTotals`]).
pub fn total_rows(p: &PersonDays, period: Period) -> Batch {
    let row = PayrollTotals {
        person: p,
        totals: p.totals(),
        from: period.from,
        to: period.to,
    };
    vec![row.cells()]
}

/// One row per employee and day, everyone in scope.
pub fn attendance_days(
    services: &Services,
    caller: Caller,
    period: Period,
    format: Format,
    sheet: Sheet,
) -> Response {
    let max = Page::max_for;
    attendance(services, caller, period, max, day_rows, format, sheet)
}

/// One row per employee with the period's totals, everyone in scope.
pub fn timesheet_totals(
    services: &Services,
    caller: Caller,
    period: Period,
    format: Format,
    sheet: Sheet,
) -> Response {
    let max = Page::max_for_totals;
    attendance(services, caller, period, max, total_rows, format, sheet)
}

/// Pages of employees through the attendance service, `rows` of each.
fn attendance(
    services: &Services,
    caller: Caller,
    period: Period,
    page_size: fn(Period) -> usize,
    rows: fn(&PersonDays, Period) -> Batch,
    format: Format,
    sheet: Sheet,
) -> Response {
    let (tx, batches) = Batches::channel();
    let s = services.clone();
    tokio::spawn(async move {
        let a = s.attendance();
        let mut page = Page {
            limit: page_size(period),
            offset: 0,
        };
        loop {
            let everyone = match a.everyone(&caller, period, page).await {
                Ok(e) => e,
                Err(e) => return fail(&tx, e).await,
            };
            for chunk in everyone
                .people
                .chunks(BATCH_ROWS / period.days().max(1) + 1)
            {
                let batch = chunk.iter().flat_map(|p| rows(p, period)).collect();
                if tx.send(Ok(batch)).await.is_err() {
                    return;
                }
            }
            page.offset += page.limit;
            if page.offset >= everyone.total {
                return;
            }
        }
    });
    stream(format, sheet, batches)
}

fn message(e: ServiceError) -> String {
    tracing::warn!(error = %e, "export stopped");
    e.to_string()
}

async fn fail(tx: &mpsc::Sender<Sent>, e: ServiceError) {
    let _ = tx.send(Err(message(e))).await;
}
