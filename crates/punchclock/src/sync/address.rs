//! Which resolved addresses the poller may connect to.
//!
//! A cloud service that connects wherever a customer's DNS name points could
//! be aimed at its own private network. Unless the operator allows it,
//! addresses that are not publicly routable are refused.

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
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_reason(v4);
            }
            v6_reason(v6)
        }
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private (LAN) address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("an unspecified address")
    } else if o[0] == 100 && (o[1] & 0xC0) == 64 {
        Some("a carrier-grade NAT address")
    } else if ip.is_broadcast() || ip.is_multicast() {
        Some("a broadcast or multicast address")
    } else if o[0] >= 240 {
        Some("a reserved address")
    } else {
        None
    }
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if (s[0] & 0xFE00) == 0xFC00 {
        Some("a private (unique-local) address")
    } else if (s[0] & 0xFFC0) == 0xFE80 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<&'static str> {
        non_public_reason(s.parse().unwrap())
    }

    #[test]
    fn refuses_non_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.201",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::5",
            "::ffff:192.168.0.1",
            "255.255.255.255",
        ] {
            assert!(reason(a).is_some(), "{a} must be refused");
        }
    }

    #[test]
    fn first_public_skips_refused_addresses() {
        let private: SocketAddr = "192.168.1.201:4370".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:4370".parse().unwrap();
        let public: SocketAddr = "203.0.113.9:4370".parse().unwrap();
        assert_eq!(first_public(&[private, public]), Ok(public));
        assert_eq!(
            first_public(&[loopback, private]),
            Err(Some((loopback.ip(), "a loopback address")))
        );
        assert_eq!(first_public(&[]), Err(None));
    }

    #[test]
    fn allows_public() {
        for a in ["203.0.113.7", "8.8.8.8", "172.32.0.1", "2001:4860::8888"] {
            assert_eq!(reason(a), None, "{a} is public");
        }
    }
}
