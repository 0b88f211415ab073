//! Secrets sealed at rest: device comm keys, webhook signing secrets and
//! the bound push-key digests are stored encrypted with XChaCha20-Poly1305
//! (random 192-bit nonces, so no nonce bookkeeping), bound to what they are
//! and to their company, so a copied database or backup gives away none of
//! them and one sealed value cannot stand in for another. The key comes
//! from the operator (`secrets_key`) or a key file in the data directory
//! (see `data_dir`); [`Store::check_secrets_key`] refuses, at start, a key
//! other than the one the database's secrets were sealed with.

use std::sync::Arc;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::error::{Corrupt, StoreError};
use super::{Result, Store};
use crate::domain::CompanyId;

/// Stored form: `v1:` and hex of nonce then ciphertext.
const PREFIX: &str = "v1:";

/// What a sealed value is; part of its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    CommKey,
    WebhookSecret,
    PushKey,
    KeyCheck,
}

impl Purpose {
    fn field(self) -> &'static str {
        match self {
            Purpose::CommKey => "devices.comm_key_sealed",
            Purpose::WebhookSecret => "webhooks.secret",
            Purpose::PushKey => "devices.push_key_hash",
            Purpose::KeyCheck => "secrets_check.sealed",
        }
    }
}

/// Whether a stored value is in the sealed form (older versions stored
/// some secrets in plain text; they are sealed on start).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// Seals and opens secrets. Cheap to clone.
#[derive(Clone)]
pub struct Sealer(Arc<XChaCha20Poly1305>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key>)")
    }
}

fn aad(purpose: Purpose, company: CompanyId) -> Vec<u8> {
    let mut aad = purpose.field().as_bytes().to_vec();
    aad.extend_from_slice(&company.0.to_be_bytes());
    aad
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer(Arc::new(XChaCha20Poly1305::new(key.into())))
    }

    /// A key that lives as long as the process: for stores opened without
    /// one (tests, tools); what it seals cannot be read after a restart.
    pub fn ephemeral() -> Sealer {
        Sealer(Arc::new(XChaCha20Poly1305::new(
            &XChaCha20Poly1305::generate_key(&mut OsRng),
        )))
    }

    pub fn seal(&self, purpose: Purpose, company: CompanyId, plain: &[u8]) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = aad(purpose, company);
        let payload = Payload {
            msg: plain,
            aad: &aad,
        };
        // Encrypting a few bytes into memory cannot fail.
        let sealed = self.0.encrypt(&nonce, payload).expect("sealing");
        format!("{PREFIX}{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    pub fn open(&self, purpose: Purpose, company: CompanyId, stored: &str) -> Result<Vec<u8>> {
        let corrupt = |detail: &str| {
            StoreError::Corrupt(Corrupt {
                field: purpose.field(),
                row: None,
                detail: detail.to_owned(),
            })
        };
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > 24)
            .ok_or_else(|| corrupt("not a sealed value"))?;
        let (nonce, sealed) = bytes.split_at(24);
        let aad = aad(purpose, company);
        let payload = Payload {
            msg: sealed,
            aad: &aad,
        };
        self.0
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| corrupt("does not open with this key (was secrets_key changed?)"))
    }

    pub fn seal_comm_key(&self, company: CompanyId, key: u32) -> String {
        self.seal(Purpose::CommKey, company, &key.to_be_bytes())
    }

    pub fn open_comm_key(&self, company: CompanyId, stored: &str) -> Result<u32> {
        let plain = self.open(Purpose::CommKey, company, stored)?;
        let four: [u8; 4] = plain
            .try_into()
            .map_err(|_| StoreError::corrupt(Purpose::CommKey.field(), None, "wrong length"))?;
        Ok(u32::from_be_bytes(four))
    }

    pub fn seal_text(&self, purpose: Purpose, company: CompanyId, text: &str) -> String {
        self.seal(purpose, company, text.as_bytes())
    }

    pub fn open_text(&self, purpose: Purpose, company: CompanyId, stored: &str) -> Result<String> {
        let plain = self.open(purpose, company, stored)?;
        String::from_utf8(plain)
            .map_err(|_| StoreError::corrupt(purpose.field(), None, "not UTF-8"))
    }
}

/// The clear text sealed in `secrets_check`: what a key must open.
const CHECK_TEXT: &str = "punchclock secrets key check";

/// The company id the check value is bound to (no company).
const NO_COMPANY: CompanyId = CompanyId(0);

impl Store {
    /// Makes sure the key this store seals with is the one the database's
    /// secrets were sealed with: the first start seals a known text into
    /// `secrets_check`, every later start (of any instance) must open it.
    /// A different key is refused here, before anything is read or written
    /// with it, so a missing or wrong `secrets_key` never turns into keys
    /// that silently fail to open.
    pub async fn check_secrets_key(&self) -> Result<()> {
        let proposal = self
            .sealer
            .seal_text(Purpose::KeyCheck, NO_COMPANY, CHECK_TEXT);
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO secrets_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&proposal)
            .execute(pool)
            .await?;
        });
        // Read back what is there: ours, or what another instance sealed
        // first.
        let stored: String = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT sealed FROM secrets_check WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        match self
            .sealer
            .open_text(Purpose::KeyCheck, NO_COMPANY, &stored)
        {
            Ok(text) if text == CHECK_TEXT => Ok(()),
            _ => Err(StoreError::WrongSecretsKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_key_and_company() {
        let s = Sealer::new(&[7; 32]);
        let sealed = s.seal_comm_key(CompanyId(1), 123456);
        assert!(
            sealed.starts_with("v1:") && !sealed.contains("123456"),
            "{sealed}"
        );
        assert_ne!(sealed, s.seal_comm_key(CompanyId(1), 123456), "fresh nonce");
        assert_eq!(s.open_comm_key(CompanyId(1), &sealed).unwrap(), 123456);
        assert!(
            s.open_comm_key(CompanyId(2), &sealed).is_err(),
            "bound to its company"
        );
        assert!(Sealer::new(&[8; 32])
            .open_comm_key(CompanyId(1), &sealed)
            .is_err());
        assert!(s.open_comm_key(CompanyId(1), "123456").is_err());
    }

    #[test]
    fn a_sealed_value_opens_only_as_what_it_is() {
        let s = Sealer::new(&[7; 32]);
        let secret = s.seal_text(Purpose::WebhookSecret, CompanyId(3), "whsec_abc");
        assert!(is_sealed(&secret) && !secret.contains("whsec"), "{secret}");
        assert_eq!(
            s.open_text(Purpose::WebhookSecret, CompanyId(3), &secret)
                .unwrap(),
            "whsec_abc"
        );
        assert!(
            s.open_text(Purpose::PushKey, CompanyId(3), &secret)
                .is_err(),
            "bound to its purpose"
        );
        assert!(!is_sealed("whsec_abc"));
    }
}
