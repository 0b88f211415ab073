//! A user as push devices describe it: OPERLOG `USER` lines (2.x) and
//! `tabledata` `user` records (3.x), adms-push.md §3.3 and §3.5.

use super::attlog::check_pin;
use super::body::{get, lossy, number};
use crate::names::NameDecoding;

/// A user record from a pushing device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The enroll ID.
    pub pin: String,
    /// Decoded by the device's text rule (UTF-8, else its code page).
    pub name: String,
    /// The name as sent, to decode again if the setting changes.
    pub name_bytes: Vec<u8>,
    /// 0 user, 2 enroller, 6 admin, 14 super admin (A40); absent when not sent.
    pub privilege: Option<u8>,
    /// Sent in clear by the device; kept so the caller can decide to drop it.
    pub password: String,
    /// Card number in decimal, when the device has one.
    pub card: Option<u64>,
    pub group: Option<u32>,
}

/// Field names of the two dialects.
pub(crate) struct Keys {
    pub pin: &'static str,
    pub privilege: &'static str,
    pub password: &'static str,
    pub card: &'static str,
    pub group: &'static str,
}

pub(crate) const V2: Keys = Keys {
    pin: "PIN",
    privilege: "Pri",
    password: "Passwd",
    card: "Card",
    group: "Grp",
};

pub(crate) const V3: Keys = Keys {
    pin: "pin",
    privilege: "privilege",
    password: "password",
    card: "cardno",
    group: "group",
};

impl UserInfo {
    pub(crate) fn from_pairs(
        pairs: &[(String, &[u8])],
        keys: &Keys,
        how: &NameDecoding,
    ) -> Result<UserInfo, String> {
        let pin = get(pairs, keys.pin)
            .map(|p| lossy(p).trim().to_string())
            .ok_or_else(|| format!("no {}= field", keys.pin))?;
        check_pin(&pin)?;
        let name_bytes = get(pairs, "Name").unwrap_or_default().to_vec();
        let privilege = match get(pairs, keys.privilege).filter(|v| !v.is_empty()) {
            Some(v) => Some(number("privilege", v)?),
            None => None,
        };
        let group = match get(pairs, keys.group).filter(|v| !v.is_empty()) {
            Some(v) => Some(number("group", v)?),
            None => None,
        };
        Ok(UserInfo {
            pin,
            name: how.decode(&name_bytes),
            name_bytes,
            privilege,
            password: get(pairs, keys.password).map(lossy).unwrap_or_default(),
            card: parse_card(&lossy(get(pairs, keys.card).unwrap_or_default()))?,
            group,
        })
    }
}

/// A card number: `[15CD5B07]` (hex bytes, least significant first, 4 or 5
/// of them) or a plain decimal string (adms-push.md §3.3); empty or 0 = none.
pub fn parse_card(text: &str) -> Result<Option<u64>, String> {
    let t = text.trim();
    let value = if let Some(hex) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        card_from_hex(hex).ok_or_else(|| format!("card {t:?} is not [hex bytes]"))?
    } else if t.is_empty() {
        0
    } else {
        t.parse()
            .map_err(|_| format!("card {t:?} is neither a number nor [hex bytes]"))?
    };
    Ok((value != 0).then_some(value))
}

fn card_from_hex(hex: &str) -> Option<u64> {
    if !(hex.len() == 8 || hex.len() == 10) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect::<Option<_>>()?;
    Some(
        bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_in_both_forms() {
        // The reference's example: [15CD5B07] = 123456789.
        assert_eq!(parse_card("[15CD5B07]"), Ok(Some(123_456_789)));
        assert_eq!(parse_card("[15CD5B0700]"), Ok(Some(123_456_789)));
        assert_eq!(parse_card("123456789"), Ok(Some(123_456_789)));
        assert_eq!(parse_card(""), Ok(None));
        assert_eq!(parse_card("0"), Ok(None));
        assert_eq!(parse_card("[00000000]"), Ok(None));
        assert!(parse_card("[15CD5B0]").is_err());
        assert!(parse_card("12ab").is_err());
    }
}
