//! Any documented JSON row view as a table: one column per field of its
//! schema (in declared order), cells typed from the values. So every list
//! route answers CSV and XLSX with the very values its JSON has.

use std::borrow::Cow;

use jiff::civil;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::{Cell, Column};

/// Fields that hold an instant in the company zone.
fn is_time(name: &str, schema: &RefOr<Schema>) -> bool {
    let formatted = matches!(schema, RefOr::T(Schema::Object(o))
        if matches!(o.format, Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))));
    formatted
        || name.ends_with("_at")
        || matches!(
            name,
            "time" | "first_in" | "last_out" | "punch_time" | "last_seen" | "last_attempt"
        )
}

/// The columns of `T`: its schema's fields.
pub fn columns<T: ToSchema>() -> Vec<Column> {
    let RefOr::T(Schema::Object(object)) = T::schema() else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .map(|(name, schema)| Column {
            zoned: is_time(name, schema),
            name: Cow::Owned(name.clone()),
            total: false,
        })
        .collect()
}

/// One row's cells, in `columns`' order.
pub fn cells<T: Serialize>(row: &T, columns: &[Column]) -> Vec<Cell> {
    let Ok(Value::Object(map)) = serde_json::to_value(row) else {
        return vec![Cell::Empty; columns.len()];
    };
    columns
        .iter()
        .map(|c| {
            map.get(c.name.as_ref())
                .map_or(Cell::Empty, |v| cell(v, c.zoned))
        })
        .collect()
}

fn cell(v: &Value, zoned: bool) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Text(n.to_string()),
        },
        Value::String(s) if zoned => {
            local_time(s).map_or_else(|| Cell::text(s.clone()), Cell::Time)
        }
        Value::String(s) => Cell::text(s.clone()),
        Value::Array(items) => Cell::Text(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    // Flags and the like: their code says it.
                    Value::Object(o) => o
                        .get("code")
                        .and_then(Value::as_str)
                        .map_or_else(|| i.to_string(), str::to_owned),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Value::Object(_) => Cell::Text(v.to_string()),
    }
}

/// `2026-07-01T09:05:07+02:00` → the wall-clock time it shows (the
/// company zone's, as the API writes it).
fn local_time(s: &str) -> Option<civil::DateTime> {
    s.parse::<jiff::Timestamp>().ok()?;
    s.get(..19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, ToSchema)]
    struct Row {
        id: i64,
        name: String,
        created_at: String,
        tags: Vec<String>,
        gone: Option<String>,
        on: bool,
    }

    #[test]
    fn fields_become_typed_cells_in_schema_order() {
        let cols = columns::<Row>();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(names, ["id", "name", "created_at", "tags", "gone", "on"]);
        assert!(cols[2].zoned && !cols[1].zoned);
        let row = Row {
            id: 7,
            name: "=cmd".into(),
            created_at: "2026-07-01T09:05:07+02:00".into(),
            tags: vec!["a".into(), "b".into()],
            gone: None,
            on: true,
        };
        let time = "2026-07-01T09:05:07".parse().unwrap();
        assert_eq!(
            cells(&row, &cols),
            [
                Cell::Int(7),
                Cell::text("=cmd"),
                Cell::Time(time),
                Cell::text("a b"),
                Cell::Empty,
                Cell::Bool(true)
            ]
        );
    }
}
