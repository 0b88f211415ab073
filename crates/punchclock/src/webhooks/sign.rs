//! Signing a delivery: `X-Punchclock-Signature: v1=<hex>` is HMAC-SHA256
//! with the endpoint's secret over `<timestamp>.<body>`, and
//! `X-Punchclock-Timestamp` carries that timestamp (unix seconds), so a
//! receiver can refuse replays of old deliveries.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-Punchclock-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Punchclock-Timestamp";
pub const EVENT_HEADER: &str = "X-Punchclock-Event";
pub const DELIVERY_HEADER: &str = "X-Punchclock-Delivery";

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is a valid signature of `body` at `timestamp`
/// (compared in constant time), as a receiver checks it.
pub fn verify(secret: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("v1=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_vector_and_round_trip() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = signature("whsec_1", 1_700_000_000, "{\"a\":1}");
        assert!(verify("whsec_1", 1_700_000_000, "{\"a\":1}", &s));
        assert!(!verify("whsec_2", 1_700_000_000, "{\"a\":1}", &s));
        assert!(!verify("whsec_1", 1_700_000_001, "{\"a\":1}", &s));
        assert!(!verify("whsec_1", 1_700_000_000, "{\"a\":2}", &s));
        assert!(!verify("whsec_1", 1_700_000_000, "{\"a\":1}", "v1=zz"));
    }
}
