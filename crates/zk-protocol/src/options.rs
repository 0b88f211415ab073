//! CMD_OPTIONS_RRQ (reference §7.1): `name\0` in, `name=value\0` out.

use crate::ProtocolError;

pub const SERIAL_NUMBER: &str = "~SerialNumber";
pub const DEVICE_NAME: &str = "~DeviceName";
pub const PLATFORM: &str = "~Platform";
pub const MAC: &str = "MAC";
pub const FP_VERSION: &str = "~ZKFPVersion";
pub const OEM_VENDOR: &str = "~OEMVendor";

/// The request payload for reading option `name`.
pub fn request(name: &str) -> Vec<u8> {
    let mut v = name.as_bytes().to_vec();
    v.push(0);
    v
}

/// The option name in a request, with or without the trailing NUL.
pub fn parse_request(data: &[u8]) -> Result<String, ProtocolError> {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let name = std::str::from_utf8(&data[..end])
        .map_err(|_| ProtocolError::malformed("option request", "name is not text"))?;
    if name.is_empty() {
        return Err(ProtocolError::malformed("option request", "empty name"));
    }
    Ok(name.to_string())
}

/// The reply payload `name=value\0`.
pub fn reply(name: &str, value: &str) -> Vec<u8> {
    let mut v = format!("{name}={value}").into_bytes();
    v.push(0);
    v
}

/// The value in a reply: everything after the first `=` up to the first NUL.
pub fn parse_reply(data: &[u8]) -> Result<String, ProtocolError> {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..end]);
    match text.split_once('=') {
        Some((_, value)) => Ok(value.trim().to_string()),
        None => Err(ProtocolError::malformed(
            "option reply",
            format!("no '=' in {text:?}"),
        )),
    }
}

/// The firmware string of a GET_VERSION reply, cut at the NUL.
pub fn parse_version(data: &[u8]) -> String {
    crate::records::text(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roundtrip_and_bare_names() {
        assert_eq!(request(SERIAL_NUMBER), b"~SerialNumber\0");
        assert_eq!(parse_request(b"~Platform").unwrap(), "~Platform");
        assert_eq!(parse_request(b"~Platform\0").unwrap(), "~Platform");
        assert_eq!(
            parse_reply(&reply(PLATFORM, "ZEM760_TFT")).unwrap(),
            "ZEM760_TFT"
        );
        assert_eq!(parse_reply(b"~DeviceName=TM-616\0junk").unwrap(), "TM-616");
        assert_eq!(
            parse_reply(b"MAC=00:17:61:aa:bb:cc").unwrap(),
            "00:17:61:aa:bb:cc"
        );
        assert!(parse_reply(b"garbage").is_err());
        assert_eq!(
            parse_version(b"Ver 6.60 Apr 28 2015\0"),
            "Ver 6.60 Apr 28 2015"
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_reply(&bytes);
            let _ = parse_request(&bytes);
            let _ = parse_version(&bytes);
        }
    }
}
