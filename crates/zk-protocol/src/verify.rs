//! How a person proved who they were at a punch: the "verify" code.
//!
//! Source: adms-push.md §3.1 "Verify codes", which quotes ZKTeco's
//! Attendance PUSH protocol, appendix 7 (A40). The same numbers arrive in
//! the binary protocol's attendance records (zk-protocol.md §5.2, the
//! "status" byte at offset 26 of 40-byte records; there the reference's
//! captures agree on 1 fingerprint, 3 password, 4 card and 15 face). The
//! U320 "Clock" dialect remaps codes through `VerifyValueMap`; we do not.

use std::fmt;

/// A verify code as the device reported it; [`VerifyMethod::name`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VerifyMethod(pub u16);

/// Codes 0–29 in order (A40 appendix 7).
const NAMES: [&str; 30] = [
    "any method",
    "fingerprint",
    "user ID",
    "password",
    "card",
    "fingerprint or password",
    "fingerprint or card",
    "card or password",
    "user ID and fingerprint",
    "fingerprint and password",
    "card and fingerprint",
    "card and password",
    "fingerprint, password and card",
    "user ID, fingerprint and password",
    "user ID and fingerprint, or card and fingerprint",
    "face",
    "face and fingerprint",
    "face and password",
    "face and card",
    "face, fingerprint and card",
    "face, fingerprint and password",
    "finger vein",
    "finger vein and password",
    "finger vein and card",
    "finger vein, password and card",
    "palm",
    "palm and card",
    "palm and face",
    "palm and fingerprint",
    "palm, fingerprint and face",
];

/// The code A40 reserves for "other".
const OTHER: u16 = 200;

impl VerifyMethod {
    /// The method's name in plain words, or `None` for a code the reference
    /// does not list (then [`fmt::Display`] says "other (code N)").
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            OTHER => Some("other"),
            n => NAMES.get(usize::from(n)).copied(),
        }
    }

    /// The code as sent by the device.
    pub fn code(self) -> u16 {
        self.0
    }
}

impl From<u8> for VerifyMethod {
    fn from(code: u8) -> Self {
        VerifyMethod(u16::from(code))
    }
}

impl fmt::Display for VerifyMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "other (code {})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// adms-push.md §3.1, transcribed code by code.
    const REFERENCE: &[(u16, &str)] = &[
        (0, "any method"),
        (1, "fingerprint"),
        (2, "user ID"),
        (3, "password"),
        (4, "card"),
        (5, "fingerprint or password"),
        (6, "fingerprint or card"),
        (7, "card or password"),
        (8, "user ID and fingerprint"),
        (9, "fingerprint and password"),
        (10, "card and fingerprint"),
        (11, "card and password"),
        (12, "fingerprint, password and card"),
        (13, "user ID, fingerprint and password"),
        (14, "user ID and fingerprint, or card and fingerprint"),
        (15, "face"),
        (16, "face and fingerprint"),
        (17, "face and password"),
        (18, "face and card"),
        (19, "face, fingerprint and card"),
        (20, "face, fingerprint and password"),
        (21, "finger vein"),
        (22, "finger vein and password"),
        (23, "finger vein and card"),
        (24, "finger vein, password and card"),
        (25, "palm"),
        (26, "palm and card"),
        (27, "palm and face"),
        (28, "palm and fingerprint"),
        (29, "palm, fingerprint and face"),
        (200, "other"),
    ];

    #[test]
    fn every_reference_code_has_its_name() {
        for &(code, name) in REFERENCE {
            assert_eq!(VerifyMethod(code).to_string(), name, "code {code}");
            assert_eq!(VerifyMethod(code).name(), Some(name));
        }
    }

    #[test]
    fn codes_outside_the_table_are_other_with_their_number() {
        for code in (0..=u16::MAX).filter(|c| !REFERENCE.iter().any(|r| r.0 == *c)) {
            assert_eq!(VerifyMethod(code).name(), None);
            assert_eq!(
                VerifyMethod(code).to_string(),
                format!("other (code {code})")
            );
        }
        assert_eq!(VerifyMethod::from(30u8).to_string(), "other (code 30)");
        assert_eq!(VerifyMethod::from(255u8).code(), 255);
    }
}
