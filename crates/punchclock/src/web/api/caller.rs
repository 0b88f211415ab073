//! Who is calling the API: `Authorization: Bearer <token>` of an API
//! session. Handlers take [`ApiUser`] (good standing) unless they are one
//! of the ways out of a block, which take [`ApiCaller`].

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::domain::SessionKind;
use crate::service::sessions::SignedIn;
use crate::web::AppState;

/// An API caller in any account standing: only for what a blocked or
/// expired account may still do (its account and plan, employee status,
/// logout). 401 JSON without a live token.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub SignedIn);

impl std::ops::Deref for ApiCaller {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or(ApiError::Unauthenticated)?;
        state
            .services
            .sessions()
            .find(token, SessionKind::Api)
            .await?
            .map(ApiCaller)
            .ok_or(ApiError::Unauthenticated)
    }
}

/// An API caller whose account is in good standing; a blocked or expired
/// account gets 402 `account_blocked`. The default for API handlers, so a
/// new endpoint is gated unless it deliberately takes [`ApiCaller`].
#[derive(Debug, Clone)]
pub struct ApiUser(pub SignedIn);

impl std::ops::Deref for ApiUser {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        let standing = state.services.plan().standing(&caller.caller).await?;
        if standing.blocked {
            return Err(ApiError::AccountBlocked(Box::new(standing)));
        }
        Ok(ApiUser(caller.0))
    }
}

/// The token of an `Authorization` header value, scheme case-insensitive.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
