//! The `INFO=` parameter of `getrequest` (adms-push.md §4.1): a comma list
//! of firmware, counts and capabilities. Old firmware sends 4–6 values,
//! newer 10, the A58 digest 13; anything missing or unreadable is `None`.

/// What a device says about itself when it polls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    pub firmware: Option<String>,
    pub users: Option<u32>,
    pub fingerprints: Option<u32>,
    pub punches: Option<u32>,
    pub ip_address: Option<String>,
    pub fingerprint_algorithm: Option<i32>,
    pub face_algorithm: Option<i32>,
    pub faces_to_enroll: Option<i32>,
    pub faces: Option<u32>,
    /// 0/1 flags: fingerprint, face, user photo, …
    pub features: Option<String>,
}

impl DeviceInfo {
    /// Never fails: a value that is not a number is left out.
    pub fn parse(value: &str) -> DeviceInfo {
        let v: Vec<&str> = value.split(',').map(str::trim).collect();
        let text = |i: usize| v.get(i).filter(|s| !s.is_empty()).map(|s| s.to_string());
        let num = |i: usize| v.get(i).and_then(|s| s.parse().ok());
        let int = |i: usize| v.get(i).and_then(|s| s.parse().ok());
        DeviceInfo {
            firmware: text(0),
            users: num(1),
            fingerprints: num(2),
            punches: num(3),
            ip_address: text(4),
            fingerprint_algorithm: int(5),
            face_algorithm: int(6),
            faces_to_enroll: int(7),
            faces: num(8),
            features: text(9),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u320_example_and_old_firmware() {
        // adms-push.md §4.1, the U320 example.
        let i = DeviceInfo::parse("Ver 6.8.0(build640),2,0,0,192.168.1.201,10,-1,-12,101");
        assert_eq!(i.firmware.as_deref(), Some("Ver 6.8.0(build640)"));
        assert_eq!(
            (i.users, i.fingerprints, i.punches),
            (Some(2), Some(0), Some(0))
        );
        assert_eq!(i.ip_address.as_deref(), Some("192.168.1.201"));
        assert_eq!(i.fingerprint_algorithm, Some(10));
        assert_eq!(i.face_algorithm, Some(-1));
        assert_eq!(i.faces_to_enroll, Some(-12));
        assert_eq!(i.faces, Some(101));
        assert_eq!(i.features, None);
        let old = DeviceInfo::parse("Ver 6.39 Apr 28 2008,12,30,4000");
        assert_eq!(old.punches, Some(4000));
        assert_eq!(old.ip_address, None);
        assert_eq!(DeviceInfo::parse(""), DeviceInfo::default());
    }
}
