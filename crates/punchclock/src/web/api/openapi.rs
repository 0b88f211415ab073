//! The OpenAPI 3.1 document, derived: [`base`] holds what no handler says
//! (title, servers, the bearer scheme) and [`super::routes`] adds every
//! operation from its `#[utoipa::path]`, with the schemas of its request
//! and response types.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Server};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Punchclock API",
        version = "1",
        description = "Time-and-attendance from ZKTeco-compatible time clocks. Authenticate with `Authorization: Bearer <token>` (from /signup or /login). All data is scoped to the caller's company: ids of another company answer 404. Times are ISO 8601 with offset, in the company's time zone. Errors are `{error, message}` JSON; validation errors (422) add `fields`, a map of field name to message. Text fields refuse control characters (NUL, line breaks); messages never echo long input."
    ),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    modifiers(&Bearer)
)]
struct Base;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut Document) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document before any operation is added.
pub fn base() -> Document {
    let mut doc = Base::openapi();
    doc.servers = Some(vec![Server::new("/api/v1")]);
    doc
}

/// The whole document.
pub fn document_value() -> Document {
    super::routes().split_for_parts().1
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    document_value()
        .to_json()
        .expect("the OpenAPI document serialises")
});

/// This document
#[utoipa::path(get, path = "/openapi.json", operation_id = "getOpenApi", security(()),
    responses((status = 200, description = "The OpenAPI document.", body = Object)))]
pub async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_is_openapi_3_1_json() {
        let doc: serde_json::Value = serde_json::from_str(&super::DOCUMENT).unwrap();
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
        assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }

    #[test]
    fn failure_codes_are_the_ones_the_poller_stores() {
        let doc: serde_json::Value = serde_json::from_str(&super::DOCUMENT).unwrap();
        let documented: Vec<&str> = doc["components"]["schemas"]["PollFailure"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let stored: Vec<&str> = crate::domain::PollFailure::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(documented, stored);
        let schemas = &doc["components"]["schemas"];
        for (schema, field) in [("DeviceLog", "reason_code"), ("Device", "last_error_code")] {
            let text = schemas[schema]["properties"][field].to_string();
            assert!(
                text.contains("#/components/schemas/PollFailure"),
                "{schema}.{field}: {text}"
            );
        }
    }
}
