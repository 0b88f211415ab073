//! Secrets sealed at rest: device comm keys are stored encrypted with
//! XChaCha20-Poly1305 (random 192-bit nonces, so no nonce bookkeeping),
//! bound to their company, so a copied database or backup does not give
//! away the keys of customers' clocks. The key comes from the operator
//! (`secrets_key`) or a key file in the data directory (see `app`).

use std::sync::Arc;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::error::{Corrupt, StoreError};
use crate::domain::CompanyId;

/// Stored form: `v1:` and hex of nonce then ciphertext.
const PREFIX: &str = "v1:";

/// Seals and opens comm keys. Cheap to clone.
#[derive(Clone)]
pub struct Sealer(Arc<XChaCha20Poly1305>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key>)")
    }
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

    pub fn seal_comm_key(&self, company: CompanyId, key: u32) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = company.0.to_be_bytes();
        let payload = Payload {
            msg: &key.to_be_bytes(),
            aad: &aad,
        };
        // Encrypting four bytes into memory cannot fail.
        let sealed = self.0.encrypt(&nonce, payload).expect("sealing");
        format!("{PREFIX}{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    pub fn open_comm_key(&self, company: CompanyId, stored: &str) -> Result<u32, StoreError> {
        let corrupt = |detail: &str| {
            StoreError::Corrupt(Corrupt {
                field: "devices.comm_key_sealed",
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
        let aad = company.0.to_be_bytes();
        let payload = Payload {
            msg: sealed,
            aad: &aad,
        };
        let plain = self
            .0
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| corrupt("does not open with this key (was secrets_key changed?)"))?;
        let four: [u8; 4] = plain.try_into().map_err(|_| corrupt("wrong length"))?;
        Ok(u32::from_be_bytes(four))
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
}
