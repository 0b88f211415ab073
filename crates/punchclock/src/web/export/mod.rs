//! Lists and reports as files: every list the API or a page shows can be
//! answered as CSV or XLSX instead of JSON or HTML.
//!
//! One mechanism for all of them: a row view implements [`Tabular`] (its
//! columns, and its cells typed: text, whole number, hours, date, time),
//! and [`reply`] (a list already in memory) or [`stream`] (rows arriving in
//! batches, for the large exports) turns rows into a response in the asked
//! [`Format`]. Times are in the company zone, which the time columns'
//! headers name; the file name carries the period.
//!
//! - `csv`: the `csv` crate (quoting and escaping done right), with
//!   formula injection neutralised (a text cell starting with `=`, `+`,
//!   `-`, `@`, tab or CR gets a leading `'`: payroll files are opened in
//!   Excel).
//! - `xlsx`: `rust_xlsxwriter` in constant-memory mode (rows go to a temp
//!   file as they are written), typed cells, frozen header, fitted widths,
//!   a totals row.
//! - [`stream`]: a producer task sends batches over a bounded channel, so a
//!   120,000-punch export holds a few batches, never the whole file.

mod csv_out;
pub mod json_table;
pub mod payroll;
pub mod sources;
mod stream;
mod xlsx_out;

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use jiff::civil;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::web::api::views::List;

pub use self::stream::{stream, Batch, Batches, Sent, BATCH_ROWS};
use crate::service::FieldErrors;

/// What a list is answered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Format {
    /// `json` (or none), `csv` or `xlsx`; anything else is a field message.
    pub fn parse(value: Option<&str>) -> Result<Format, FieldErrors> {
        match value {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(_) => {
                let mut e = FieldErrors::default();
                e.add("format", "Use json, csv or xlsx.");
                Err(e)
            }
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => CSV_TYPE,
            Format::Xlsx => XLSX_TYPE,
        }
    }
}

/// The `format` query parameter, as every list route documents it.
#[derive(serde::Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (the default), `csv` or `xlsx`: the list as a file, every
    /// page at once (the paging parameters are ignored), times in the
    /// company zone, named in the header.
    #[param(value_type = Option<String>, pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

impl FormatQuery {
    pub fn format(&self) -> Result<Format, FieldErrors> {
        Format::parse(self.format.as_deref())
    }
}

/// Two checked values, or the messages of both.
pub fn both<A, B>(
    a: Result<A, FieldErrors>,
    b: Result<B, FieldErrors>,
) -> Result<(A, B), FieldErrors> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(mut e), Err(more)) => {
            e.merge(more);
            Err(e)
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// One cell, typed: XLSX keeps the type, CSV writes its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// Minutes, written as decimal hours to 2 places.
    Hours(i64),
    /// Minutes, written as `H:MM` (XLSX: a duration, `[h]:mm`).
    Clock(i64),
    Date(civil::Date),
    /// A wall-clock time in the company zone.
    Time(civil::DateTime),
    Bool(bool),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }

    pub fn opt_time(t: Option<civil::DateTime>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }

    /// The CSV text (before formula neutralising).
    pub fn plain(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Hours(m) => hours_decimal(*m),
            Cell::Clock(m) => hours_clock(*m),
            Cell::Date(d) => d.to_string(),
            Cell::Time(t) => t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        }
    }
}

/// `90` minutes → `1.50`; rounded half away from zero.
pub fn hours_decimal(minutes: i64) -> String {
    let hundredths = (minutes * 100 + minutes.signum() * 30) / 60;
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.abs();
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

/// `90` minutes → `1:30`.
pub fn hours_clock(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

/// A column: its header, and whether the XLSX totals row sums it.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: Cow<'static, str>,
    /// A time column: the header names the zone.
    pub zoned: bool,
    pub total: bool,
}

impl Column {
    pub const fn new(name: &'static str) -> Column {
        Column {
            name: Cow::Borrowed(name),
            zoned: false,
            total: false,
        }
    }

    /// A time in the company zone.
    pub const fn time(name: &'static str) -> Column {
        Column {
            name: Cow::Borrowed(name),
            zoned: true,
            total: false,
        }
    }

    /// Summed in the totals row.
    pub const fn summed(name: &'static str) -> Column {
        Column {
            name: Cow::Borrowed(name),
            zoned: false,
            total: true,
        }
    }
}

/// A row view that can be written as a table.
pub trait Tabular {
    fn columns() -> Vec<Column>;
    /// One cell per column, in order.
    fn cells(&self) -> Vec<Cell>;
}

/// What a file is: its name stem, period and zone.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// `punches`, `timesheet`, …: the file name's start and the sheet name.
    pub name: &'static str,
    /// `2026-07-01_2026-07-31`, or the day it was taken for lists without
    /// a period.
    pub period: String,
    /// The company zone, named in time headers.
    pub zone: String,
    pub columns: Vec<Column>,
}

