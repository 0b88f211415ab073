//! Password hashing: argon2id with the crate's default parameters and a
//! random salt, stored as a PHC string. Each hash holds 19 MiB while it
//! runs, so [`Hashing`] runs only as many at once as a memory budget
//! allows: 300 anonymous logins at once took 6 GB before (issue 11).

use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::service::error::ServiceError;

/// Hash a password into an argon2id PHC string. CPU- and memory-heavy:
/// requests go through [`Hashing`].
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

/// Memory one argon2id hash with the default parameters holds (m = 19 MiB).
pub const MIB_PER_HASH: u32 = 19;

/// One hash's working memory, reused: allocating 19 MiB per request let
/// the allocator keep gigabytes after a burst, whatever ran at once.
type Scratch = Vec<Block>;

/// Hashing off the async workers, at most as many at once as fit the
/// memory budget, each in a reused buffer; the rest wait their turn.
#[derive(Clone)]
pub struct Hashing {
    slots: Arc<Semaphore>,
    buffers: Arc<Mutex<Vec<Scratch>>>,
}

impl Hashing {
    pub fn new(memory_budget_mib: u32) -> Hashing {
        let slots = (memory_budget_mib / MIB_PER_HASH).max(1) as usize;
        Hashing {
            slots: Arc::new(Semaphore::new(slots)),
            buffers: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// How many hashes may run now.
    pub fn concurrency(&self) -> usize {
        self.slots.available_permits()
    }

    /// [`hash`], within the budget.
    pub async fn hash(&self, password: String) -> Result<String, ServiceError> {
        self.run(move |m| hash_in(password.as_bytes(), m)).await?
    }

    /// [`verify`], within the budget.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, ServiceError> {
        self.run(move |m| verify_in(password.as_bytes(), &phc, m))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let _slot = self.slot().await?;
        let buffers = self.buffers.clone();
        blocking(move || {
            let taken = buffers.lock().map(|mut b| b.pop()).unwrap_or(None);
            let mut scratch = taken.unwrap_or_default();
            let out = f(&mut scratch);
            if let Ok(mut b) = buffers.lock() {
                b.push(scratch);
            }
            out
        })
        .await
    }

    async fn slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ServiceError> {
        self.slots
            .acquire()
            .await
            .map_err(|_| ServiceError::Internal("the hashing slots were closed".into()))
    }
}

/// [`hash`] in `scratch`.
fn hash_in(password: &[u8], scratch: &mut Scratch) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
    compute(
        password,
        algorithm,
        version,
        Params::default(),
        salt.as_salt(),
        scratch,
    )
    .map(|h| h.to_string())
    .map_err(|e| ServiceError::Internal(format!("hashing the password failed: {e}")))
}

/// [`verify`] in `scratch`.
fn verify_in(password: &[u8], phc: &str, scratch: &mut Scratch) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(h.algorithm);
    let version = h.version.map_or(Ok(Version::default()), Version::try_from);
    let params = Params::try_from(&h);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, params) else {
        return false;
    };
    compute(password, algorithm, version, params, salt, scratch)
        .ok()
        .and_then(|c| c.hash)
        // `Output` compares in constant time.
        .is_some_and(|out| out == expected)
}

/// Argon2 as `PasswordHasher::hash_password` does it, in `scratch`.
fn compute<'a>(
    password: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Salt<'a>,
    scratch: &mut Scratch,
) -> argon2::password_hash::Result<PasswordHash<'a>> {
    let mut raw = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut raw)?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    if scratch.len() < params.block_count() {
        scratch.resize(params.block_count(), Block::default());
    }
    let blocks = &mut scratch[..params.block_count()];
    let argon = Argon2::new(algorithm, version, params.clone());
    let output = Output::init_with(len, |out| {
        Ok(argon.hash_password_into_with_memory(password, salt_bytes, out, &mut *blocks)?)
    })?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt),
        hash: Some(output),
    })
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

    #[tokio::test]
    async fn reused_buffers_give_the_same_answers_as_the_crate() {
        let hashing = Hashing::new(2 * MIB_PER_HASH);
        let ours = hashing.hash("correct horse".into()).await.unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(verify("correct horse", &ours), "the crate accepts ours");
        let theirs = hash("correct horse").unwrap();
        for (pw, phc, ok) in [
            ("correct horse", theirs.clone(), true),
            ("correct hors", theirs, false),
            ("correct horse", ours.clone(), true),
            ("Correct horse", ours, false),
            ("x", "not a phc string".to_string(), false),
        ] {
            assert_eq!(hashing.verify(pw.into(), phc).await.unwrap(), ok, "{pw}");
        }
    }

    #[tokio::test]
    async fn hashing_runs_no_more_at_once_than_the_budget_allows() {
        let hashing = Hashing::new(3 * MIB_PER_HASH + 5);
        assert_eq!(hashing.concurrency(), 3);
        let held: Vec<_> = futures_slots(&hashing).await;
        assert_eq!(hashing.concurrency(), 0, "three held, none left");
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            hashing.verify("x".into(), dummy_hash().into()),
        )
        .await;
        assert!(waiting.is_err(), "a fourth hash ran beside three");
        drop(held);
        assert!(!hashing
            .verify("x".into(), dummy_hash().into())
            .await
            .unwrap());
        assert_eq!(Hashing::new(0).concurrency(), 1, "never zero");
    }

    async fn futures_slots(h: &Hashing) -> Vec<tokio::sync::SemaphorePermit<'_>> {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(h.slot().await.unwrap());
        }
        v
    }
}
