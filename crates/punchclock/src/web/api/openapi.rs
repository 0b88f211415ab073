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
}
