//! Schemas for request fields that the derive cannot say: the JSON types a
//! field accepts, exactly as [`super::body::Fields`] reads them.

use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

/// A field's schema.
pub type S = RefOr<Schema>;

/// Printable text: no control characters (NUL, line breaks, escapes).
pub const PRINTABLE: &str = r"^[^\x00-\x1f\x7f]*$";

fn of(types: &[Type], description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter(types.iter().cloned()))
        .description(Some(description))
}

fn done(b: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(b.build()))
}

/// A field read with `Fields::string`: a string, or `null` for "clear".
/// Lengths are counted after trimming, so they are said in words only.
pub fn text(description: &str) -> RefOr<Schema> {
    done(of(&[Type::String, Type::Null], description).pattern(Some(PRINTABLE)))
}

/// A field read with `Fields::text`: a number or its digits as a string,
/// or `null` for "clear".
pub fn number(description: &str) -> RefOr<Schema> {
    done(of(&[Type::Number, Type::String, Type::Null], description))
}

/// A list of weekday names (`mon` … `sun`, or in full).
pub fn weekdays(description: &str) -> RefOr<Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    let item = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(PRINTABLE));
    let array = ArrayBuilder::new()
        .items(RefOr::T(Schema::Object(item.build())))
        .description(Some(description))
        .max_items(Some(7));
    RefOr::T(Schema::Array(array.build()))
}

/// `true` or `false`.
pub fn boolean(description: &str) -> RefOr<Schema> {
    done(of(&[Type::Boolean], description))
}

/// `auto`, `tcp` or `udp` in any case; blank or `null` is `auto`.
pub fn transport(description: &str) -> RefOr<Schema> {
    let pattern = r"^\s*([Aa][Uu][Tt][Oo]|[Tt][Cc][Pp]|[Uu][Dd][Pp])?\s*$";
    done(of(&[Type::String, Type::Null], description).pattern(Some(pattern)))
}

/// A string that must be exactly one of `values` (no `null`).
pub fn one_of(description: &str, values: &[&str]) -> RefOr<Schema> {
    let values = values.iter().map(|v| serde_json::Value::from(*v));
    done(of(&[Type::String], description).enum_values(Some(values)))
}

/// `poll` or `push` in any case; blank or `null` is `poll`.
pub fn mode(description: &str) -> RefOr<Schema> {
    let pattern = r"^\s*([Pp][Oo][Ll][Ll]|[Pp][Uu][Ss][Hh])?\s*$";
    done(of(&[Type::String, Type::Null], description).pattern(Some(pattern)))
}

/// The stable failure codes of the poller (`PollFailure`), named once in
/// the document and referenced by `DeviceLog.reason_code` and
/// `Device.last_error_code`.
pub struct FailureCode;

impl utoipa::PartialSchema for FailureCode {
    fn schema() -> RefOr<Schema> {
        let codes = crate::domain::PollFailure::ALL
            .iter()
            .map(|c| serde_json::Value::from(c.as_str()));
        done(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("Why a contact failed, as a stable code."))
                .enum_values(Some(codes)),
        )
    }
}

impl utoipa::ToSchema for FailureCode {
    fn name() -> std::borrow::Cow<'static, str> {
        "PollFailure".into()
    }
}
