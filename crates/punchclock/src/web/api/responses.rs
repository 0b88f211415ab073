//! The error answers of the OpenAPI document, in sets that operations list
//! next to their success response: `responses((status = 200, body = X),
//! Auth, Blocked, Missing)`. Each set names the statuses one kind of check
//! can answer, so an operation documents exactly the checks it runs.

use utoipa::IntoResponses;

use super::error::ErrorJson;

/// Every operation behind a bearer token.
#[derive(IntoResponses)]
pub enum Auth {
    /// `unauthenticated`
    #[response(
        status = 401,
        description = "Missing, unknown, revoked or expired token."
    )]
    Unauthenticated(ErrorJson),
}

/// Operations refused while the account is blocked or its trial expired.
#[derive(IntoResponses)]
pub enum Blocked {
    /// `account_blocked`
    #[response(
        status = 402,
        description = "The account is blocked (active employees over the plan's seats) or expired (trial over). `error` is `account_blocked`; `account` has the counts."
    )]
    AccountBlocked(ErrorJson),
}

/// Operations on `/{id}` of something of the caller's company.
#[derive(IntoResponses)]
pub enum Missing {
    /// `not_found`
    #[response(
        status = 404,
        description = "No such id in the caller's company (ids of other companies, and ids that are not numbers, answer the same)."
    )]
    NotFound(ErrorJson),
}

/// Operations with a JSON request body.
#[derive(IntoResponses)]
pub enum Body {
    /// `invalid_json`
    #[response(status = 400, description = "The body is not JSON (`invalid_json`).")]
    Unreadable(ErrorJson),
    /// `payload_too_large`
    #[response(status = 413, description = "The body is over the size limit.")]
    TooLarge(ErrorJson),
    /// `unsupported_media_type`
    #[response(
        status = 415,
        description = "The body is not sent as `Content-Type: application/json`."
    )]
    NotJson(ErrorJson),
    /// `validation` or `invalid_body`
    #[response(
        status = 422,
        description = "Some fields are not valid (`validation`, with `fields`) or the JSON has the wrong shape (`invalid_body`)."
    )]
    Invalid(ErrorJson),
}

/// Operations with query parameters.
#[derive(IntoResponses)]
pub enum Query {
    /// `invalid_query`
    #[response(
        status = 400,
        description = "A parameter has the wrong type (`invalid_query`)."
    )]
    Unreadable(ErrorJson),
    /// `validation`
    #[response(
        status = 422,
        description = "A parameter is out of range (`validation`, with `fields`)."
    )]
    Invalid(ErrorJson),
}

/// Operations that change something unique.
#[derive(IntoResponses)]
pub enum Conflict {
    /// `conflict`
    #[response(status = 409, description = "It conflicts with what exists.")]
    Conflict(ErrorJson),
}

/// Operations with a rate limit (sign-in and its kin, device contact).
#[derive(IntoResponses)]
pub enum Throttled {
    /// `rate_limited`
    #[response(
        status = 429,
        description = "Too many attempts; `Retry-After` says when to try again.",
        headers(("Retry-After" = u64, description = "Seconds to wait."))
    )]
    RateLimited(ErrorJson),
}
