//! The hand-written OpenAPI 3.1 document, embedded at build time.

use axum::http::header;
use axum::response::IntoResponse;

/// The document as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /openapi.json`
pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_is_openapi_3_1_json() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).unwrap();
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
        assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
    }

    #[test]
    fn failure_codes_are_the_ones_the_poller_stores() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).unwrap();
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
            let refs = schemas[schema]["properties"][field]["anyOf"][0]["$ref"].as_str();
            assert_eq!(
                refs,
                Some("#/components/schemas/PollFailure"),
                "{schema}.{field}"
            );
        }
    }
}
