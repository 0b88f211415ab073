//! Password hashing: argon2id with the crate's default parameters and a
//! random salt, stored as a PHC string.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::service::error::ServiceError;

/// Hash a password into an argon2id PHC string. CPU-heavy: call from
/// `spawn_blocking` or through [`hash_async`].
pub fn hash(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing the password failed: {e}")))
}

/// Whether `password` matches the PHC string. A malformed hash is a mismatch.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`hash`] off the async workers.
pub async fn hash_async(password: String) -> Result<String, ServiceError> {
    blocking(move || hash(&password)).await?
}

/// [`verify`] off the async workers.
pub async fn verify_async(password: String, phc: String) -> Result<bool, ServiceError> {
    blocking(move || verify(&password, &phc)).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing the password failed: {e}")))
}

/// A hash of nothing anyone knows, verified when the email is unknown so a
/// login attempt takes as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash("not-a-real-password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash("correct horse").unwrap();
        let b = hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "random salt");
        assert!(verify("correct horse", &a));
        assert!(!verify("correct hors", &a));
        assert!(!verify("correct horse", "not a phc string"));
        assert!(dummy_hash().starts_with("$argon2id$"));
    }
}
