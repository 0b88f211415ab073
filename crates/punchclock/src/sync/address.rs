//! Which resolved addresses the poller may connect to.
//!
//! A cloud service that connects wherever a customer's DNS name points could
//! be aimed at its own network or its cloud's metadata service. Unless the
//! operator allows it, every address that is not globally reachable is
//! refused: the IANA IPv4 and IPv6 special-purpose registries, plus the IPv4
//! address inside IPv6 forms that carry one (mapped `::ffff:a.b.c.d`,
//! compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`),
//! so `::127.0.0.1` or `64:ff9b::a9fe:a9fe` cannot reach loopback or
//! 169.254.169.254 by another name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The first publicly routable address of a resolved name. Otherwise the
/// first address with why it is refused, or `None` when there was none.
pub fn first_public(addrs: &[SocketAddr]) -> Result<SocketAddr, Option<(IpAddr, &'static str)>> {
    let mut refused = None;
    for a in addrs {
        match non_public_reason(a.ip()) {
            None => return Ok(*a),
            Some(reason) => {
                refused.get_or_insert((a.ip(), reason));
            }
        }
    }
    Err(refused)
}

/// Why an address is not publicly routable, or `None` if it is.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

/// IPv4 blocks of the special-purpose registry (RFC 6890 and updates),
/// by first address, prefix length and what to call them.
const V4_SPECIAL: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "an unspecified (\"this network\") address"),
    ([10, 0, 0, 0], 8, "a private (LAN) address"),
    ([100, 64, 0, 0], 10, "a carrier-grade NAT address"),
    ([127, 0, 0, 0], 8, "a loopback address"),
    ([169, 254, 0, 0], 16, "a link-local address"),
    ([172, 16, 0, 0], 12, "a private (LAN) address"),
    ([192, 0, 0, 0], 24, "a reserved protocol address"),
    ([192, 0, 2, 0], 24, "a documentation address"),
    ([192, 88, 99, 0], 24, "a 6to4 relay address"),
    ([192, 168, 0, 0], 16, "a private (LAN) address"),
    ([198, 18, 0, 0], 15, "a benchmarking address"),
    ([198, 51, 100, 0], 24, "a documentation address"),
    ([203, 0, 113, 0], 24, "a documentation address"),
    ([224, 0, 0, 0], 4, "a multicast address"),
    ([240, 0, 0, 0], 4, "a reserved address"),
];

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_broadcast() {
        return Some("a broadcast address");
    }
    let bits = u32::from(ip);
    V4_SPECIAL.iter().find_map(|(net, len, reason)| {
        let mask = u32::MAX << (32 - u32::from(*len));
        (bits & mask == u32::from_be_bytes(*net)).then_some(*reason)
    })
}

/// IPv6 blocks inside global unicast (2000::/3) that are not globally
/// reachable; everything outside 2000::/3 is refused as well.
const V6_SPECIAL: &[(u128, u8, &str)] = &[
    (
        0x2001_0000 << 96,
        23,
        "a reserved protocol address (Teredo and others)",
    ),
    (0x2001_0db8 << 96, 32, "a documentation address"),
    (0x3fff_0000 << 96, 20, "a documentation address"),
];

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    let within =
        |net: u128, len: u8| bits >> (128 - u32::from(len)) == net >> (128 - u32::from(len));
    if let Some(v4) = embedded_v4(ip) {
        // The carried address decides, then the wrapper: 6to4 depends on
        // relays, the compatible form is deprecated and local-use NAT64
        // is not globally reachable, whatever they carry.
        let wrapper = if within(0x2002 << 112, 16) {
            Some("a 6to4 address")
        } else if bits >> 32 == 0 {
            Some("a deprecated IPv4-compatible address")
        } else if within(0x0064_ff9b_0001 << 80, 48) {
            Some("a local-use NAT64 address")
        } else {
            None
        };
        return v4_reason(v4).or(wrapper);
    }
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if let Some((_, _, reason)) = V6_SPECIAL.iter().find(|(n, l, _)| within(*n, *l)) {
        return Some(reason);
    }
    match ip.segments()[0] {
        0x2000..=0x3fff => None,
        s if s & 0xfe00 == 0xfc00 => Some("a private (unique-local) address"),
        s if s & 0xffc0 == 0xfe80 => Some("a link-local address"),
        s if s & 0xff00 == 0xff00 => Some("a multicast address"),
        _ => Some("a reserved address"),
    }
}

/// The IPv4 address an IPv6 address stands for: mapped (::ffff:0:0/96),
/// compatible (::/96, beyond :: and ::1), NAT64 (64:ff9b::/96 and the
/// local-use 64:ff9b:1::/48) or 6to4 (2002::/16).
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from(bits as u32);
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if bits >> 32 == 0 && bits > 1 {
        return Some(low);
    }
    if bits >> 32 == 0x0064_ff9b << 64 || s[..3] == [0x64, 0xff9b, 1] {
        return Some(low);
    }
    (s[0] == 0x2002).then(|| Ipv4Addr::from((bits >> 80) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<&'static str> {
        non_public_reason(s.parse().unwrap())
    }

    #[test]
    fn refuses_every_special_purpose_block() {
        for a in [
            // IPv4 registry.
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.1",
            "192.0.0.1",
            "192.0.0.170",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.201",
            "198.18.0.1",
            "198.19.255.1",
            "198.51.100.1",
            "203.0.113.7",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            // IPv6 registry.
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:192.168.0.1",
            "64:ff9b:1::a00:1",
            "100::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1",
            "2001:db8::1",
            "3fff::1",
            "fc00::1",
            "fd00::5",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "5f00::1",
        ] {
            assert!(reason(a).is_some(), "{a} must be refused");
        }
    }

    /// The findings: each reached an internal address by another name.
    #[test]
    fn refuses_ipv4_carried_inside_ipv6() {
        for (a, why) in [
            ("::127.0.0.1", "a loopback address"),
            ("64:ff9b::7f00:1", "a loopback address"),
            ("64:ff9b::a9fe:a9fe", "a link-local address"),
            ("2002:7f00:1::1", "a loopback address"),
            ("2002:a00:1::1", "a private (LAN) address"),
            ("::ffff:a9fe:a9fe", "a link-local address"),
        ] {
            assert_eq!(reason(a), Some(why), "{a}");
        }
        // A public IPv4 inside 6to4, a compatible or a local-use NAT64
        // address is still not dialled.
        assert_eq!(reason("2002:808:808::1"), Some("a 6to4 address"));
        assert!(reason("::8.8.8.8").is_some());
        assert!(reason("64:ff9b:1::808:808").is_some());
        assert_eq!(
            embedded_v4("64:ff9b::808:808".parse().unwrap()),
            Some(Ipv4Addr::new(8, 8, 8, 8))
        );
        assert_eq!(embedded_v4("2001:4860::8888".parse().unwrap()), None);
    }

    #[test]
    fn allows_globally_reachable_addresses() {
        // Checked as values only: nothing here is contacted.
        for a in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "198.20.0.1",
            "192.0.3.1",
            "223.255.255.1",
            "2001:4860::8888",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert_eq!(reason(a), None, "{a} is public");
        }
    }

    #[test]
    fn first_public_skips_refused_addresses() {
        let private: SocketAddr = "192.168.1.201:4370".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:4370".parse().unwrap();
        let public: SocketAddr = "8.8.8.8:4370".parse().unwrap();
        assert_eq!(first_public(&[private, public]), Ok(public));
        assert_eq!(
            first_public(&[loopback, private]),
            Err(Some((loopback.ip(), "a loopback address")))
        );
        assert_eq!(first_public(&[]), Err(None));
    }
}