impl Sheet {
    pub fn of<T: Tabular>(name: &'static str, period: String, zone: String) -> Sheet {
        Sheet {
            name,
            period,
            zone,
            columns: T::columns(),
        }
    }

    /// The header row: time columns name the zone.
    pub fn headers(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| {
                if c.zoned {
                    format!("{} ({})", c.name, self.zone)
                } else {
                    c.name.clone().into_owned()
                }
            })
            .collect()
    }

    fn file_name(&self, format: Format) -> String {
        // Period text is dates and `_` only; the name stays a safe token.
        let safe: String = format!("{}_{}", self.name, self.period)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{safe}.{}", format.extension())
    }
}

/// The period of a file name: `from_to`, or one day.
pub fn period_name(from: civil::Date, to: civil::Date) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}_{to}")
    }
}

/// A file response: content type and an attachment name with the period.
pub fn file_response(format: Format, sheet: &Sheet, body: Body) -> Response {
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!("attachment; filename=\"{}\"", sheet.file_name(format));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A list already in memory, in the asked format: JSON as it is, or a
/// file with one column per field of `T` (from its documented schema).
pub fn reply<T: Serialize + ToSchema>(
    format: Format,
    list: List<T>,
    name: &'static str,
    period: String,
    zone: String,
) -> Response {
    match format {
        Format::Json => axum::Json(list).into_response(),
        Format::Csv | Format::Xlsx => {
            let columns = json_table::columns::<T>();
            let cells: Vec<Vec<Cell>> = list
                .items
                .iter()
                .map(|row| json_table::cells(row, &columns))
                .collect();
            let sheet = Sheet {
                name,
                period,
                zone,
                columns,
            };
            ready(format, sheet, cells)
        }
    }
}

/// A file of rows already in memory.
pub fn ready(format: Format, sheet: Sheet, rows: Batch) -> Response {
    let (tx, batches) = Batches::channel();
    // The receiver is alive: it was just made.
    let _ = tx.try_send(Ok(rows));
    drop(tx);
    stream(format, sheet, batches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_as_decimals_and_clock() {
        assert_eq!(hours_decimal(0), "0.00");
        assert_eq!(hours_decimal(90), "1.50");
        assert_eq!(hours_decimal(485), "8.08");
        assert_eq!(hours_decimal(1), "0.02");
        assert_eq!(hours_decimal(-90), "-1.50");
        assert_eq!(hours_clock(485), "8:05");
        assert_eq!(hours_clock(0), "0:00");
        assert_eq!(hours_clock(-61), "-1:01");
        assert_eq!(hours_clock(6000), "100:00");
    }

    #[test]
    fn formats_parse_and_bad_ones_name_the_field() {
        assert_eq!(Format::parse(None).unwrap(), Format::Json);
        assert_eq!(Format::parse(Some("csv")).unwrap(), Format::Csv);
        assert_eq!(Format::parse(Some("xlsx")).unwrap(), Format::Xlsx);
        let e = Format::parse(Some("pdf")).unwrap_err();
        assert!(e.get("format").is_some());
        assert!(Format::parse(Some("")).is_err());
    }

    #[test]
    fn file_names_carry_the_period_and_time_headers_the_zone() {
        struct Row;
        impl Tabular for Row {
            fn columns() -> Vec<Column> {
                vec![Column::new("Name"), Column::time("Time")]
            }
            fn cells(&self) -> Vec<Cell> {
                vec![]
            }
        }
        let d = |s: &str| s.parse::<civil::Date>().unwrap();
        let sheet = Sheet::of::<Row>(
            "punches",
            period_name(d("2026-07-01"), d("2026-07-31")),
            "Europe/Berlin".into(),
        );
        assert_eq!(
            sheet.file_name(Format::Csv),
            "punches_2026-07-01_2026-07-31.csv"
        );
        assert_eq!(sheet.headers(), ["Name", "Time (Europe/Berlin)"]);
        assert_eq!(period_name(d("2026-07-01"), d("2026-07-01")), "2026-07-01");
    }
}
